/*
 * The process's signal handlers, generated machine code (SignalStubs): SIGTRAP (armed
 * sites go to the safepoint stub; a guest's own int3, CLIF debugtrap, becomes a `debug`
 * Trap), and SIGSEGV and SIGBUS (guest memory faults become heap_oob, a guest call or
 * return to a bad address bad_target). Each is installed with sigaction while at least
 * one Engine holds this (its FaultHandler, and its SiteController if it has one), and
 * uninstalled when the last one releases it, but only if the installed action is still
 * ours (someone may have installed another handler on top; we leave theirs alone).
 * SIGSEGV and SIGBUS run under HotSpot's own flags and mask, so that chaining to its
 * handler behaves exactly as before.
 *
 * Two registries, both seqlocked: code regions with their patch sites, and the slabs of
 * VmctxMemory, which the handlers use to validate a vmctx address before reading it.
 * Slabs are never unmapped, so their registrations are never closed.
 *
 * The code, the registries and the buffers holding the previous actions are created once
 * and never freed: a signal already being delivered may still run our handler after we
 * uninstall it. Reinstalling reuses them; sigaction rewrites the saved previous action.
 *
 * A handler installed on top of ours (Wasmtime's SIGSEGV handler, when its Engine is made
 * while ours is installed) saved ours as its previous action and chains to it, so ours
 * stays in the chain after we "uninstall" and leave theirs. Reinstalling ours on top would
 * make ours chain to theirs and theirs back to ours: every fault that is neither's (HotSpot's
 * implicit null checks, its safepoint polls) would go round forever, a hung JVM. So a
 * signal whose handler was left in place (`stillChained`) is not reinstalled: ours is
 * reached through theirs, and its previous action is still the one it had.
 */
package dev.patchbay.signal;

import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.internal.sys.Upcall;
import dev.patchbay.internal.sys.VmctxMemory;
import dev.patchbay.spi.SafepointHandler;

import java.lang.System.Logger;

final class SigtrapHandler {
    private static final Logger LOG = System.getLogger(SigtrapHandler.class.getName());
    private static final int FLAGS = LinuxSignalLayout.SA_SIGINFO | LinuxSignalLayout.SA_ONSTACK | LinuxSignalLayout.SA_RESTART;

    private static SigtrapHandler instance;

    private final SiteRegistry registry;
    /** The slabs of VmctxMemory: where a live vmctx can be. */
    private final SiteRegistry vmctxSlabs;
    private final long oldAction = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long newAction = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long scratchAction = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long handlerAddress;
    /** SIGSEGV: guest memory faults become heap_oob traps; everything else chains (HotSpot's null checks). */
    private final long oldSegv = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long newSegv = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long segvAddress;
    /** SIGBUS (a load from a truncated file mapping, say): the same handler code, with its own previous action. */
    private final long oldBus = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long newBus = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long busAddress;
    private final long safepointStub;
    private volatile SafepointHandler safepoints;
    private int users;
    private boolean installed;
    @SuppressWarnings("unused") // keeps the upcall's jffi closure alive
    private final Upcall upcall;

    private static final int CODE_BYTES = 16384;

    private SigtrapHandler() {
        upcall = Upcall.create((vmctx, site, fp, unused) -> safepoints.safepoint(vmctx, site, fp), SigtrapHandler::safepointFailed);
        registry = new SiteRegistry(SiteRegistry.DEFAULT_CAPACITY);
        vmctxSlabs = new SiteRegistry(SiteRegistry.DEFAULT_CAPACITY);
        CodeMemory code = CodeMemory.allocate(CODE_BYTES, "signal");
        byte[] stub = SignalStubs.safepointStub(upcall.address());
        code.write(0, stub);
        safepointStub = code.execAddress(0);
        int at = align(stub.length);
        byte[] trapCode = SignalStubs.sigtrapHandler(registry.address(), oldAction, safepointStub, vmctxSlabs.address());
        code.write(at, trapCode);
        handlerAddress = code.execAddress(at);
        int segvAt = align(at + trapCode.length);
        byte[] segvCode = SignalStubs.sigsegvHandler(registry.address(), oldSegv, vmctxSlabs.address());
        code.write(segvAt, segvCode);
        segvAddress = code.execAddress(segvAt);
        int busAt = align(segvAt + segvCode.length);
        byte[] busCode = SignalStubs.sigsegvHandler(registry.address(), oldBus, vmctxSlabs.address());
        code.write(busAt, busCode);
        busAddress = code.execAddress(busAt);
        int publishAt = align(busAt + busCode.length);
        byte[] publish = SignalStubs.registryPublish();
        if (publishAt + publish.length > CODE_BYTES) throw new IllegalStateException("signal handler code exceeds " + CODE_BYTES + " bytes");
        code.write(publishAt, publish);
        registry.setPublishStub(code.execAddress(publishAt));
        vmctxSlabs.setPublishStub(code.execAddress(publishAt));
        VmctxMemory.subscribe((start, end) -> vmctxSlabs.register(start, end, new int[0]));
        Native.putLong(newAction + LinuxSignalLayout.SA_HANDLER, handlerAddress);
        Native.putInt(newAction + LinuxSignalLayout.SA_FLAGS, FLAGS);
    }

    private static int align(int offset) { return (offset + 63) & ~63; }

    /**
     * Anything thrown at a safepoint would be dropped by jffi; the runtime's handler
     * catches its own errors, so reaching this is a bug. Log it and resume the guest.
     */
    private static int safepointFailed(long vmctx, Throwable t) {
        LOG.log(Logger.Level.ERROR, "safepoint upcall failed; the guest resumes with sites as they are", t);
        return 0;
    }

    /** Installs the handlers for one more user; `handler` (if not null) receives safepoints. */
    static synchronized SigtrapHandler acquire(SafepointHandler handler) {
        if (instance == null) instance = new SigtrapHandler();
        if (handler != null) instance.safepoints = handler;
        if (instance.users++ == 0) instance.install();
        return instance;
    }

    synchronized void release() {
        synchronized (SigtrapHandler.class) {
            if (users == 0) throw new IllegalStateException("signal handlers released more often than acquired");
            if (--users == 0) uninstall();
        }
    }

    SiteRegistry registry() { return registry; }

    long handlerAddress() { return handlerAddress; }

    /** Our handler's address for SIGTRAP, SIGSEGV or SIGBUS, for tests. */
    long handlerAddress(int sig) {
        return sig == LinuxSignalLayout.SIGSEGV ? segvAddress : sig == LinuxSignalLayout.SIGBUS ? busAddress : handlerAddress;
    }

    static synchronized boolean isInstalled() { return instance != null && instance.installed; }

    private void install() {
        if (!stillChained(LinuxSignalLayout.SIGTRAP)) Native.sigaction(LinuxSignalLayout.SIGTRAP, newAction, oldAction);
        if (!stillChained(LinuxSignalLayout.SIGSEGV)) installChained(LinuxSignalLayout.SIGSEGV, segvAddress, newSegv, oldSegv);
        if (!stillChained(LinuxSignalLayout.SIGBUS)) installChained(LinuxSignalLayout.SIGBUS, busAddress, newBus, oldBus);
        installed = true;
        LOG.log(Logger.Level.DEBUG, () -> "SIGTRAP handler installed; previous handler 0x"
            + Long.toHexString(Native.getLong(oldAction + LinuxSignalLayout.SA_HANDLER)));
    }

    /**
     * Installs `ours` for `sig` under the flags and mask of the action there now
     * (HotSpot's), so its handler behaves exactly as before when we chain to it.
     */
    private void installChained(int sig, long ours, long act, long old) {
        Native.sigaction(sig, 0, scratchAction);
        Native.copyToArray(scratchAction, SCRATCH, 0, LinuxSignalLayout.SIGACTION_SIZE);
        Native.copyFromArray(SCRATCH, 0, act, LinuxSignalLayout.SIGACTION_SIZE);
        Native.putLong(act + LinuxSignalLayout.SA_HANDLER, ours);
        int flags = Native.getInt(act + LinuxSignalLayout.SA_FLAGS) | LinuxSignalLayout.SA_SIGINFO;
        Native.putInt(act + LinuxSignalLayout.SA_FLAGS, flags & ~LinuxSignalLayout.SA_RESETHAND);
        Native.sigaction(sig, act, old);
    }

    private void uninstall() {
        restore(LinuxSignalLayout.SIGTRAP, handlerAddress, oldAction);
        restore(LinuxSignalLayout.SIGSEGV, segvAddress, oldSegv);
        restore(LinuxSignalLayout.SIGBUS, busAddress, oldBus);
        installed = false;
    }

    private void restore(int sig, long ours, long old) {
        Native.sigaction(sig, 0, scratchAction);
        if (Native.getLong(scratchAction + LinuxSignalLayout.SA_HANDLER) == ours) {
            Native.sigaction(sig, old, 0);
        } else {
            replacedBy[sig] = Native.getLong(scratchAction + LinuxSignalLayout.SA_HANDLER);
            LOG.log(Logger.Level.WARNING, "the handler for signal " + sig + " was replaced by someone else; leaving theirs installed");
        }
    }

    /**
     * Whether the handler that replaced ours for `sig` is still installed, so ours is still
     * in its chain and must not be installed again on top of it (see the header).
     */
    private boolean stillChained(int sig) {
        if (replacedBy[sig] == 0) return false;
        Native.sigaction(sig, 0, scratchAction);
        if (Native.getLong(scratchAction + LinuxSignalLayout.SA_HANDLER) == replacedBy[sig]) {
            LOG.log(Logger.Level.DEBUG, () -> "signal " + sig + ": ours is still chained under the handler that replaced it; not reinstalled");
            return true;
        }
        replacedBy[sig] = 0;
        return false;
    }

    /** Per signal number: the handler found installed over ours at the last uninstall, or 0. */
    private final long[] replacedBy = new long[65];

    private static final byte[] SCRATCH = new byte[LinuxSignalLayout.SIGACTION_SIZE];

    /** The action currently installed for SIGTRAP (its handler address), for tests. */
    static long currentHandler() { return currentHandler(LinuxSignalLayout.SIGTRAP); }

    /** The handler address installed for `sig` now, for tests. */
    static long currentHandler(int sig) {
        long buf = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
        try {
            Native.sigaction(sig, 0, buf);
            return Native.getLong(buf + LinuxSignalLayout.SA_HANDLER);
        } finally {
            Native.free(buf);
        }
    }
}
