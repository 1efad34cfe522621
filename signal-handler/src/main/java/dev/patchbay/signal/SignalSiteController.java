/*
 * The SiteController the signal-handler module provides: arms sites by writing a single
 * 0xCC byte each (code regions are registered by SignalFaultHandler), then
 * optionally runs membarrier(PRIVATE_EXPEDITED_SYNC_CORE) so every core serialises before
 * it executes the armed code. It never writes more than that one byte into code another
 * thread may run (DESIGN.md invariant 2).
 */
package dev.patchbay.signal;

import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.SafepointHandler;
import dev.patchbay.spi.SiteController;

final class SignalSiteController implements SiteController {
    private static boolean membarrierRegistered;

    private final SigtrapHandler handler;
    private final boolean membarrier;
    private boolean closed;

    SignalSiteController(SafepointHandler safepoints, boolean membarrier) {
        Native.checkPlatform();
        if (membarrier) registerMembarrier();
        this.handler = SigtrapHandler.acquire(safepoints);
        this.membarrier = membarrier;
    }

    private static synchronized void registerMembarrier() {
        if (membarrierRegistered) return;
        int supported = Native.membarrier(Native.MEMBARRIER_CMD_QUERY, 0);
        if ((supported & Native.MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE) == 0) {
            throw new UnsupportedOperationException("membarrier PRIVATE_EXPEDITED_SYNC_CORE is not supported by this kernel (query: 0x"
                + Integer.toHexString(supported) + ")");
        }
        Native.membarrier(Native.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0);
        membarrierRegistered = true;
    }

    @Override public void arm(long[] writeAddresses, int count) {
        for (int i = 0; i < count; i++) Native.putByte(writeAddresses[i], (byte) 0xCC);
        if (membarrier) Native.membarrier(Native.MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0);
    }

    @Override public boolean syncsCores() { return membarrier; }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        handler.release();
    }
}
