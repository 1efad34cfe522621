/*
 * A Store owns everything one guest execution context needs: the native vmctx that
 * generated code reaches through R15, a private W^X copy of each instantiated module's
 * code, and the state of its patch sites and epoch deadline. This class is the public
 * handle; the work is done by package-private parts, each behind one protocol:
 *
 *  - Ownership: one thread at a time runs guest code in a Store (its owner); close()
 *    never frees a Store with an owner; calls are numbered so an interrupt names one.
 *  - SiteState: any thread may request sites on or off. An idle Store is patched at
 *    once; a running one is armed (one 0xCC byte per site) and its owner applies the
 *    whole desired state at its next site.
 *  - EpochState: deadlines, interrupt(), and the force that makes the owner stop at its
 *    next epoch check; decisions come back as an Action that the upcall maps to a status.
 *  - Vmctx: every read and write of the native block, checked: after close every access
 *    throws instead of touching freed memory.
 *
 * Threads: a Store is used by one thread at a time. request(), requestSafepoint(),
 * interrupt(), interruptCurrentOrNext(), resume(), isYielded(), sitesOn() and close() are
 * safe from any thread; everything else belongs to the thread that runs the Store, or to
 * any thread while it is idle. After close(), every method but close() and isClosed()
 * throws IllegalStateException("store is closed").
 *
 * A Store dropped without close() is freed by a Cleaner once it is unreachable; a call
 * in progress keeps it reachable.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.internal.RuntimeInternals;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public final class Store implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    static {
        // The raw-address operations (native hooks, the vmctx, stack walks from a PC) are
        // not public API: Patchbay's own modules reach them through RuntimeInternals.
        RuntimeInternals.install(new StoreInternalAccess());
    }

    /** Default guest stack budget: fits comfortably inside a default 1 MiB Java thread stack. */
    public static final long DEFAULT_STACK_BYTES = 256 * 1024;
    /** The largest guest stack budget setStackLimit accepts. */
    public static final long MAX_STACK_BYTES = 1L << 34;

    private final Engine engine;
    private final StoreCore core;
    private final Cleaner.Cleanable cleanable;
    private final List<Instance> instances = Collections.synchronizedList(new ArrayList<>());

    public Store(Engine engine) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        this.engine = engine;
        this.core = new StoreCore(this, engine);
        StoreCore c = core;
        this.cleanable = CLEANER.register(this, c::closeUnreachable);
    }

    /** The SafepointHandler the Engine hands to its controller: finds the Store by vmctx. */
    static final dev.patchbay.spi.SafepointHandler SAFEPOINT_HANDLER = (vmctx, site, fp) -> {
        StoreCore s = StoreTable.lookup(vmctx);
        if (s == null) throw new IllegalStateException("safepoint for an unknown vmctx 0x" + Long.toHexString(vmctx));
        return s.safepoint(site, fp);
    };

    public Engine engine() {
        core.checkOpen();
        return engine;
    }

    /** Sets the guest stack budget; a guest that needs more traps with stk_ovf. */
    public void setStackLimit(long bytes) {
        core.checkOpen();
        if (bytes < 4096 || bytes > MAX_STACK_BYTES) {
            throw new IllegalArgumentException("stack limit must be between 4 KiB and 16 GiB: " + bytes);
        }
        core.vmctx.setStackSize(bytes);
    }

    /**
     * Copies the module's code into this Store's own W^X memory and links it. A module with
     * imports needs a {@link Linker}. All or nothing: if it throws, the Store is as before.
     */
    public Instance instantiate(Module module) {
        core.checkOpen();
        if (module == null) throw new IllegalArgumentException("module is null");
        if (!module.compiled().imports.isEmpty()) {
            throw new IllegalArgumentException("module imports %" + module.compiled().imports.get(0).name
                + "; instantiate it through a Linker that defines its hostcalls");
        }
        return instantiate(module, new Hostcall[0]);
    }

    Instance instantiate(Module module, Hostcall[] imports) {
        core.checkOpen();
        if (module.engine() != engine) throw new IllegalArgumentException("module was loaded by another Engine than this Store's");
        LoadedModule m = core.instantiate(module, imports);
        Instance inst = new Instance(this, m);
        m.setHandle(inst);
        instances.add(inst);
        return inst;
    }

    /**
     * Asks for sites to be turned on or off. Safe from any thread. If no thread runs this
     * Store, the sites are patched here and now; if its owner is running, the sites whose
     * state must change are armed with int3 and the owner applies the whole desired state
     * at its next site. The handle completes when that has happened.
     */
    public PatchRequest request(SitePlan plan) {
        if (plan == null) throw new IllegalArgumentException("plan is null");
        return core.request(plan);
    }

    /**
     * Asks the owner to stop at its next site without changing any site's state (every
     * site is armed; the safepoint restores them). Safepoint listeners run there. Completes
     * at once if nobody runs the Store.
     */
    public PatchRequest requestSafepoint() { return core.requestSafepoint(); }

    public void addSafepointListener(SafepointListener l) {
        core.checkOpen();
        if (l == null) throw new IllegalArgumentException("listener is null");
        core.addSafepointListener(l);
    }

    public void removeSafepointListener(SafepointListener l) {
        core.checkOpen();
        core.removeSafepointListener(l);
    }

    /** Number of times the sites of a kind called their hook (the default counting hooks). */
    public long hookHits(SiteKind kind) {
        core.checkOpen();
        return core.vmctx.hookCount(kind);
    }

    /** The instances of this Store, in instantiation order. */
    public List<Instance> instances() {
        core.checkOpen();
        synchronized (instances) {
            return List.copyOf(instances);
        }
    }

    /** How many sites of this Store are on now (in their on form), for the "sites on" gauge. */
    public int sitesOn() { return core.withLock(core.sites::countOnLocked); }

    /** Whether a site of an instance is currently on (its bytes are the on form). */
    public boolean isSiteOn(Instance inst, int siteId) {
        return core.withLock(() -> {
            InstanceSites t = inst == null || inst.store() != this ? null : core.sites.tableOf(inst.loaded());
            if (t == null) throw new IllegalArgumentException("instance does not belong to this Store");
            if (siteId < 0 || siteId >= t.size()) {
                throw new IllegalArgumentException("site " + siteId + " out of range 0.." + (t.size() - 1));
            }
            return t.isOn(siteId);
        });
    }

    // ---- epoch interruption ----

    /**
     * Sets the deadline `ticks` epochs beyond the current one (saturating: a deadline past
     * Long.MAX_VALUE is never). When the Engine's epoch reaches it while the guest runs,
     * the guest stops at its next epoch site (function entry or loop header) and the
     * deadline callback decides. Needs an Engine with epochInterruption(true) and modules
     * compiled with epoch sites.
     */
    public void setEpochDeadline(long ticks) {
        core.checkOpen();
        requireEpochs();
        if (ticks < 0) throw new IllegalArgumentException("deadline ticks must be >= 0: " + ticks);
        core.epoch.setDeadlineTicks(ticks);
    }

    /** The callback that runs when the deadline passes; the default interrupts. */
    public void onEpochDeadline(EpochDeadlineCallback callback) {
        core.checkOpen();
        if (callback == null) throw new IllegalArgumentException("callback is null");
        core.epoch.setCallback(callback);
    }

    /**
     * Interrupts the running guest call now, from any thread, with no ticker needed: the
     * owner unwinds with an INTERRUPT Trap at its next epoch check. An owner blocked in a
     * hostcall (sleep, wait, interruptible I/O) is woken with Thread.interrupt(), and the
     * hostcall's InterruptedException becomes the INTERRUPT Trap.
     *
     * Returns true if the interrupt will take effect. Returns false if no call is running
     * (see interruptCurrentOrNext for a call about to start), or if this Store's code
     * cannot be interrupted: it was compiled without epoch sites, in the POLL comparison
     * mode, or the Engine has no site controller to arm its sites (logged once).
     */
    public boolean interrupt() {
        requireEpochs();
        return core.epoch.interrupt() == EpochState.InterruptResult.DELIVERING;
    }

    /**
     * Interrupts the call running now or, if none is, the next call to start: race-free
     * for a controller that starts a call on one thread and interrupts it from another.
     * Returns false only if this Store's code cannot be interrupted (see interrupt()).
     */
    public boolean interruptCurrentOrNext() {
        requireEpochs();
        return core.epoch.interruptCurrentOrNext() == EpochState.InterruptResult.DELIVERING;
    }

    private void requireEpochs() {
        core.checkOpen();
        if (!engine.epochInterruption()) {
            throw new IllegalStateException("epoch interruption is off: create the Engine with new EngineConfig().epochInterruption(true)");
        }
    }

    /** True while the owner is parked by a yieldFor decision. */
    public boolean isYielded() {
        core.checkOpen();
        return core.epoch.isYielded();
    }

    /** Resumes a guest parked by yieldFor; from any thread. Returns false if none is parked. */
    public boolean resume() {
        core.checkOpen();
        return core.epoch.resume();
    }

    /** Sets the fuel for modules compiled in the FUEL comparison mode; running out traps with out_of_fuel. */
    public void setFuel(long fuel) {
        core.checkOpen();
        if (fuel < 0) throw new IllegalArgumentException("fuel must be >= 0: " + fuel);
        core.setFuel(fuel);
    }

    public long fuelRemaining() { return core.withLock(() -> Math.max(0, core.vmctx.fuel())); }

    public boolean isClosed() { return core.ownership.isClosed(); }

    /**
     * Frees the Store. Fails if a thread runs it; safe to race with calls and with other
     * close() calls (exactly one of them frees it; a call that loses gets "store is closed").
     */
    @Override public void close() {
        core.close();
        cleanable.clean();
        synchronized (instances) {
            instances.clear();
        }
    }

    // ---- package-private: Func, tests, the watcher ----

    long[] invoke(Instance inst, FunctionInfo fn, long[] args) {
        try {
            return core.invoke(inst.loaded(), fn, args);
        } finally {
            // The call's upcalls find this Store and its Instance through weak references.
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(inst);
        }
    }

    Trap takeTrap() { return core.takeTrap(); }

    void checkOpen() { core.checkOpen(); }

    StoreCore core() { return core; }

    /** What the watcher does for this Store; true while a force is outstanding (tests). */
    boolean checkDeadline(long epoch) { return core.epoch.checkDeadline(epoch, System.nanoTime()) >= 0; }

    long epochDeadline() { return core.epoch.deadline(); }

    boolean epochForcePending() { return core.epoch.forcePending(); }

    long forcesMade() { return core.epoch.forcesMade(); }
}
