/*
 * The FaultHandler the signal-handler module provides (ServiceLoader entry point:
 * SignalFaultHandlerProvider): holds the process's signal handlers installed while any
 * Engine uses them, and registers code regions in their registry. Every Engine gets one,
 * with or without a site controller.
 */
package dev.patchbay.signal;

import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.FaultHandler;

final class SignalFaultHandler implements FaultHandler {
    private final SigtrapHandler handler;
    private boolean closed;

    SignalFaultHandler() {
        Native.checkPlatform();
        this.handler = SigtrapHandler.acquire(null);
    }

    @Override public Registration registerCode(long execStart, long execEnd, int[] siteOffsets) {
        return handler.registry().register(execStart, execEnd, siteOffsets);
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        handler.release();
    }
}
