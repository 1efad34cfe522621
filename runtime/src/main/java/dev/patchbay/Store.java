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
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.internal.RuntimeInternals;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One guest execution context, like a Wasmtime {@code Store}: the native state generated
 * code runs against, a private copy of each instantiated module's code, and the state of
 * its patch sites, epoch deadline and fuel.
 *
 * <p><b>Threads.</b> One thread at a time runs guest code in a Store: the thread inside
 * {@link Func#call} is its <em>owner</em>, and a second thread that calls into it gets an
 * {@link IllegalStateException} naming the owner. {@link #request}, {@link
 * #requestSafepoint()}, {@link #interrupt()}, {@link #interruptCurrentOrNext()}, {@link
 * #resume()}, {@link #isYielded()}, {@link #sitesOn()}, {@link #isSiteOn}, {@link
 * #close()} and {@link #isClosed()} are safe from any thread at any time; every other
 * method belongs to the owner, or to any thread while no call runs.
 *
 * <p><b>Closing.</b> After {@link #close()}, every method but {@code close()} and {@code
 * isClosed()}, and every method of the Store's Instances and Funcs, throws {@code
 * IllegalStateException("store is closed")}. A Store dropped without {@code close()} is
 * freed by a Cleaner once it is unreachable; a call in progress keeps it reachable.
 */
public final class Store implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    static {
        // The raw-address operations (native hooks, the vmctx, stack walks from a PC) are
        // not public API: Patchbay's own modules reach them through RuntimeInternals.
        RuntimeInternals.install(new StoreInternalAccess());
    }

    /** The guest stack budget of a new Store, in bytes (256 KiB): it fits inside a default 1 MiB Java thread stack. */
    public static final long DEFAULT_STACK_BYTES = 256 * 1024;
    /** The largest guest stack budget {@link #setStackLimit} accepts, in bytes (16 GiB). */
    public static final long MAX_STACK_BYTES = 1L << 34;

    private final Engine engine;
    private final StoreCore core;
    private final Cleaner.Cleanable cleanable;
    private final List<Instance> instances = Collections.synchronizedList(new ArrayList<>());

    /**
     * Creates a Store of an Engine. It counts against the Engine until closed ({@link
     * Engine#liveStores()}), and holds the Engine's native state alive. Nothing is
     * allocated if it throws.
     *
     * @param engine the Engine whose modules this Store instantiates
     * @throws IllegalArgumentException if engine is null
     * @throws IllegalStateException if the Engine is closed ("Engine is closed")
     */
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

    /**
     * The Engine this Store belongs to.
     *
     * @return the Engine
     * @throws IllegalStateException if the Store is closed
     */
    public Engine engine() {
        core.checkOpen();
        return engine;
    }

    /**
     * Sets the guest stack budget: how far below the call's entry the guest may grow its
     * stack. A guest that needs more traps with {@code stk_ovf}. Owner thread, or any
     * thread while no call runs.
     *
     * @param bytes the budget in bytes, from 4096 to {@link #MAX_STACK_BYTES}
     * @throws IllegalArgumentException if bytes is out of that range
     * @throws IllegalStateException if the Store is closed
     */
    public void setStackLimit(long bytes) {
        core.checkOpen();
        if (bytes < 4096 || bytes > MAX_STACK_BYTES) {
            throw new IllegalArgumentException("stack limit must be between 4 KiB and 16 GiB: " + bytes);
        }
        core.vmctx.setStackSize(bytes);
    }

    /**
     * Instantiates a module that has no imports: copies its code into this Store's own W^X
     * memory and links it. A module with imports needs a {@link Linker}. All or nothing: if
     * it throws, the Store is as before. Owner thread, or any thread while no call runs.
     *
     * @param module a module of this Store's Engine
     * @return the new instance
     * @throws IllegalArgumentException if module is null, imports hostcalls, or was loaded
     *         by another Engine
     * @throws IllegalStateException if the Store is closed, or another thread runs it
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
        for (ImportInfo imp : module.compiled().imports) {
            // A Hostcall returns one value: the other results would be whatever the buffer held.
            if (imp.signature.returns.size() > 1 && !(imports[imp.index] instanceof MultiValueHostcall)) {
                throw new IllegalArgumentException("module imports %" + imp.name + imp.signature + ", which returns "
                    + imp.signature.returns.size() + " values, but a Hostcall returns one");
            }
        }
        LoadedModule m = core.instantiate(module, imports);
        Instance inst = new Instance(this, m);
        m.setHandle(inst);
        instances.add(inst);
        return inst;
    }

    /**
     * Asks for sites to be turned on or off; any thread. If no thread runs this Store, the
     * sites are patched here and now and the request is done when this returns. If its
     * owner is running, the sites whose state must change are armed (one {@code int3} byte
     * each) and the owner applies the whole desired state at its next site; without a site
     * controller ({@link Engine#hasSiteController()}), when its call ends.
     *
     * @param plan which sites, and on or off
     * @return a handle that completes when the owner has applied this request or a newer one
     * @throws IllegalArgumentException if plan is null
     * @throws IllegalStateException if the Store is closed
     */
    public PatchRequest request(SitePlan plan) {
        if (plan == null) throw new IllegalArgumentException("plan is null");
        return core.request(plan);
    }

    /**
     * Asks the owner to stop at its next site without changing any site's state: every site
     * is armed, and the safepoint restores them. The {@link SafepointListener}s run there.
     * Any thread.
     *
     * @return a handle that completes at that safepoint, or at once if no call runs
     * @throws IllegalStateException if the Store is closed
     */
    public PatchRequest requestSafepoint() { return core.requestSafepoint(); }

    /**
     * Adds a listener that runs on the owner thread at every safepoint of this Store (see
     * {@link SafepointListener}). Any thread; it hears the safepoints after this returns.
     *
     * @param l the listener; adding it twice makes it run twice
     * @throws IllegalArgumentException if l is null
     * @throws IllegalStateException if the Store is closed
     */
    public void addSafepointListener(SafepointListener l) {
        core.checkOpen();
        if (l == null) throw new IllegalArgumentException("listener is null");
        core.addSafepointListener(l);
    }

    /**
     * Removes a listener added with {@link #addSafepointListener}; one that is not there is
     * ignored. Any thread; a safepoint already running it may still call it once.
     *
     * @param l the listener
     * @throws IllegalStateException if the Store is closed
     */
    public void removeSafepointListener(SafepointListener l) {
        core.checkOpen();
        core.removeSafepointListener(l);
    }

    /**
     * How many times the sites of a kind have called the default counting hook, which every
     * kind has until something else takes it (the profiler takes the profile kinds; an
     * Engine with epoch interruption, the EPOCH kind). Monotonic.
     *
     * @param kind the site kind
     * @return the count
     * @throws IllegalStateException if the Store is closed
     */
    public long hookHits(SiteKind kind) {
        core.checkOpen();
        return core.vmctx.hookCount(kind);
    }

    /**
     * The instances of this Store, in instantiation order.
     *
     * @return an unmodifiable snapshot, which later instantiations do not change
     * @throws IllegalStateException if the Store is closed
     */
    public List<Instance> instances() {
        core.checkOpen();
        synchronized (instances) {
            return List.copyOf(instances);
        }
    }

    /**
     * How many sites of this Store are on now (in their on form), for a "sites on" gauge.
     * Any thread.
     *
     * @return the number of sites on, over all instances
     * @throws IllegalStateException if the Store is closed
     */
    public int sitesOn() { return core.withLock(core.sites::countOnLocked); }

    /**
     * Whether a site of an instance is on now, that is, its bytes are in the on form. Any
     * thread.
     *
     * @param inst an instance of this Store
     * @param siteId the site's id in the instance's module ({@code PatchSite.id})
     * @return true if the site is on
     * @throws IllegalArgumentException if inst is not an instance of this Store, or siteId
     *         is out of range
     * @throws IllegalStateException if the Store is closed
     */
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
     * Sets the epoch deadline {@code ticks} epochs beyond the Engine's current one
     * (saturating: a deadline past {@code Long.MAX_VALUE} is never). When the epoch reaches
     * it while the guest runs, the guest stops at its next epoch site (function entry or
     * loop back edge) and the {@link #onEpochDeadline deadline callback} decides. Owner
     * thread, or any thread while no call runs.
     *
     * @param ticks epochs from now; 0 means at the next epoch check
     * @throws IllegalArgumentException if ticks is negative
     * @throws IllegalStateException if the Store is closed, or the Engine does not have
     *         epoch interruption on
     */
    public void setEpochDeadline(long ticks) {
        core.checkOpen();
        requireEpochs();
        if (ticks < 0) throw new IllegalArgumentException("deadline ticks must be >= 0: " + ticks);
        core.epoch.setDeadlineTicks(ticks);
    }

    /**
     * Sets what runs on the owner thread when the epoch deadline passes: it decides whether
     * the guest is interrupted, continues or yields. Without one, the guest is interrupted.
     *
     * @param callback the callback, which replaces the previous one
     * @throws IllegalArgumentException if callback is null
     * @throws IllegalStateException if the Store is closed
     */
    public void onEpochDeadline(EpochDeadlineCallback callback) {
        core.checkOpen();
        if (callback == null) throw new IllegalArgumentException("callback is null");
        core.epoch.setCallback(callback);
    }

    /**
     * Interrupts the running guest call now, from any thread, with no ticker needed: the
     * owner unwinds with an INTERRUPT {@link Trap} at its next epoch check. An owner blocked
     * in a hostcall (sleep, wait, interruptible I/O) is woken with {@link Thread#interrupt()},
     * and the hostcall's {@link InterruptedException} becomes the Trap's cause. The interrupt
     * names the call running now: it never stops a later one.
     *
     * @return true if the interrupt will take effect; false if no call is running (see
     *         {@link #interruptCurrentOrNext()} for a call about to start), or if this
     *         Store's code cannot be interrupted: compiled without epoch sites, in the POLL
     *         comparison mode, or with no site controller to arm its sites (logged once)
     * @throws IllegalStateException if the Store is closed, or the Engine does not have
     *         epoch interruption on
     */
    public boolean interrupt() {
        requireEpochs();
        return core.epoch.interrupt() == EpochState.InterruptResult.DELIVERING;
    }

    /**
     * Interrupts the call running now or, if none is, the next call to start: race-free
     * for a controller that starts a call on one thread and interrupts it from another,
     * where {@link #interrupt()} could run just before the call starts and find nothing to
     * stop. Any thread.
     *
     * @return true if the interrupt will take effect; false only if this Store's code
     *         cannot be interrupted (see {@link #interrupt()})
     * @throws IllegalStateException if the Store is closed, or the Engine does not have
     *         epoch interruption on
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

    /**
     * Whether the owner is parked by an {@link EpochDecision#yieldFor} decision, waiting
     * for {@link #resume()}. Any thread.
     *
     * @return true while it is parked
     * @throws IllegalStateException if the Store is closed
     */
    public boolean isYielded() {
        core.checkOpen();
        return core.epoch.isYielded();
    }

    /**
     * Resumes a guest parked by {@link EpochDecision#yieldFor}. Any thread.
     *
     * @return true if a parked guest was resumed, false if none was parked
     * @throws IllegalStateException if the Store is closed
     */
    public boolean resume() {
        core.checkOpen();
        return core.epoch.resume();
    }

    /**
     * Sets the fuel of code compiled in the FUEL epoch mode, a counter the code decrements
     * per block it runs; a guest that runs out traps with {@code out_of_fuel}. Code in
     * other modes ignores it. Owner thread, or any thread while no call runs.
     *
     * @param fuel the fuel units
     * @throws IllegalArgumentException if fuel is negative
     * @throws IllegalStateException if the Store is closed, or another thread runs a call
     *         in it (its code would overwrite the new fuel)
     */
    public void setFuel(long fuel) {
        core.checkOpen();
        if (fuel < 0) throw new IllegalArgumentException("fuel must be >= 0: " + fuel);
        core.setFuel(fuel);
    }

    /**
     * The fuel left (see {@link #setFuel}).
     *
     * @return the fuel units left, never negative
     * @throws IllegalStateException if the Store is closed
     */
    public long fuelRemaining() { return core.withLock(() -> Math.max(0, core.vmctx.fuel())); }

    /**
     * Whether {@link #close()} has freed this Store. Any thread.
     *
     * @return true once closed
     */
    public boolean isClosed() { return core.ownership.isClosed(); }

    /**
     * Frees the Store: its code copies, its native state, and its pending requests, which
     * fail. Any thread; safe to race with calls and with other {@code close()} calls
     * (exactly one of them frees it; a call that loses gets "store is closed"). Closing a
     * closed Store does nothing.
     *
     * @throws IllegalStateException if a thread is running the Store ("cannot close a Store
     *         while thread 'name' runs it")
     */
    @Override public void close() {
        boolean closedNow = core.close();
        cleanable.clean();
        synchronized (instances) {
            instances.clear();
        }
        // Only the close that freed the Store reports it, so each Store is reported once.
        if (closedNow) for (RuntimeListener l : engine.listeners()) l.onStoreClosed(this);
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

    /**
     * This Store's debugger: breakpoints, logpoints and stops (see {@link dev.patchbay.debug}).
     * Until a breakpoint is set the code runs exactly as without it; once made, a guest
     * {@code debugtrap} still becomes a {@code debug} Trap, by way of the runtime.
     *
     * @return the one debugger of this Store, made on first call
     * @throws IllegalStateException if the Store is closed
     */
    public dev.patchbay.debug.Debugger debugger() {
        core.checkOpen();
        return core.debugger();
    }

    void checkOpen() { core.checkOpen(); }

    StoreCore core() { return core; }

    /** What the watcher does for this Store; true while a force is outstanding (tests). */
    boolean checkDeadline(long epoch) { return core.epoch.checkDeadline(epoch, System.nanoTime()) >= 0; }

    long epochDeadline() { return core.epoch.deadline(); }

    boolean epochForcePending() { return core.epoch.forcePending(); }

    long forcesMade() { return core.epoch.forcesMade(); }
}
