/*
 * The shared, thread-safe entry point: it holds configuration, the engine-wide state
 * generated code may read (the epoch counter, for the CHECK comparison mode, and a poll
 * page, for POLL), the fault handler (always: see FaultHandler), the site controller
 * that arms running Stores (unless configured off), and metrics; and it
 * turns compiled code into immutable Modules. Stores hold the per-execution state and
 * keep their Engine reachable, so its native state outlives any code that could read it.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.FaultHandler;
import dev.patchbay.spi.FaultHandlerProvider;
import dev.patchbay.spi.SiteController;
import dev.patchbay.spi.SiteControllerProvider;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;

public final class Engine implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Native u64 epoch counter (8-byte aligned, from malloc). */
    private final long epochCounter;
    /** A readable page for the POLL comparison mode. */
    private final long pollPage;
    private final SiteController controller;
    private final FaultHandler faults;
    private final SiteMetrics siteMetrics = new SiteMetrics();
    private final EpochMetrics epochMetrics = new EpochMetrics();
    private final java.util.concurrent.CopyOnWriteArrayList<RuntimeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger liveStores = new AtomicInteger();
    private final boolean epochInterruption;
    private final boolean threadInterrupts;
    private final boolean profiling;
    private final java.nio.ByteBuffer epochView;
    private final EpochWatcher watcher;
    @SuppressWarnings("unused") // registered for its side effect: frees the native state when unreachable
    private final Cleaner.Cleanable cleanable;
    private final Released released;
    private volatile boolean closed;

    public Engine() {
        this(new EngineConfig());
    }

    public Engine(EngineConfig config) {
        if (config == null) throw new IllegalArgumentException("config is null");
        if (config.threadInterrupts && !config.epochInterruption) {
            throw new IllegalArgumentException("interruptOnThreadInterrupt(true) needs epochInterruption(true): without epoch sites nothing can stop the guest");
        }
        // Before anything native: without fault handling a guest fault would crash the JVM.
        FaultHandlerProvider faultProvider = config.faultProvider != null ? config.faultProvider : findFaultHandler();
        Native.checkPlatform();
        SiteControllerProvider p = config.siteControl ? config.controllerProvider : null;
        if (config.siteControl && p == null) {
            Iterator<SiteControllerProvider> it = ServiceLoader.load(SiteControllerProvider.class, Engine.class.getClassLoader()).iterator();
            if (it.hasNext()) p = it.next();
        }
        // The fault handler and the controller first: they are what may refuse (membarrier
        // unsupported, say), and nothing native of ours is allocated until they have not.
        FaultHandler f = faultProvider.create();
        SiteController c;
        try {
            c = p == null ? null : p.create(Store.SAFEPOINT_HANDLER, config.membarrier);
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
        long counter = 0, poll = 0;
        int page = Native.pageSize();
        try {
            counter = Native.calloc(1, 8);
            poll = Native.mmap(0, page, Native.PROT_READ, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS, -1, 0);
        } catch (RuntimeException | Error e) {
            if (counter != 0) Native.free(counter);
            if (c != null) c.close();
            f.close();
            throw e;
        }
        this.faults = f;
        this.controller = c;
        this.epochCounter = counter;
        this.pollPage = poll;
        this.epochView = Native.directBuffer(counter, 8);
        this.epochInterruption = config.epochInterruption;
        this.threadInterrupts = config.threadInterrupts;
        this.profiling = config.profiling;
        EpochWatcher w = new EpochWatcher(epochView);
        this.watcher = w;
        this.released = new Released(w, c, f);
        Released r = released;
        long pollPageAddr = poll, counterAddr = counter;
        // Nothing here refers to this Engine, so an Engine dropped without close() is
        // reclaimed once its Stores are: the watcher thread stops, the controller and the
        // fault handler are released, and only then is the memory that generated code
        // reads given back.
        this.cleanable = CLEANER.register(this, () -> {
            r.run();
            Native.free(counterAddr);
            Native.munmap(pollPageAddr, page);
        });
    }

    /** What close() gives back at once; the memory waits for the Cleaner. Runs once. */
    private static final class Released implements Runnable {
        private final EpochWatcher watcher;
        private final SiteController controller;
        private final FaultHandler faults;
        private boolean done;

        Released(EpochWatcher watcher, SiteController controller, FaultHandler faults) {
            this.watcher = watcher;
            this.controller = controller;
            this.faults = faults;
        }

        @Override public synchronized void run() {
            if (done) return;
            done = true;
            watcher.close();
            if (controller != null) controller.close();
            faults.close();
        }
    }

    /** The artifact that provides fault handling, named in the error when it is missing. */
    static final String SIGNAL_HANDLER_ARTIFACT = "dev.patchbay:patchbay-signal-handler";

    private static FaultHandlerProvider findFaultHandler() {
        Iterator<FaultHandlerProvider> it = ServiceLoader.load(FaultHandlerProvider.class, Engine.class.getClassLoader()).iterator();
        if (it.hasNext()) return it.next();
        throw new IllegalStateException("no fault handler on the class path: add " + SIGNAL_HANDLER_ARTIFACT
            + " (it installs the signal handlers that turn guest faults into Traps; without them a guest fault, such"
            + " as a load from address 0, would crash the JVM)");
    }

    /** The fault handling every Engine has: code regions are registered with it. */
    FaultHandler faults() { return faults; }

    /**
     * Wraps compiled code as an immutable module image that any Store can instantiate. An
     * Engine with epoch interruption refuses code that interrupt() and deadlines could not
     * stop: code compiled without epoch sites, or in the POLL comparison mode.
     */
    public Module load(CompiledModule compiled) {
        if (compiled == null) throw new IllegalArgumentException("compiled module is null");
        checkOpen();
        if (epochInterruption) {
            switch (compiled.epochMode) {
                case NONE:
                    throw new IllegalArgumentException("module has no epoch sites, but this Engine has epoch interruption on: "
                        + "compile it with a plan that includes SiteKind.EPOCH (InstrumentationPlan.of(SiteKind.EPOCH)), "
                        + "or use Module.fromClif, which compiles what the Engine needs");
                case POLL:
                    throw new IllegalArgumentException("module uses the POLL comparison mode, which epoch interruption cannot stop "
                        + "(its poll page is never protected): compile it with FUSED, NOP, CHECK or FUEL epoch sites");
                default:
                    break;
            }
        }
        return new Module(this, compiled);
    }

    /**
     * What Module.fromClif compiles with: the sites this Engine's config asks for. Epoch
     * sites are fused branches that a controller arms; an Engine without a site controller
     * (EngineConfig.noSiteController) gets the CHECK mode instead, which compares the
     * epoch in the code itself, so that interrupt() can still stop its guests.
     */
    public CompileOptions compileOptions() {
        java.util.EnumSet<SiteKind> kinds = java.util.EnumSet.noneOf(SiteKind.class);
        if (epochInterruption) kinds.add(SiteKind.EPOCH);
        if (profiling) {
            kinds.add(SiteKind.PROFILE_ENTRY);
            kinds.add(SiteKind.PROFILE_EXIT);
        }
        InstrumentationPlan plan = InstrumentationPlan.of(kinds.toArray(new SiteKind[0]));
        if (epochInterruption && controller == null) plan = plan.withEpochMode(EpochMode.CHECK);
        return CompileOptions.builder().plan(plan).build();
    }

    public boolean profiling() { return profiling; }

    /** The controller that arms running Stores, or null if none is configured. */
    SiteController controller() { return controller; }

    public boolean hasSiteController() { return controller != null; }

    public SiteMetrics siteMetrics() { return siteMetrics; }

    public EpochMetrics epochMetrics() { return epochMetrics; }

    /** Stores created from this Engine and not yet closed. */
    public int liveStores() { return liveStores.get(); }

    public void addListener(RuntimeListener l) { listeners.add(l); }

    public void removeListener(RuntimeListener l) { listeners.remove(l); }

    Iterable<RuntimeListener> listeners() { return listeners; }

    long epochCounterAddress() { return epochCounter; }

    public boolean epochInterruption() { return epochInterruption; }

    /** EngineConfig.interruptOnThreadInterrupt: Thread.interrupt() of an owner interrupts its guest. */
    boolean threadInterrupts() { return threadInterrupts; }

    /** Advances the epoch by one. Lock-free and safe from any thread. */
    public void incrementEpoch() {
        Native.LONG_ATOMIC.getAndAdd(epochView, 0, 1L);
        watcher.wake();
    }

    public long currentEpoch() { return (long) Native.LONG_ATOMIC.getVolatile(epochView, 0); }

    EpochWatcher watcher() { return watcher; }

    long pollPageAddress() { return pollPage; }

    synchronized void storeOpened() {
        checkOpen();
        liveStores.incrementAndGet();
    }

    void storeClosed() { liveStores.decrementAndGet(); }

    void checkOpen() {
        if (closed) throw new IllegalStateException("Engine is closed");
    }

    /**
     * Stops the epoch watcher and releases the site controller and the fault handler (the
     * last Engine closed uninstalls the signal handlers). Fails while Stores of this Engine
     * are open. After close(), load() and new Store(engine) throw; the epoch counter stays
     * readable (and incrementEpoch harmless) until the Engine is unreachable, so a ticker
     * racing close() never touches freed memory.
     */
    @Override public synchronized void close() {
        if (closed) return;
        if (liveStores.get() > 0) throw new IllegalStateException("cannot close an Engine with " + liveStores.get() + " open Stores");
        closed = true;
        released.run();
    }

    public boolean isClosed() { return closed; }
}
