/*
 * The hook of epoch sites when epoch interruption is on: a Java upcall (jffi closure)
 * the preserve_all hook trampoline calls as hook(vmctx, returnAddress, guestFp). It runs
 * on the guest's thread, finds the Store, and lets it decide (Store.epochHook): 0 resumes
 * the guest, 1 unwinds it with the trap code the Store set. Deadlines are rare, so the
 * ~100 ns of an upcall is paid only when a deadline or an interrupt() is due.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.internal.sys.Upcall;

final class EpochHook {
    private static final Upcall UPCALL = Upcall.create(EpochHook::hook, EpochHook::failed);

    private EpochHook() {}

    static long address() { return UPCALL.address(); }

    private static int hook(long vmctx, long returnAddress, long guestFp, long unused) {
        StoreCore s = StoreTable.lookup(vmctx);
        if (s == null) throw new IllegalStateException("epoch hook for an unknown vmctx 0x" + Long.toHexString(vmctx));
        return s.epochHook(returnAddress, guestFp);
    }

    /** The Store's own handler catches callback errors; anything here is a bug: unwind with host_error. */
    private static int failed(long vmctx, Throwable t) {
        StoreCore s = StoreTable.lookup(vmctx);
        if (s == null) return 1; // not a live Store's vmctx: touch nothing, just unwind
        s.hostError(t);
        s.vmctx.setTrapCode(TrapCode.HOST_ERROR.code());
        return 1;
    }
}
