/*
 * The process's SIGTRAP handler, and beside it a SIGSEGV handler that turns guest memory
 * faults into heap_oob traps: generated machine code (RuntimeStubs), installed
 * with sigaction(SA_SIGINFO | SA_ONSTACK | SA_RESTART) while at least one Engine uses it,
 * and uninstalled when the last one releases it, but only if the installed action is
 * still ours (someone may have installed another handler on top; we leave theirs alone).
 *
 * The code, the registry and the buffer holding the previous action are created once and
 * never freed: a signal already being delivered may still run our handler after we
 * uninstall it. Reinstalling reuses them; sigaction rewrites the saved previous action.
 */
package dev.patchbay.signal;

import dev.patchbay.codegen.isa.x64.RuntimeStubs;
import dev.patchbay.codegen.vm.LinuxSignalLayout;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.internal.sys.Upcall;
import dev.patchbay.spi.SafepointHandler;

import java.lang.System.Logger;

final class SigtrapHandler {
    private static final Logger LOG = System.getLogger(SigtrapHandler.class.getName());
    private static final int FLAGS = LinuxSignalLayout.SA_SIGINFO | LinuxSignalLayout.SA_ONSTACK | LinuxSignalLayout.SA_RESTART;

    private static SigtrapHandler instance;

    private final SiteRegistry registry;
    private final long oldAction = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long newAction = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long scratchAction = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long handlerAddress;
    /** SIGSEGV: guest memory faults become heap_oob traps; everything else chains (HotSpot's null checks). */
    private final long oldSegv = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long newSegv = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
    private final long segvAddress;
    private final long safepointStub;
    private volatile SafepointHandler safepoints;
    private int users;
    private boolean installed;
    @SuppressWarnings("unused") // keeps the upcall's jffi closure alive
    private final Upcall upcall;

    private SigtrapHandler() {
        upcall = Upcall.create((vmctx, site, fp, unused) -> safepoints.safepoint(vmctx, site, fp), SigtrapHandler::safepointFailed);
        registry = new SiteRegistry(SiteRegistry.DEFAULT_CAPACITY);
        CodeMemory code = CodeMemory.allocate(8192, "signal");
        byte[] stub = RuntimeStubs.safepointStub(upcall.address());
        code.write(0, stub);
        safepointStub = code.execAddress(0);
        int at = (stub.length + 63) & ~63;
        byte[] trapCode = RuntimeStubs.sigtrapHandler(registry.address(), oldAction, safepointStub);
        code.write(at, trapCode);
        handlerAddress = code.execAddress(at);
        int segvAt = (at + trapCode.length + 63) & ~63;
        byte[] segvCode = RuntimeStubs.sigsegvHandler(registry.address(), oldSegv);
        code.write(segvAt, segvCode);
        segvAddress = code.execAddress(segvAt);
        int publishAt = (segvAt + segvCode.length + 63) & ~63;
        code.write(publishAt, RuntimeStubs.registryPublish());
        registry.setPublishStub(code.execAddress(publishAt));
        Native.putLong(newAction + LinuxSignalLayout.SA_HANDLER, handlerAddress);
        Native.putInt(newAction + LinuxSignalLayout.SA_FLAGS, FLAGS);
    }

    /**
     * Anything thrown at a safepoint would be dropped by jffi; the runtime's handler
     * catches its own errors, so reaching this is a bug. Log it and resume the guest.
     */
    private static int safepointFailed(long vmctx, Throwable t) {
        LOG.log(Logger.Level.ERROR, "safepoint upcall failed; the guest resumes with sites as they are", t);
        return 0;
    }

    static synchronized SigtrapHandler acquire(SafepointHandler handler) {
        if (instance == null) instance = new SigtrapHandler();
        instance.safepoints = handler;
        if (instance.users++ == 0) instance.install();
        return instance;
    }

    synchronized void release() {
        synchronized (SigtrapHandler.class) {
            if (users == 0) throw new IllegalStateException("SIGTRAP handler released more often than acquired");
            if (--users == 0) uninstall();
        }
    }

    SiteRegistry registry() { return registry; }

    long handlerAddress() { return handlerAddress; }

    static synchronized boolean isInstalled() { return instance != null && instance.installed; }

    private void install() {
        Native.sigaction(LinuxSignalLayout.SIGTRAP, newAction, oldAction);
        // Run under HotSpot's own flags and mask, so its handler behaves exactly as before
        // when we chain to it.
        Native.sigaction(LinuxSignalLayout.SIGSEGV, 0, scratchAction);
        Native.copyToArray(scratchAction, SCRATCH, 0, LinuxSignalLayout.SIGACTION_SIZE);
        Native.copyFromArray(SCRATCH, 0, newSegv, LinuxSignalLayout.SIGACTION_SIZE);
        Native.putLong(newSegv + LinuxSignalLayout.SA_HANDLER, segvAddress);
        int flags = Native.getInt(newSegv + LinuxSignalLayout.SA_FLAGS) | LinuxSignalLayout.SA_SIGINFO;
        Native.putInt(newSegv + LinuxSignalLayout.SA_FLAGS, flags & ~LinuxSignalLayout.SA_RESETHAND);
        Native.sigaction(LinuxSignalLayout.SIGSEGV, newSegv, oldSegv);
        installed = true;
        LOG.log(Logger.Level.DEBUG, () -> "SIGTRAP handler installed; previous handler 0x"
            + Long.toHexString(Native.getLong(oldAction + LinuxSignalLayout.SA_HANDLER)));
    }

    private void uninstall() {
        restore(LinuxSignalLayout.SIGTRAP, handlerAddress, oldAction);
        restore(LinuxSignalLayout.SIGSEGV, segvAddress, oldSegv);
        installed = false;
    }

    private void restore(int sig, long ours, long old) {
        Native.sigaction(sig, 0, scratchAction);
        if (Native.getLong(scratchAction + LinuxSignalLayout.SA_HANDLER) == ours) {
            Native.sigaction(sig, old, 0);
        } else {
            LOG.log(Logger.Level.WARNING, "the handler for signal " + sig + " was replaced by someone else; leaving theirs installed");
        }
    }

    private static final byte[] SCRATCH = new byte[LinuxSignalLayout.SIGACTION_SIZE];

    /** The action currently installed for SIGTRAP (its handler address), for tests. */
    static long currentHandler() {
        long buf = Native.calloc(1, LinuxSignalLayout.SIGACTION_SIZE);
        try {
            Native.sigaction(LinuxSignalLayout.SIGTRAP, 0, buf);
            return Native.getLong(buf + LinuxSignalLayout.SA_HANDLER);
        } finally {
            Native.free(buf);
        }
    }
}
