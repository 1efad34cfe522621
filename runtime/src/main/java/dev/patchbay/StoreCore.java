/*
 * A Store's internals: the native vmctx and argument buffer, the loaded modules' code,
 * and the parts that each run one protocol: Ownership (who runs it), SiteState (request,
 * arm, apply), EpochState (deadlines, interrupts, the force), Hostcalls (dispatch, and
 * waking an owner blocked in one), TrapDecoder (what a trapped call becomes). Store is the public handle
 * over this; generated code and signal handlers reach this through StoreTable.
 *
 * Why a separate object: the process-wide table and the epoch watcher must find a
 * Store's internals without keeping the Store itself reachable. So nothing here points
 * to the public Store or Instance strongly, and the Store's Cleaner frees this when the
 * handle is dropped without close() (a dropped Store can have no call running: a running
 * call keeps its Store reachable, see Store.invoke).
 *
 * Locking: one lock guards the site and epoch state and the decision to close; the
 * owner takes it at safepoints and when a call ends, other threads when they request,
 * interrupt or close. The upcalls below map an EpochState.Action to the status word the
 * generated code expects: 0 resumes the guest, 1 unwinds it with the trap code set.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.codegen.vm.EntryStatus;
import dev.patchbay.internal.CountingHooks;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

final class StoreCore {
    private static final System.Logger LOG = System.getLogger(StoreCore.class.getName());
    static final int ARG_SLOTS = 64;

    final Engine engine;
    final Vmctx vmctx;
    private final long vmctxAddress;
    private final long argBuf;
    private final int slot;
    final Ownership ownership = new Ownership();
    private final ReentrantLock lock = new StoreLock();
    final SiteState sites = new SiteState(this, lock);
    final EpochState epoch = new EpochState(this, lock);
    final Hostcalls hostcalls = new Hostcalls(this);
    /** Loaded modules; written by the owner (or an idle Store's caller) under the lock. */
    private volatile List<LoadedModule> loaded = List.of();
    private final List<CodeMemory> code = new ArrayList<>();
    private final CopyOnWriteArrayList<SafepointListener> safepointListeners = new CopyOnWriteArrayList<>();
    private final WeakReference<Store> handle;
    /** The Trap of the owner's last call, until Func.call takes it (owner only). */
    private Trap trapped;
    /** The Store's debugger, made on first use (Store.debugger()); null until then. */
    private volatile StoreDebugger debugger;
    /** True while safepoint listeners run on the owner: a nested safepoint skips them. */
    private boolean inListeners;
    private boolean freed;
    /** Native memory of Wasm instances (linear memories, tables, globals), released by free(). */
    private final List<Runnable> nativeReleases = new ArrayList<>();

    /** Checks first, allocates after: a constructor that throws leaves nothing behind. */
    StoreCore(Store handle, Engine engine) {
        // Counts this Store against its Engine, or throws if the Engine is closed.
        engine.storeOpened();
        this.engine = engine;
        this.handle = new WeakReference<>(handle);
        int s = StoreTable.reserve();
        long args = 0;
        Vmctx v = null;
        try {
            args = Native.calloc(ARG_SLOTS, 8);
            v = Vmctx.allocate(s);
        } catch (RuntimeException | Error e) {
            if (args != 0) Native.free(args);
            StoreTable.release(s);
            engine.storeClosed();
            throw e;
        }
        this.slot = s;
        this.argBuf = args;
        this.vmctx = v;
        this.vmctxAddress = v.address();
        v.setStackSize(Store.DEFAULT_STACK_BYTES);
        // Comparison-mode state: never reached until the runtime sets a deadline or fuel.
        v.setEpochPtr(engine.epochCounterAddress());
        v.setEpochDeadline(-1L);
        v.setFuel(Long.MAX_VALUE);
        v.setPollPage(engine.pollPageAddress());
        for (SiteKind k : SiteKind.values()) v.setHook(k, CountingHooks.address(k));
        if (engine.epochInterruption()) {
            v.setHook(SiteKind.EPOCH, EpochHook.address());
            engine.watcher().start();
        }
        StoreTable.publish(s, this);
    }

    long vmctxAddress() { return vmctxAddress; }

    Store handle() { return handle.get(); }

    /** The Store, for callbacks that run during a call (which keeps it reachable). */
    Store handleOrThrow() {
        Store s = handle.get();
        if (s == null) throw new IllegalStateException("the Store is no longer reachable");
        return s;
    }

    List<LoadedModule> loaded() { return loaded; }

    void checkOpen() { ownership.checkOpen(); }

    // ---- instantiation: all or nothing ----

    LoadedModule instantiate(Module module, Hostcall[] imports) {
        checkOpen();
        CompiledModule cm = module.compiled();
        byte[] bytes = cm.code();
        for (Relocation r : cm.relocations) {
            if (!r.target.equals(Relocation.HOSTCALL_DISPATCH)) {
                throw new IllegalArgumentException("module needs symbol " + r.target + ", which this runtime does not provide");
            }
            long addr = Hostcalls.dispatchAddress();
            for (int i = 0; i < 8; i++) bytes[r.offset + i] = (byte) (addr >>> (8 * i));
        }
        CodeMemory mem = CodeMemory.allocate(Math.max(1, bytes.length), "store");
        InstanceSites table = null;
        lock.lock();
        try {
            checkOpen();
            if (ownership.owner() != null && !ownership.isOwner(Thread.currentThread())) {
                throw new IllegalStateException("cannot instantiate into a Store while thread '" + ownership.owner().getName() + "' runs it");
            }
            mem.write(0, bytes);
            // Before anything is published: a failure here leaves only a record behind.
            engine.nativeTools().mapped(mem, cm);
            LoadedModule m = new LoadedModule(module, mem, imports);
            // Registration can fail (the registry is full): nothing is published before it.
            table = new InstanceSites(m, engine.faults());
            sites.add(table);
            epoch.addInstanceLocked(m, table.hasKind(SiteKind.EPOCH));
            if (loaded.isEmpty()) vmctx.setTrapStub(mem.execAddress(cm.trapStub));
            List<LoadedModule> next = new ArrayList<>(loaded);
            next.add(m);
            code.add(mem);
            loaded = List.copyOf(next);
            return m;
        } catch (RuntimeException | Error e) {
            if (table != null) table.close();
            if (!code.contains(mem)) mem.close();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    // ---- requests ----

    PatchRequest request(SitePlan plan) {
        checkOpen();
        lock.lock();
        try {
            checkOpen();
            return sites.requestLocked(plan, epoch.forcePending());
        } finally {
            lock.unlock();
        }
    }

    PatchRequest requestSafepoint() {
        checkOpen();
        lock.lock();
        try {
            checkOpen();
            return sites.requestSafepointLocked();
        } finally {
            lock.unlock();
        }
    }

    <T> T withLock(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    StoreDebugger debugger() {
        StoreDebugger d = debugger;
        if (d != null) return d;
        lock.lock();
        try {
            checkOpen();
            if (debugger == null) debugger = new StoreDebugger(this, lock);
            return debugger;
        } finally {
            lock.unlock();
        }
    }

    void addSafepointListener(SafepointListener l) { safepointListeners.add(l); }

    void removeSafepointListener(SafepointListener l) { safepointListeners.remove(l); }

    void setFuel(long fuel) {
        lock.lock();
        try {
            checkOpen();
            Thread owner = ownership.owner();
            if (owner != null && owner != Thread.currentThread()) {
                // The running FUEL code would overwrite the write (EpochState's header).
                throw new IllegalStateException("setFuel from thread '" + Thread.currentThread().getName() + "' while thread '"
                    + owner.getName() + "' runs the Store: set fuel between calls, or on the owner (in a hostcall or deadline callback)");
            }
            vmctx.setFuel(fuel);
        } finally {
            lock.unlock();
        }
    }

    // ---- calls ----

    /**
     * Runs `entry(vmctx, fn, args)` on the calling thread. Returns the results, or null if
     * the guest trapped: the Trap is then waiting in takeTrap(), and Func.call throws it.
     * A Trap is thrown by the frame that hands it to the user, not from here, because
     * HotSpot looks up the handler of every compiled frame an exception leaves, in the VM,
     * and after a guest has run for milliseconds that lookup is cold (InterruptBreakdown:
     * Trap built to caught, 20 ms in, went from 14.2 us to 0.5 us with this).
     */
    long[] invoke(LoadedModule inst, FunctionInfo fn, long[] args) {
        checkOpen();
        Thread me = Thread.currentThread();
        boolean nested = ownership.isOwner(me);
        if (!nested) {
            long call = ownership.claim(me);
            try {
                vmctx.setActiveCall(call);
                epoch.callStarted(call, inst);
            } catch (RuntimeException | Error e) {
                release();
                throw e;
            }
        }
        try {
            return invokeOwned(inst, fn, args, nested);
        } finally {
            if (!nested) release();
        }
    }

    /** The Trap of the last call that returned null; the owner thread takes it once. */
    Trap takeTrap() {
        Trap t = trapped;
        trapped = null;
        if (t == null) throw new IllegalStateException("no trap is waiting");
        return t;
    }

    /** The outermost call has ended: give up ownership and apply what was asked meanwhile. */
    private void release() {
        StoreDebugger d = debugger;
        if (d != null) d.callEnding();
        vmctx.setActiveCall(0);
        ownership.release();
        epoch.callEnded();
        if (sites.hasUnapplied()) {
            lock.lock();
            try {
                if (!ownership.isClosed()) sites.applyLocked();
            } finally {
                lock.unlock();
            }
        }
    }

    private long[] invokeOwned(LoadedModule inst, FunctionInfo fn, long[] args, boolean nested) {
        int slots = Math.max(args.length, fn.signature.returns.size());
        long buf = !nested && slots <= ARG_SLOTS ? argBuf : Native.calloc(Math.max(1, slots), 8);
        try {
            for (int i = 0; i < args.length; i++) Native.putLong(buf + 8L * i, args[i]);
            // Dekker handshake with request(): either we see `patching` and wait for the
            // controller to finish writing, or it sees the owner and only arms.
            if (!nested && sites.isPatching()) {
                lock.lock();
                lock.unlock();
            }
            // The floor of the stack the call runs on, taken after the last point where the
            // thread can block: a virtual owner that waited for the lock (here or in
            // callStarted) may have come back on another carrier. The native call pins it.
            if (!nested) vmctx.setStackFloor(StackFloor.current());
            long status = Native.call(inst.code().execAddress(fn.entryTrampoline), vmctxAddress, inst.code().execAddress(fn.start), buf);
            if (status != EntryStatus.OK) {
                trapped = trapOf(inst, status);
                return null;
            }
            long[] results = new long[fn.signature.returns.size()];
            for (int i = 0; i < results.length; i++) results[i] = Native.getLong(buf + 8L * i);
            return results;
        } finally {
            if (buf != argBuf) Native.free(buf);
        }
    }

    /** The owner, once the entry returned a trap status: the Trap, its bookkeeping done. */
    private Trap trapOf(LoadedModule inst, long status) {
        Store h = engine.hasListeners() ? handle() : null;
        if (h != null) for (RuntimeListener l : engine.listeners()) l.onTrapStart(h);
        // The safepoint stub unwound for the interrupt on its own: finish it here.
        if (status == EntryStatus.INTERRUPTED) epoch.takeStubInterrupt();
        // Thread.interrupt() of the owner ended this call: the Trap consumes it.
        Throwable cause = hostcalls.takeError();
        if (epoch.takeOwnerInterrupt() && cause == null) cause = new InterruptedException("the owner thread was interrupted");
        Trap t = TrapDecoder.decode(vmctx, inst, cause, hostcalls.takeInterrupted());
        if (h != null) for (RuntimeListener l : engine.listeners()) l.onTrap(h, t);
        return t;
    }

    /**
     * InterruptPathWarmup only: the Java of an interrupt() of a running call that the
     * safepoint stub unwound at `pc`, with this thread as both the requester and the owner
     * and no guest code run. The call is claimed, started and released as invoke() does;
     * interrupt() arms the sites (0xCC written into this Store's copy, which nothing
     * executes) and the owner's side puts them back, so the Store ends as it began.
     */
    Trap rehearseInterrupt(LoadedModule inst, long pc) {
        return rehearse(inst, () -> {
            if (!handleOrThrow().interrupt()) throw new IllegalStateException("the rehearsal's call is not interruptible");
            // What the stubs leave for an interrupt unwound at `pc`: the trap code is set by
            // takeStubInterrupt, as after the real unwind.
            vmctx.recordBacktrace(pc);
            return trapOf(inst, EntryStatus.INTERRUPTED);
        });
    }

    /** A rehearsal's call on this thread: claimed, started and released as invoke() does, around `body`. */
    private Trap rehearse(LoadedModule inst, java.util.function.Supplier<Trap> body) {
        Thread me = Thread.currentThread();
        if (ownership.isOwner(me)) throw new IllegalStateException("a rehearsal cannot nest in a call");
        long call = ownership.claim(me);
        try {
            vmctx.setActiveCall(call);
            epoch.callStarted(call, inst);
            return body.get();
        } finally {
            release();
        }
    }

    /**
     * InterruptPathWarmup only: the Java of a deadline of 1 passed by Engine.incrementEpoch()
     * during a running call, as rehearseInterrupt does for interrupt(): the deadline set, the
     * epoch incremented (which wakes the watcher, as the real one does), the watcher's check
     * and force run here, then the owner's safepoint upcall at the armed site `pc` (through
     * Store.SAFEPOINT_HANDLER, as the stub calls it), whose default callback unwinds, and the
     * Trap. The deadline is gone again when it returns.
     */
    Trap rehearseDeadline(LoadedModule inst, long pc) {
        return rehearse(inst, () -> {
            handleOrThrow().setEpochDeadline(1);
            engine.incrementEpoch();
            epoch.checkDeadline(engine.currentEpoch(), System.nanoTime());
            if (Store.SAFEPOINT_HANDLER.safepoint(vmctxAddress, pc, 0) != status(EpochState.Action.UNWIND)) {
                throw new IllegalStateException("the rehearsal's deadline did not unwind");
            }
            vmctx.recordBacktrace(pc);
            return trapOf(inst, EntryStatus.TRAP);
        });
    }

    // ---- upcalls from generated code, on the owner thread ----

    /** The owner trapped at an armed site: apply everything, then resume at the site (or unwind). */
    int safepoint(long site, long guestFp) {
        engine.siteMetrics().trap();
        EpochState.Action a;
        lock.lock();
        try {
            // An interrupt or a passed deadline forced the epoch sites on: the owner is at a
            // safe place now, so it is decided here, in this one upcall, instead of resuming
            // the guest into the epoch hook for a second one. Any armed site will do.
            a = epoch.forcePending() ? null : EpochState.Action.RESUME;
            if (a != null) sites.applyLocked();
        } finally {
            lock.unlock();
        }
        // A force is decided first: that ends it and applies the sites (EpochState.
        // endForceLocked). Listeners run after the sites are applied, and never
        // re-entrantly: a listener that calls back into the guest must not meet the armed
        // sites that brought it here, or a nested call would stop again, deeper and deeper,
        // and take the interrupt or the deadline meant for this one.
        if (a == null) {
            a = epoch.atSafepoint(site, guestFp);
            if (a == null) a = EpochState.Action.RESUME;
        }
        if (a == EpochState.Action.UNWIND) {
            // The decision has set this call's trap code; a nested call that traps in a
            // listener must not replace it.
            long code = vmctx.trapCode();
            runSafepointListeners(site, guestFp);
            vmctx.setTrapCode(code);
        } else {
            runSafepointListeners(site, guestFp);
        }
        // Resuming: at a breakpoint the debugger stops, then steps over it.
        StoreDebugger d = debugger;
        if (a != EpochState.Action.UNWIND && d != null) return d.atTrap(site, guestFp);
        return status(a);
    }

    private void runSafepointListeners(long site, long guestFp) {
        if (inListeners || safepointListeners.isEmpty()) return;
        Store h = handle();
        if (h == null) return;
        inListeners = true;
        Safepoint at = new Safepoint(h, this, site, guestFp);
        try {
            for (SafepointListener l : safepointListeners) {
                try {
                    l.onSafepoint(at);
                } catch (Throwable e) {
                    // Errors too (an AssertionError, a StackOverflowError in a stack-hungry
                    // sampler): escaping here would leave the owner on a still-armed site.
                    LOG.log(System.Logger.Level.WARNING, "safepoint listener failed", e);
                }
            }
        } finally {
            at.end();
            inListeners = false;
        }
    }

    /** The owner is in the epoch hook. */
    int epochHook(long returnAddress, long guestFp) { return status(epoch.inHook()); }

    private static int status(EpochState.Action a) { return a == EpochState.Action.UNWIND ? 1 : 0; }

    void hostError(Throwable t) { hostcalls.hostError(t); }

    void listenersInterruptRequested() {
        Store h = engine.hasListeners() ? handle() : null;
        if (h != null) for (RuntimeListener l : engine.listeners()) l.onInterruptRequested(h);
    }

    void listenersEpoch(EpochOutcome outcome, long since) {
        Store h = engine.hasListeners() ? handle() : null;
        if (h != null) for (RuntimeListener l : engine.listeners()) l.onEpochDeadline(h, outcome, since);
    }

    /** interrupt() (under the lock): wakes an owner blocked in a hostcall. */
    void interruptHostcall() { hostcalls.wakeOwner(); }

    LoadedModule loadedAt(long pc) {
        LoadedModule m = loadedContaining(pc);
        if (m == null) throw new IllegalStateException("hostcall from PC 0x" + Long.toHexString(pc) + ", outside this Store's code");
        return m;
    }

    // ---- guest stacks ----

    /** The loaded module whose code holds an absolute PC, or null. */
    LoadedModule loadedContaining(long pc) {
        for (LoadedModule m : loaded) if (m.code().contains(pc)) return m;
        return null;
    }

    /** The guest function containing an absolute PC, as a frame, or null. */
    GuestFrame frameAt(long pc) {
        for (LoadedModule m : loaded) {
            if (!m.code().contains(pc)) continue;
            long off = pc - m.code().execBase();
            FunctionInfo f = m.module().compiled().functionAt((int) off);
            return f == null ? null : new GuestFrame(f.name, (int) off - f.start, TrapDecoder.location(m.module(), f, (int) off));
        }
        return null;
    }

    /**
     * Walks the guest stack from a PC and frame pointer up to the entry frame, bounded to
     * the running call's stack (GuestStackWalker). Only the owner, while those frames are
     * live, gets frames; any other thread gets an empty list.
     */
    List<GuestFrame> backtrace(long pc, long fp) {
        if (!ownership.isOwner(Thread.currentThread())) return new ArrayList<>();
        return GuestStackWalker.walk(vmctx, pc, fp, this::frameAt);
    }

    // ---- closing ----

    /** Frees the Store; fails if a thread runs it (Ownership, invariant 2). */
    /** Closes and frees the Store; false if it was closed already (by this or another thread). */
    boolean close() {
        lock.lock();
        try {
            if (!ownership.close()) return false;
            sites.closeLocked();
        } finally {
            lock.unlock();
        }
        free();
        return true;
    }

    /** The Store's Cleaner: its handle is unreachable, so no call can be running. */
    void closeUnreachable() {
        lock.lock();
        try {
            if (ownership.isClosed()) return;
            ownership.closeUnreachable();
            sites.closeLocked();
        } finally {
            lock.unlock();
        }
        free();
    }

    /**
     * Registers native memory to release when the Store is freed, by close() or by its
     * Cleaner; the action must refer to no Store handle. Runs at once if already freed.
     */
    void releaseOnFree(Runnable release) {
        synchronized (this) {
            if (!freed) {
                nativeReleases.add(release);
                return;
            }
        }
        release.run();
    }

    private void free() {
        List<Runnable> releases;
        synchronized (this) {
            if (freed) return;
            freed = true;
            releases = new ArrayList<>(nativeReleases);
            nativeReleases.clear();
        }
        engine.watcher().unwatch(this);
        engine.storeClosed();
        for (CodeMemory m : code) {
            engine.nativeTools().unmapped(m);
            m.close();
        }
        code.clear();
        loaded = List.of();
        Native.free(argBuf);
        lock.lock();
        try {
            // Under the lock: interrupt() and the watcher write the vmctx under it too.
            vmctx.free();
        } finally {
            lock.unlock();
        }
        StoreTable.release(slot);
        for (Runnable r : releases) r.run();
    }
}
