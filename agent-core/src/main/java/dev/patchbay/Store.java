/*
 * A Store owns everything one guest execution context needs: the native vmctx block that
 * generated code reaches through R15, a private W^X copy of each instantiated module's
 * code, and a scratch buffer for arguments and results. A Store is used by one thread at
 * a time; it is not thread-safe, and calls from a second thread while one is running fail.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.codegen.vm.VmctxLayout;
import dev.patchbay.internal.CountingHooks;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.internal.sys.Upcall;
import dev.patchbay.internal.sys.VmctxMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

public final class Store implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());
    /** Live Stores by vmctx address, so upcalls from generated code find their Store. */
    private static final ConcurrentHashMap<Long, Store> BY_VMCTX = new ConcurrentHashMap<>();

    /** The one hostcall dispatcher every exit trampoline calls (see Trampolines.exit). */
    private static final class Dispatch {
        static final Upcall UPCALL = Upcall.create(Store::dispatch, Store::dispatchFailed);
    }

    /** Default guest stack budget: fits comfortably inside a default 1 MiB Java thread stack. */
    public static final long DEFAULT_STACK_BYTES = 256 * 1024;
    /**
     * Stack kept free below the guest: HotSpot's guard zones (red, yellow, reserved) and its
     * shadow zone, which Java code called from a hostcall needs, are a few dozen pages;
     * this leaves room for them and for the hostcall's own frames.
     */
    static final long JVM_STACK_RESERVE = 256 * 1024;
    private static final ThreadLocal<Long> STACK_FLOOR = ThreadLocal.withInitial(() -> {
        long[] b = Native.threadStackBounds();
        return b[0] + JVM_STACK_RESERVE;
    });
    static final int ARG_SLOTS = 64;

    private final Engine engine;
    private final long vmctx;
    private final long argBuf;
    private final List<CodeMemory> code = new ArrayList<>();
    private final List<Instance> instances = new ArrayList<>();
    /** What the last failed hostcall threw; becomes the cause of the host_error Trap. */
    private Throwable pendingError;
    /** The Trap of the owner's last call, until Func.call takes it (see invoke). */
    private Trap trapped;
    /** The owner while a call runs: claimed with a CAS, so two threads can never both run. */
    private volatile Thread running;
    private static final java.lang.invoke.VarHandle RUNNING;
    static {
        try {
            RUNNING = java.lang.invoke.MethodHandles.lookup().findVarHandle(Store.class, "running", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private volatile boolean closed;
    /** Set by close() while it checks for an owner (a Dekker handshake with claim()). */
    private volatile boolean closing;

    // ---- patch-site state (see request / safepoint) ----
    /** Guards desired state, site bytes and generations. */
    private final ReentrantLock patchLock = new ReentrantLock();
    /** Set by a controller while it decides between patching directly and arming. */
    private volatile boolean patching;
    private volatile long requestedGen, appliedGen;
    private final List<PatchRequest> pendingRequests = new ArrayList<>();
    private final List<InstanceSites> siteTables = new ArrayList<>();
    private final java.util.concurrent.CopyOnWriteArrayList<SafepointListener> safepointListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    // ---- epoch interruption (see setEpochDeadline / interrupt / epochHook) ----
    /** Absolute epoch at which the deadline passes; MAX_VALUE for none. */
    private volatile long epochDeadline = Long.MAX_VALUE;
    private volatile EpochDeadlineCallback deadlineCallback = s -> EpochDecision.interrupt();
    /**
     * Outermost guest calls started so far (the owner counts them). An interrupt targets
     * the call running when interrupt() was called: interruptFor holds that call's number,
     * 0 for none, so an interrupt whose call returned before reaching an epoch site is
     * simply stale and never stops a later call.
     */
    private long callSeq;
    /** The number of the outermost call running now, 0 while none (published after the claim). */
    private volatile long activeCall;
    private volatile long interruptFor;
    private volatile long interruptRequestedAt;
    private volatile boolean yielded;
    private volatile Thread yieldedThread;
    /** When force() last ran; the watcher's retries leave the owner at least 1 ms to react. */
    private volatile long lastForceAt;
    /** How many times force() ran (under the patch lock); for tests of the watcher's timing rules. */
    private long forcesMade;
    /** Fuel saved while interrupt() borrows the FUEL field to reach FUEL-mode code. */
    private long savedFuel = Long.MIN_VALUE;
    /** force() has overwritten the epoch fields (deadline, fuel) and no hook has restored them yet. */
    private volatile boolean epochFieldsBorrowed;
    /** Some instance has no epoch patch site to arm (comparison modes, no sites, no controller). */
    private volatile boolean interruptNeedsRetries;

    static Store byVmctx(long vmctx) { return BY_VMCTX.get(vmctx); }

    /** The SafepointHandler the Engine hands to its controller: finds the Store by vmctx. */
    static final dev.patchbay.spi.SafepointHandler SAFEPOINT_HANDLER = (vmctx, site, fp) -> {
        Store s = BY_VMCTX.get(vmctx);
        if (s == null) throw new IllegalStateException("safepoint for an unknown vmctx 0x" + Long.toHexString(vmctx));
        return s.safepoint(site, fp);
    };

    public Store(Engine engine) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        this.engine = engine;
        this.vmctx = VmctxMemory.allocate();
        this.argBuf = Native.calloc(ARG_SLOTS, 8);
        Native.putLong(vmctx + VmctxLayout.MAGIC, VmctxLayout.MAGIC_VALUE);
        Native.putLong(vmctx + VmctxLayout.STACK_SIZE, DEFAULT_STACK_BYTES);
        // Comparison-mode state: never reached until the runtime sets a deadline or fuel.
        Native.putLong(vmctx + VmctxLayout.EPOCH_PTR, engine.epochCounterAddress());
        Native.putLong(vmctx + VmctxLayout.EPOCH_DEADLINE, -1L);
        Native.putLong(vmctx + VmctxLayout.FUEL, Long.MAX_VALUE);
        Native.putLong(vmctx + VmctxLayout.POLL_PAGE, engine.pollPageAddress());
        for (SiteKind k : SiteKind.values()) {
            Native.putLong(vmctx + VmctxLayout.hook(k.ordinal()), CountingHooks.address(k));
        }
        if (engine.epochInterruption()) {
            Native.putLong(vmctx + VmctxLayout.hook(SiteKind.EPOCH.ordinal()), EpochHook.address());
            engine.watcher().start();
        }
        engine.storeOpened();
        BY_VMCTX.put(vmctx, this);
    }

    public Engine engine() { return engine; }

    /** Sets the guest stack budget; a guest that needs more traps with stk_ovf. */
    public void setStackLimit(long bytes) {
        checkOpen();
        if (bytes < 4096 || bytes > (1L << 34)) {
            throw new IllegalArgumentException("stack limit must be between 4 KiB and 16 GiB: " + bytes);
        }
        Native.putLong(vmctx + VmctxLayout.STACK_SIZE, bytes);
    }

    /**
     * Copies the module's code into this Store's own W^X memory and links it. A module with
     * imports needs a {@link Linker}.
     */
    public Instance instantiate(Module module) {
        if (!module.compiled().imports.isEmpty()) {
            throw new IllegalArgumentException("module imports %" + module.compiled().imports.get(0).name
                + "; instantiate it through a Linker that defines its hostcalls");
        }
        return instantiate(module, new Hostcall[0]);
    }

    Instance instantiate(Module module, Hostcall[] imports) {
        checkOpen();
        CompiledModule cm = module.compiled();
        byte[] bytes = cm.code();
        for (Relocation r : cm.relocations) {
            if (!r.target.equals(Relocation.HOSTCALL_DISPATCH)) {
                throw new IllegalArgumentException("module needs symbol " + r.target + ", which this runtime does not provide");
            }
            long addr = Dispatch.UPCALL.address();
            for (int i = 0; i < 8; i++) bytes[r.offset + i] = (byte) (addr >>> (8 * i));
        }
        CodeMemory mem = CodeMemory.allocate(Math.max(1, bytes.length), "store");
        mem.write(0, bytes);
        code.add(mem);
        Instance inst = new Instance(this, module, mem, imports);
        if (instances.isEmpty()) Native.putLong(vmctx + VmctxLayout.TRAP_STUB, mem.execAddress(cm.trapStub));
        instances.add(inst);
        InstanceSites sites = new InstanceSites(inst, engine.faults());
        patchLock.lock();
        try {
            siteTables.add(sites);
            if (engine.controller() == null || !sites.hasKind(SiteKind.EPOCH)) interruptNeedsRetries = true;
        } finally {
            patchLock.unlock();
        }
        return inst;
    }

    /**
     * Asks for sites to be turned on or off. Safe from any thread. If no thread runs this
     * Store, the sites are patched here and now; if its owner is running, the sites whose
     * state must change are armed with int3 and the owner applies the whole desired state
     * at its next site. The handle completes when that has happened.
     */
    public PatchRequest request(SitePlan plan) {
        checkOpen();
        SiteMetrics metrics = engine.siteMetrics();
        metrics.request();
        patchLock.lock();
        try {
            checkOpen();
            PatchRequest req = new PatchRequest(++requestedGen, System.nanoTime());
            for (InstanceSites t : siteTables) t.setDesired(plan);
            // While an interrupt or a passed deadline is being delivered, the epoch sites stay
            // on whatever the plan says; the owner turns them off once it has taken it (at
            // the safepoint, or in the epoch hook).
            if (epochFieldsBorrowed) for (InstanceSites t : siteTables) t.setDesired(EPOCH_ON);
            pendingRequests.add(req);
            patching = true;
            try {
                if (running == null) {
                    applyLocked();
                } else if (engine.controller() != null) {
                    int armed = 0;
                    for (InstanceSites t : siteTables) armed += t.arm(engine.controller());
                    if (armed > 0) metrics.arm(armed);
                    if (!anyChangePending()) completeLocked();
                }
            } finally {
                patching = false;
            }
            return req;
        } finally {
            patchLock.unlock();
        }
    }

    /**
     * Asks the owner to stop at its next site without changing any site's state (every
     * site is armed; the safepoint restores them). Safepoint listeners run there. Completes
     * at once if nobody runs the Store.
     */
    public PatchRequest requestSafepoint() {
        checkOpen();
        patchLock.lock();
        try {
            checkOpen();
            PatchRequest req = new PatchRequest(++requestedGen, System.nanoTime());
            pendingRequests.add(req);
            patching = true;
            try {
                if (running != null && engine.controller() != null) {
                    int armed = 0;
                    for (InstanceSites t : siteTables) armed += t.armAll(engine.controller());
                    if (armed > 0) engine.siteMetrics().arm(armed);
                    if (armed == 0 && !anyChangePending()) completeLocked();
                } else {
                    applyLocked();
                }
            } finally {
                patching = false;
            }
            return req;
        } finally {
            patchLock.unlock();
        }
    }

    public void addSafepointListener(SafepointListener l) { safepointListeners.add(l); }

    public void removeSafepointListener(SafepointListener l) { safepointListeners.remove(l); }

    /**
     * Points the hook of a site kind at native code: hook(vmctx, returnAddress, guestFp)
     * returning 0 to resume or non-zero (after setting a trap code) to unwind. The default
     * hooks count hits (see hookHits). Pass 0 to restore the default.
     */
    public void setHook(SiteKind kind, long nativeAddress) {
        checkOpen();
        Native.putLong(vmctx + VmctxLayout.hook(kind.ordinal()), nativeAddress == 0 ? CountingHooks.address(kind) : nativeAddress);
    }

    /** The vmctx address, for native hooks that keep per-Store state next to it. */
    public long vmctxAddress() { return vmctx; }

    /**
     * Walks the guest stack from a PC and frame pointer (as a hook or a safepoint listener
     * sees them) up to the entry frame: function names and offsets, innermost first. Only
     * the owner thread, while those frames are live, gets frames; any other caller gets an
     * empty list. The walk is bounded to the call's stack (see GuestStackWalker).
     */
    public List<GuestFrame> backtrace(long pc, long fp) {
        if (running != Thread.currentThread()) return new ArrayList<>();
        return GuestStackWalker.walk(vmctx, pc, fp, this::frameAt);
    }

    /** The guest function containing an absolute PC, as a frame, or null. */
    public GuestFrame frameAt(long pc) {
        for (Instance i : instances) {
            if (!i.code().contains(pc)) continue;
            long off = pc - i.code().execBase();
            FunctionInfo f = i.module().compiled().functionAt((int) off);
            return f == null ? null : new GuestFrame(f.name, (int) off - f.start);
        }
        return null;
    }

    /** Number of times the sites of a kind called their hook (the default counting hooks). */
    public long hookHits(SiteKind kind) {
        checkOpen();
        return Native.getLong(vmctx + VmctxLayout.hookCount(kind.ordinal()));
    }

    /** The instances of this Store, in instantiation order. */
    public List<Instance> instances() { return java.util.Collections.unmodifiableList(new ArrayList<>(instances)); }

    /** How many sites of this Store are on now (in their on form), for the "sites on" gauge. */
    public int sitesOn() {
        patchLock.lock();
        try {
            int n = 0;
            for (InstanceSites t : siteTables) n += t.countOn();
            return n;
        } finally {
            patchLock.unlock();
        }
    }

    /** Whether a site of an instance is currently on (its bytes are the on form). */
    public boolean isSiteOn(Instance inst, int siteId) {
        patchLock.lock();
        try {
            checkOpen();
            for (InstanceSites t : siteTables) if (t.instance == inst) return t.isOn(siteId);
            throw new IllegalArgumentException("instance does not belong to this Store");
        } finally {
            patchLock.unlock();
        }
    }

    /** The owner trapped at an armed site: apply everything, then resume at the site (or unwind, see below). */
    private int safepoint(long site, long guestFp) {
        engine.siteMetrics().trap();
        for (SafepointListener l : safepointListeners) {
            try {
                l.onSafepoint(this, site, guestFp);
            } catch (Throwable e) {
                // Errors too (an AssertionError, a StackOverflowError in a stack-hungry
                // sampler): escaping here would leave the owner on a still-armed site,
                // trapping again forever.
                LOG.log(System.Logger.Level.WARNING, "safepoint listener failed", e);
            }
        }
        // An interrupt or a passed deadline forced the epoch sites on: the owner is at a
        // safe place now, so it is decided here, in this one upcall, instead of resuming the
        // guest into the epoch hook for a second one. Any armed site will do; the epoch sites
        // are on only because of the force, so they go off in the same batch. (A due
        // interrupt usually never gets here: the safepoint stub unwinds it itself, see
        // interruptTaken. It does when interrupt() came while this upcall was on its way.)
        patchLock.lock();
        try {
            if (!epochFieldsBorrowed) {
                applyLocked();
                return 0;
            }
            endForceLocked();
            if (interruptDue()) return unwind(TrapCode.INTERRUPT, "interrupt", interruptRequestedAt);
        } finally {
            patchLock.unlock();
        }
        return deadlineReached(site, guestFp);
    }

    private void applyPending() {
        patchLock.lock();
        try {
            if (!closed) applyLocked();
        } finally {
            patchLock.unlock();
        }
    }

    /** Writes the desired state of every site (only the owner or an idle Store gets here). */
    private void applyLocked() {
        long t0 = System.nanoTime();
        int n = 0;
        for (InstanceSites t : siteTables) n += t.applyAll();
        if (n > 0) {
            engine.siteMetrics().patched(n);
            long dt = System.nanoTime() - t0;
            boolean atSafepoint = running != null;
            for (RuntimeListener l : engine.listeners()) l.onPatchBatch(this, n, dt, atSafepoint);
        }
        completeLocked();
    }

    private boolean anyChangePending() {
        for (InstanceSites t : siteTables) if (t.hasChanges()) return true;
        return false;
    }

    private void completeLocked() {
        appliedGen = requestedGen;
        long now = System.nanoTime();
        for (PatchRequest r : pendingRequests) {
            r.complete(now);
            engine.siteMetrics().applied(r.latencyNanos());
        }
        pendingRequests.clear();
    }

    // ---- epoch interruption ----

    /**
     * Sets the deadline `ticks` epochs beyond the current one. When the Engine's epoch
     * reaches it while the guest runs, the guest stops at its next epoch site (function
     * entry or loop header) and the deadline callback decides. Needs an Engine with
     * epochInterruption(true) and modules compiled with epoch sites.
     */
    public void setEpochDeadline(long ticks) {
        checkOpen();
        if (!engine.epochInterruption()) {
            throw new IllegalStateException("epoch interruption is off: create the Engine with new EngineConfig().epochInterruption(true)");
        }
        if (ticks < 0) throw new IllegalArgumentException("deadline ticks must be >= 0: " + ticks);
        setDeadline(engine.currentEpoch() + ticks);
        engine.watcher().watch(this);
        if (ticks == 0) checkDeadline(engine.currentEpoch());
    }

    /** The callback that runs when the deadline passes; the default interrupts. */
    public void onEpochDeadline(EpochDeadlineCallback callback) {
        if (callback == null) throw new IllegalArgumentException("callback is null");
        this.deadlineCallback = callback;
    }

    /**
     * Interrupts the guest now, from any thread, with no ticker needed: the owner unwinds
     * with an INTERRUPT Trap at its next epoch site (a hostcall in progress finishes first).
     * Returns false if no guest is running in this Store (nothing to interrupt).
     */
    public boolean interrupt() {
        checkOpen();
        if (!engine.epochInterruption()) {
            throw new IllegalStateException("epoch interruption is off: create the Engine with new EngineConfig().epochInterruption(true)");
        }
        long call = activeCall;
        if (call == 0) return false;
        interruptRequestedAt = System.nanoTime();
        interruptFor = call;
        // The safepoint stub's fast path reads this word: from here on, the owner's next
        // trap at any site unwinds (the force below arms the epoch sites for it).
        Native.putLong(vmctx + VmctxLayout.INTERRUPT_CALL, call);
        force();
        engine.watcher().watch(this);
        // Armed epoch sites stay armed until the owner takes the interrupt, so only code
        // that polls a field (CHECK, FUEL) or has nothing to arm needs the watcher's
        // retries. Waking it otherwise would only put a third thread on the CPUs just as
        // the guest must run.
        if (interruptNeedsRetries) engine.watcher().wake();
        Thread y = yieldedThread;
        if (y != null) java.util.concurrent.locks.LockSupport.unpark(y);
        return true;
    }

    /**
     * Makes the owner enter the epoch hook at its next epoch check, whatever the module's
     * epoch mode: NOP sites are turned on (armed), CHECK code sees a passed deadline, and
     * FUEL code sees negative fuel (the real fuel is saved and restored by the hook).
     * Idempotent; the watcher repeats it until the hook has run, because FUEL code's
     * non-atomic `sub [fuel], n` can overwrite one write, and because a controller's plan
     * can turn the epoch sites off again before the owner reaches one.
     */
    private void force() {
        patchLock.lock();
        try {
            if (closed || running == null) return;
            lastForceAt = System.nanoTime();
            forcesMade++;
            Native.putLong(vmctx + VmctxLayout.EPOCH_DEADLINE, 0);
            long fuel = Native.getLong(vmctx + VmctxLayout.FUEL);
            if (fuel >= 0) {
                savedFuel = fuel;
                Native.putLong(vmctx + VmctxLayout.FUEL, -1);
            }
            epochFieldsBorrowed = true;
            // Ask again whenever some epoch site is not desired on: a controller's plan may
            // have turned them off since the last force, and a flag saying "already asked"
            // would then wait forever for a hook that can no longer run.
            if (!epochSitesDesiredOn()) requestEpochSites();
        } finally {
            patchLock.unlock();
        }
    }

    /** The absolute deadline epoch (MAX_VALUE for none); for tests. */
    long epochDeadline() { return epochDeadline; }

    /** Whether a force is outstanding (the owner has not entered the hook since); for tests. */
    boolean epochForcePending() { return epochFieldsBorrowed; }

    long forcesMade() {
        patchLock.lock();
        try {
            return forcesMade;
        } finally {
            patchLock.unlock();
        }
    }

    /** True while the owner is parked by a yieldFor decision. */
    public boolean isYielded() { return yielded; }

    /** Resumes a guest parked by yieldFor; from any thread. Returns false if none is parked. */
    public boolean resume() {
        Thread y = yieldedThread;
        if (!yielded || y == null) return false;
        yielded = false;
        java.util.concurrent.locks.LockSupport.unpark(y);
        return true;
    }

    /** Sets the fuel for modules compiled in the FUEL comparison mode; running out traps with out_of_fuel. */
    public void setFuel(long fuel) {
        checkOpen();
        if (fuel < 0) throw new IllegalArgumentException("fuel must be >= 0: " + fuel);
        patchLock.lock();
        try {
            // Fuel an interrupt borrowed is obsolete now; the watcher borrows anew if needed.
            savedFuel = Long.MIN_VALUE;
            Native.putLong(vmctx + VmctxLayout.FUEL, fuel);
        } finally {
            patchLock.unlock();
        }
    }

    public long fuelRemaining() { return Math.max(0, Native.getLong(vmctx + VmctxLayout.FUEL)); }

    /**
     * Watcher thread: if an interrupt or a passed deadline is due while the guest runs,
     * force it into the hook. Returns true while such a force is outstanding.
     */
    boolean checkDeadline(long epoch) {
        if (closed || running == null) return false;
        if (!interruptDue() && epoch < epochDeadline) return false;
        // A force moments ago (interrupt() forces itself) that the owner has not taken yet
        // is still on its way: retrying now would only contend with the owner for the patch
        // lock. A force already taken says nothing about this deadline.
        if (epochFieldsBorrowed && System.nanoTime() - lastForceAt < 1_000_000L) return true;
        force();
        return true;
    }

    private static final SitePlan EPOCH_ON = SitePlan.on().kind(SiteKind.EPOCH);
    private static final SitePlan EPOCH_OFF = SitePlan.off().kind(SiteKind.EPOCH);

    private void requestEpochSites() {
        if (closed) return;
        request(EPOCH_ON);
    }

    private boolean epochSitesDesiredOn() {
        for (InstanceSites t : siteTables) if (!t.desiresOn(SiteKind.EPOCH)) return false;
        return true;
    }

    /** Owner thread, inside the epoch hook: decide what the guest does. */
    int epochHook(long returnAddress, long guestFp) {
        patchLock.lock();
        try {
            boolean forced = savedFuel != Long.MIN_VALUE;
            endForceLocked();
            if (interruptDue()) return unwind(TrapCode.INTERRUPT, "interrupt", interruptRequestedAt);
            if (!forced && Native.getLong(vmctx + VmctxLayout.FUEL) < 0) {
                return unwind(TrapCode.OUT_OF_FUEL, "out_of_fuel", 0);
            }
        } finally {
            patchLock.unlock();
        }
        return deadlineReached(returnAddress, guestFp);
    }

    /** Owner thread, epoch fields given back: runs the deadline callback if the deadline has passed. */
    private int deadlineReached(long returnAddress, long guestFp) {
        long epoch = engine.currentEpoch();
        if (epoch < epochDeadline) return 0;
        EpochMetrics m = engine.epochMetrics();
        m.deadlineReached();
        EpochDecision d;
        try {
            d = deadlineCallback.onDeadline(this);
            if (d == null) throw new IllegalStateException("the epoch deadline callback returned null");
        } catch (Throwable t) {
            hostError(t);
            Native.putLong(vmctx + VmctxLayout.TRAP_CODE, TrapCode.HOST_ERROR.code());
            return 1;
        }
        switch (d.kind()) {
            case INTERRUPT:
                epochDeadline = Long.MAX_VALUE;
                return unwind(TrapCode.INTERRUPT, "interrupt", 0);
            case CONTINUE:
                m.continued();
                newDeadline(d.ticks());
                for (RuntimeListener l : engine.listeners()) l.onEpochDeadline(this, d.toString(), 0);
                // An interrupt() that arrived while the callback ran is taken now, not at a
                // later site the guest may never reach.
                if (interruptDue()) return epochHook(returnAddress, guestFp);
                return 0;
            default:
                m.yielded();
                newDeadline(d.ticks());
                for (RuntimeListener l : engine.listeners()) l.onEpochDeadline(this, d.toString(), 0);
                park();
                if (interruptDue()) return epochHook(returnAddress, guestFp);
                return 0;
        }
    }

    private void park() {
        yieldedThread = Thread.currentThread();
        yielded = true;
        try {
            while (yielded && !interruptDue()) java.util.concurrent.locks.LockSupport.park(this);
        } finally {
            yielded = false;
            yieldedThread = null;
        }
    }

    /**
     * The owner has stopped for a force (at a safepoint, in the hook, or unwound by the
     * stub): the epoch sites, on only for it, go off, and the borrowed fields come back.
     */
    private void endForceLocked() {
        for (InstanceSites t : siteTables) t.setDesired(EPOCH_OFF);
        applyLocked();
        restoreEpochFields();
    }

    private void clearInterrupt() {
        interruptFor = 0;
        Native.putLong(vmctx + VmctxLayout.INTERRUPT_CALL, 0);
    }

    /**
     * The safepoint stub unwound for a due interrupt without calling into Java (see
     * RuntimeStubs.safepointStub): do here what safepoint() would have done. The epoch
     * sites go off, the borrowed fields come back, and the listeners hear of it.
     */
    private void interruptTaken() {
        engine.siteMetrics().trap();
        patchLock.lock();
        try {
            endForceLocked();
            unwind(TrapCode.INTERRUPT, "interrupt", interruptRequestedAt);
        } finally {
            patchLock.unlock();
        }
    }

    /** An interrupt() targets the outermost call running now. */
    private boolean interruptDue() {
        long f = interruptFor;
        return f != 0 && f == activeCall;
    }

    private void newDeadline(long ticks) {
        setDeadline(engine.currentEpoch() + ticks);
    }

    /**
     * Sets the deadline, and the field CHECK-mode code compares with, unless a force is
     * outstanding: force() has set that field to 0 so the owner enters the hook, and
     * overwriting it here (a callback's continueFor racing with interrupt() or with the
     * watcher) would make the owner miss the hook until the watcher's next retry.
     */
    private void setDeadline(long d) {
        patchLock.lock();
        try {
            epochDeadline = d;
            if (!epochFieldsBorrowed) Native.putLong(vmctx + VmctxLayout.EPOCH_DEADLINE, d);
        } finally {
            patchLock.unlock();
        }
    }

    private void restoreEpochFields() {
        Native.putLong(vmctx + VmctxLayout.EPOCH_DEADLINE, epochDeadline);
        if (savedFuel != Long.MIN_VALUE) {
            Native.putLong(vmctx + VmctxLayout.FUEL, savedFuel);
            savedFuel = Long.MIN_VALUE;
        }
        epochFieldsBorrowed = false;
    }

    /**
     * The outermost call ended before the hook gave back what force() borrowed: give it
     * back now (force() does nothing once `running` is null, so this is final). The epoch
     * sites were wanted on only for that force, so they go back off with it; otherwise the
     * next call would pay one pointless hook upcall at its first site.
     */
    private void returnEpochFields() {
        patchLock.lock();
        try {
            if (!epochFieldsBorrowed || closed) return;
            for (InstanceSites t : siteTables) t.setDesired(EPOCH_OFF);
            restoreEpochFields();
        } finally {
            patchLock.unlock();
        }
    }

    private int unwind(TrapCode code, String decision, long requestedAt) {
        // Unwinding ends the call, so an interrupt() aimed at it is answered too; clearing
        // it keeps invokeOwned from taking this unwind for the safepoint stub's own.
        if (interruptDue()) clearInterrupt();
        engine.epochMetrics().interrupted();
        long since = requestedAt == 0 ? 0 : System.nanoTime() - requestedAt;
        for (RuntimeListener l : engine.listeners()) l.onEpochDeadline(this, decision, since);
        Native.putLong(vmctx + VmctxLayout.TRAP_CODE, code.code());
        return 1;
    }

    void hostError(Throwable t) { pendingError = t; }

    /** Called from generated code through the exit trampolines: runs one hostcall. */
    private static int dispatch(long vmctx, long importIndex, long args, long guestPc) throws Exception {
        Store store = BY_VMCTX.get(vmctx);
        if (store == null) throw new IllegalStateException("hostcall from an unknown vmctx 0x" + Long.toHexString(vmctx));
        Instance inst = store.instanceAt(guestPc);
        ImportInfo imp = inst.module().compiled().imports.get((int) importIndex);
        long[] a = new long[imp.signature.params.size()];
        for (int i = 0; i < a.length; i++) a[i] = imp.signature.params.get(i).type.signExtend(Native.getLong(args + 8L * i));
        long r = inst.hostcall((int) importIndex).call(new Caller(inst), a);
        if (!imp.signature.returns.isEmpty()) Native.putLong(args, r);
        return 0;
    }

    private static int dispatchFailed(long vmctx, Throwable t) {
        Store store = BY_VMCTX.get(vmctx);
        if (store != null) store.pendingError = t;
        return 1;
    }

    private Instance instanceAt(long pc) {
        for (Instance i : instances) if (i.code().contains(pc)) return i;
        throw new IllegalStateException("hostcall from PC 0x" + Long.toHexString(pc) + ", outside this Store's code");
    }

    long vmctx() { return vmctx; }

    /**
     * Runs `entry(vmctx, fn, args)` on the calling thread. Returns the results, or null if
     * the guest trapped: the Trap is then waiting in takeTrap(), and Func.call throws it.
     * A Trap is thrown by the frame that hands it to the user, not from here, because
     * HotSpot looks up the handler of every compiled frame an exception leaves, in the VM,
     * and after a guest has run for milliseconds that lookup is cold (InterruptBreakdown:
     * Trap built to caught, 20 ms in, went from 14.2 us to 0.5 us with this).
     */
    long[] invoke(Instance inst, FunctionInfo fn, long[] args) {
        checkOpen();
        Thread me = Thread.currentThread();
        boolean nested = running == me;
        if (!nested) claim(me);
        long[] results;
        try {
            results = invokeOwned(inst, fn, args, nested);
        } catch (Throwable t) {
            if (!nested) release();
            throw t;
        }
        if (!nested) release();
        return results;
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
        activeCall = 0;
        Native.putLong(vmctx + VmctxLayout.ACTIVE_CALL, 0);
        running = null;
        if (epochFieldsBorrowed) returnEpochFields();
        if (appliedGen != requestedGen) applyPending();
    }

    /**
     * Makes the calling thread the owner, or throws. The CAS keeps a second thread out;
     * the handshake with close() (each side publishes its flag, then reads the other's)
     * keeps the Store from being freed under a call that is about to start.
     */
    private void claim(Thread me) {
        while (true) {
            if (!RUNNING.compareAndSet(this, null, me)) {
                Thread owner = running;
                throw new IllegalStateException("Store is running on thread '" + (owner == null ? "?" : owner.getName())
                    + "'; a Store has one owner at a time");
            }
            if (!closing) {
                if (!closed) break;
                running = null;
                throw new IllegalStateException("Store is closed");
            }
            // close() is deciding right now; it takes a few instructions either way.
            running = null;
            while (closing) Thread.onSpinWait();
            checkOpen();
        }
        activeCall = ++callSeq;
        Native.putLong(vmctx + VmctxLayout.ACTIVE_CALL, activeCall);
    }

    private long[] invokeOwned(Instance inst, FunctionInfo fn, long[] args, boolean nested) {
        int slots = Math.max(args.length, fn.signature.returns.size());
        long buf = !nested && slots <= ARG_SLOTS ? argBuf : Native.calloc(Math.max(1, slots), 8);
        try {
            for (int i = 0; i < args.length; i++) Native.putLong(buf + 8L * i, args[i]);
            if (!nested) {
                Native.putLong(vmctx + VmctxLayout.STACK_FLOOR, STACK_FLOOR.get());
                // A deadline that passed while the Store was idle is taken at the first site.
                if (epochDeadline != Long.MAX_VALUE && engine.currentEpoch() >= epochDeadline) requestEpochSites();
                // Dekker handshake with request(): either we see `patching` and wait for the
                // controller to finish writing, or it sees `running` and only arms.
                if (patching) {
                    patchLock.lock();
                    patchLock.unlock();
                }
            }
            long status = Native.call(inst.code().execAddress(fn.entryTrampoline), vmctx, inst.code().execAddress(fn.start), buf);
            if (status != 0) {
                // Still due after an INTERRUPT unwind: the safepoint stub took it on its own.
                if (interruptDue() && Native.getLong(vmctx + VmctxLayout.TRAP_CODE) == TrapCode.INTERRUPT.code()) interruptTaken();
                Trap t = trap(inst);
                for (RuntimeListener l : engine.listeners()) l.onTrap(this, t);
                trapped = t;
                return null;
            }
            long[] results = new long[fn.signature.returns.size()];
            for (int i = 0; i < results.length; i++) results[i] = Native.getLong(buf + 8L * i);
            return results;
        } finally {
            if (buf != argBuf) Native.free(buf);
        }
    }

    private Trap trap(Instance inst) {
        int code = (int) Native.getLong(vmctx + VmctxLayout.TRAP_CODE);
        Native.putLong(vmctx + VmctxLayout.TRAP_CODE, 0);
        int n = (int) Math.min(VmctxLayout.BT_MAX, Native.getLong(vmctx + VmctxLayout.BT_COUNT));
        List<GuestFrame> frames = new ArrayList<>();
        CompiledModule cm = inst.module().compiled();
        long base = inst.code().execBase();
        for (int i = 0; i < n; i++) {
            long pc = Native.getLong(vmctx + VmctxLayout.BT_PCS + 8L * i);
            long off = pc - base;
            FunctionInfo f = off >= 0 && off < cm.codeSize() ? cm.functionAt((int) off) : null;
            // A bad_target's trapping PC lies outside any function; the frames below it may not.
            if (f == null && i == 0) continue;
            if (f == null) break;
            frames.add(new GuestFrame(f.name, (int) off - f.start));
        }
        TrapCode tc = TrapCode.fromCode(code);
        Throwable cause = null;
        if (tc.equals(TrapCode.HOST_ERROR) || pendingError != null && tc.equals(TrapCode.INTERRUPT)) {
            cause = pendingError;
            pendingError = null;
        }
        return new Trap(tc, frames, cause);
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("Store is closed");
    }

    public boolean isClosed() { return closed; }

    /**
     * Frees the Store. Fails if a thread runs it; safe to race with calls and with other
     * close() calls (exactly one of them frees it; a call that loses gets "Store is closed").
     */
    @Override public void close() {
        patchLock.lock();
        try {
            if (closed) return;
            closing = true;
            Thread owner = running;
            if (owner != null) {
                closing = false;
                throw new IllegalStateException("cannot close a Store while thread '" + owner.getName() + "' runs it");
            }
            closed = true;
            closing = false;
            for (PatchRequest r : pendingRequests) r.fail();
            pendingRequests.clear();
            for (InstanceSites t : siteTables) t.close();
            siteTables.clear();
        } finally {
            patchLock.unlock();
        }
        BY_VMCTX.remove(vmctx);
        engine.watcher().unwatch(this);
        engine.storeClosed();
        for (CodeMemory m : code) m.close();
        code.clear();
        instances.clear();
        Native.free(argBuf);
        VmctxMemory.free(vmctx);
    }
}
