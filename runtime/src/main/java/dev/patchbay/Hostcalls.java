/*
 * A Store's hostcalls: the one dispatcher every exit trampoline calls, the waking of an
 * owner blocked in a hostcall by interrupt(), and the causes a hostcall leaves for the
 * Trap that ends the call.
 *
 * Problem: interrupt() runs on another thread and must wake an owner blocked in a hostcall
 * (sleep, wait, Future.get, interruptible I/O), which only Thread.interrupt() does. That
 * interrupt is the runtime's, not the user's: it must never outlive the hostcall, or it
 * would surface later in unrelated Java code on the owner thread. And the dispatcher runs
 * on every hostcall, so the protocol must cost a couple of atomic operations, not a lock.
 *
 * The waking protocol, a state word written only at the outermost hostcall:
 *   OUT     no hostcall runs (the owner is in guest code, or no call runs);
 *   IN      the owner is in a hostcall (the owner's volatile write on entry);
 *   WAKING  an interrupter won the CAS IN -> WAKING and is calling Thread.interrupt();
 *   WOKEN   it has; the owner's interrupt status is the runtime's.
 * Invariants:
 *  1. Only the interrupter that wins IN -> WAKING calls Thread.interrupt(), and only while
 *     the owner is still inside the hostcall: the owner leaves with CAS IN -> OUT, which
 *     fails exactly when an interrupter got in first.
 *  2. A leaving owner that finds WAKING waits (a few instructions) for WOKEN, then clears
 *     its interrupt status: the runtime's Thread.interrupt() never outlives the hostcall.
 *  3. No interrupt() is missed between the two: after writing IN the owner reads whether
 *     an interrupt is due (Dekker with interrupt(), which makes it due before it reads the
 *     state), and wakes itself if so.
 * pendingError and interruptedHostcall are the owner's alone.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.codegen.vm.HostcallBuffer;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.internal.sys.Upcall;

import java.util.concurrent.atomic.AtomicInteger;

final class Hostcalls {
    private static final int OUT = 0, IN = 1, WAKING = 2, WOKEN = 3;

    /** The one hostcall dispatcher every exit trampoline calls (see Trampolines.exit). */
    private static final class Dispatch {
        static final Upcall UPCALL = Upcall.create(Hostcalls::dispatch, Hostcalls::dispatchFailed);
    }

    private final StoreCore core;
    private final AtomicInteger wake = new AtomicInteger(OUT);
    /** Nesting of hostcalls (guest -> host -> guest -> host); owner only. */
    private int depth;
    /** What the last failed hostcall or callback threw; the host_error Trap's cause (owner only). */
    private Throwable pendingError;
    /** A hostcall threw InterruptedException for an interrupt: the Trap is an interrupt (owner only). */
    private boolean interruptedHostcall;

    Hostcalls(StoreCore core) { this.core = core; }

    /** The address generated code calls for every hostcall (an ABS64 relocation). */
    static long dispatchAddress() { return Dispatch.UPCALL.address(); }

    /** interrupt(), under the Store's lock: wakes the owner if it is blocked in a hostcall. */
    void wakeOwner() {
        Thread owner = core.ownership.owner();
        if (owner != null && wake.compareAndSet(IN, WAKING)) {
            owner.interrupt();
            wake.set(WOKEN);
        }
    }

    /** Records what a hostcall or callback threw, for the Trap that ends the call. */
    void hostError(Throwable t) { pendingError = t; }

    /** The cause the ending call's Trap carries, if any; the owner takes it once. */
    Throwable takeError() {
        Throwable t = pendingError;
        pendingError = null;
        return t;
    }

    /** Whether the ending call's host_error is an interrupt (a woken hostcall); taken once. */
    boolean takeInterrupted() {
        boolean i = interruptedHostcall;
        interruptedHostcall = false;
        return i;
    }

    /** Called from generated code through the exit trampolines: runs one hostcall. */
    private static int dispatch(long vmctx, long importIndex, long args, long guestPc) throws Exception {
        StoreCore core = StoreTable.lookup(vmctx);
        if (core == null) throw new IllegalStateException("hostcall from an unknown vmctx 0x" + Long.toHexString(vmctx));
        return core.hostcalls.call(importIndex, args, guestPc);
    }

    private static int dispatchFailed(long vmctx, Throwable t) {
        StoreCore core = StoreTable.lookup(vmctx);
        if (core != null) core.hostcalls.pendingError = t;
        return 1;
    }

    private int call(long importIndex, long args, long guestPc) throws Exception {
        LoadedModule inst = core.loadedAt(guestPc);
        ImportInfo imp = inst.module().compiled().imports.get((int) importIndex);
        Signature sig = imp.signature;
        long[] a = new long[sig.params.size()];
        for (int i = 0; i < a.length; i++) a[i] = bits(sig.params.get(i).type, Native.getLong(args + HostcallBuffer.slot(i)));
        int results = sig.returns.size();
        Hostcall h = inst.hostcall((int) importIndex);
        enter();
        long[] r;
        try {
            if (h instanceof MultiValueHostcall m) {
                r = m.callMultiValue(new Caller(inst.handle()), a);
                // Never write past the import's results, nor leave one of them unwritten.
                if (r == null || r.length != results) {
                    throw new IllegalStateException("hostcall %" + imp.name + sig + " returned "
                        + (r == null ? "null" : r.length + " values") + " for " + results + " results");
                }
            } else {
                long one = h.call(new Caller(inst.handle()), a);
                r = results == 0 ? null : new long[] {one};
            }
        } catch (InterruptedException e) {
            if ((isWoken() && core.epoch.hostcallInterrupted()) || core.epoch.hostcallThreadInterrupted()) {
                pendingError = e;
                interruptedHostcall = true;
                return 1;
            }
            throw e;
        } finally {
            leave();
        }
        for (int i = 0; i < results; i++) Native.putLong(args + HostcallBuffer.slot(i), r[i]);
        return 0;
    }

    /**
     * A value's bits as a hostcall sees them: an integer sign-extended from its width, a
     * float exactly its bits (an f32 zero-extended: the slot's upper half is not defined).
     */
    static long bits(Type type, long raw) {
        return type.isFloat() ? type.zeroExtend(raw) : type.signExtend(raw);
    }

    private void enter() {
        if (depth++ != 0) return;
        wake.set(IN);
        // Invariant 3: an interrupt() that read OUT just before is due by now.
        if (core.epoch.interruptDue() && wake.compareAndSet(IN, WOKEN)) Thread.currentThread().interrupt();
    }

    private void leave() {
        if (--depth != 0) return;
        if (wake.compareAndSet(IN, OUT)) return;
        // Invariants 1, 2: the runtime interrupted this thread; take that interrupt back.
        while (wake.get() == WAKING) Thread.onSpinWait();
        Thread.interrupted();
        wake.set(OUT);
    }

    private boolean isWoken() {
        int w = wake.get();
        return w == WAKING || w == WOKEN;
    }
}
