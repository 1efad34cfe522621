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
import dev.patchbay.internal.nativetools.GdbJit;
import dev.patchbay.internal.nativetools.NativeTools;
import dev.patchbay.internal.nativetools.PerfJitdump;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.FaultHandler;
import dev.patchbay.spi.FaultHandlerProvider;
import dev.patchbay.spi.SiteController;
import dev.patchbay.spi.SiteControllerProvider;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared, thread-safe entry point, like a Wasmtime {@code Engine}: it holds the
 * configuration, the epoch counter, the fault handler and the site controller, and turns
 * compiled code into {@link Module}s that any of its {@link Store}s can instantiate.
 *
 * <p>Every method is safe from any thread. Creating an Engine installs Patchbay's signal
 * handlers (the first one in the process does), which needs {@code
 * dev.patchbay:patchbay-signal-handler} at run time. Close it when its Stores are closed;
 * one dropped without {@code close()} is released by a Cleaner once it and its Stores are
 * unreachable.
 */
public final class Engine implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Native u64 epoch counter (8-byte aligned, from malloc). */
    private final long epochCounter;
    /** A readable page for the POLL comparison mode. */
    private final long pollPage;
    private final SiteController controller;
    private final FaultHandler faults;
    private final NativeTools nativeTools;
    private final SiteMetrics siteMetrics = new SiteMetrics();
    private final EpochMetrics epochMetrics = new EpochMetrics();
    private final java.util.concurrent.CopyOnWriteArrayList<RuntimeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger liveStores = new AtomicInteger();
    private final boolean epochInterruption;
    private final boolean threadInterrupts;
    private final boolean profiling;
    private final dev.patchbay.codegen.OptLevel optLevel;
    private final int loopAlign;
    private final java.nio.ByteBuffer epochView;
    private final EpochWatcher watcher;
    @SuppressWarnings("unused") // registered for its side effect: frees the native state when unreachable
    private final Cleaner.Cleanable cleanable;
    private final Released released;
    private volatile boolean closed;

    /**
     * An Engine with the default configuration: no epoch interruption, no profile sites,
     * the site controller ServiceLoader finds.
     *
     * @throws IllegalStateException if no fault handler is on the class or module path
     *         (the message names the missing artifact)
     * @throws UnsupportedOperationException if the platform is not Linux on x86-64
     */
    public Engine() {
        this(new EngineConfig());
    }

    /**
     * An Engine with a configuration, which is read now: changing the config later does not
     * change this Engine.
     *
     * @param config the configuration
     * @throws IllegalArgumentException if config is null, or asks for thread interrupts
     *         without epoch interruption
     * @throws IllegalStateException if no fault handler is on the class or module path, or
     *         epoch interruption is on and no site controller is there (unless the config
     *         says noSiteController); the message names the missing artifact
     * @throws UnsupportedOperationException if the platform is not Linux on x86-64
     */
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
        // Fail loudly: epoch sites that nothing can arm would make interrupt() and deadlines
        // do nothing to a running guest. Without a controller on purpose, say so.
        if (config.epochInterruption && config.siteControl && p == null) {
            throw new IllegalStateException("epoch interruption needs a site controller, and none is on the class path: add "
                + SIGNAL_HANDLER_ARTIFACT + " (or depend on dev.patchbay:patchbay), or call EngineConfig.noSiteController() "
                + "to run without one (code then checks the epoch itself, in the CHECK mode)");
        }
        // The fault handler and the controller first: they are what may refuse (membarrier
        // unsupported, say), and nothing native of ours is allocated until they have not.
        // The jitdump file first: a directory that cannot be written is the user's error.
        NativeTools tools = nativeTools(config);
        FaultHandler f;
        SiteController c;
        try {
            f = faultProvider.create();
        } catch (RuntimeException | Error e) {
            tools.close();
            throw e;
        }
        try {
            c = p == null ? null : p.create(Store.SAFEPOINT_HANDLER, config.membarrier);
        } catch (RuntimeException | Error e) {
            f.close();
            tools.close();
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
            tools.close();
            throw e;
        }
        this.nativeTools = tools;
        this.faults = f;
        this.controller = c;
        this.epochCounter = counter;
        this.pollPage = poll;
        this.epochView = Native.directBuffer(counter, 8);
        this.epochInterruption = config.epochInterruption;
        this.threadInterrupts = config.threadInterrupts;
        this.profiling = config.profiling;
        this.optLevel = config.optLevel;
        this.loopAlign = config.loopAlign;
        EpochWatcher w = new EpochWatcher(epochView);
        this.watcher = w;
        this.released = new Released(w, c, f, tools);
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
        // Once per JVM: the interrupt path's classes and call sites, off the first interrupt.
        if (epochInterruption && c != null) InterruptPathWarmup.once();
    }

    /** What close() gives back at once; the memory waits for the Cleaner. Runs once. */
    private static final class Released implements Runnable {
        private final EpochWatcher watcher;
        private final SiteController controller;
        private final FaultHandler faults;
        private final NativeTools tools;
        private boolean done;

        Released(EpochWatcher watcher, SiteController controller, FaultHandler faults, NativeTools tools) {
            this.watcher = watcher;
            this.controller = controller;
            this.faults = faults;
            this.tools = tools;
        }

        @Override public synchronized void run() {
            if (done) return;
            done = true;
            watcher.close();
            if (controller != null) controller.close();
            faults.close();
            tools.close();
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

    /** The native tools the config asks for: perf's jitdump, then gdb's JIT interface. */
    private static NativeTools nativeTools(EngineConfig config) {
        java.util.List<NativeTools> ts = new java.util.ArrayList<>();
        if (config.perfJitdumpDirectory != null) ts.add(new PerfJitdump(config.perfJitdumpDirectory));
        if (config.gdbJit) {
            try {
                ts.add(new GdbJit());
            } catch (RuntimeException | Error e) {
                for (NativeTools t : ts) t.close();
                throw e;
            }
        }
        return NativeTools.all(ts);
    }

    /** What native tools (perf's jitdump, gdb's JIT interface) are told about code the Stores map. */
    NativeTools nativeTools() { return nativeTools; }

    /**
     * Wraps code compiled by codegen's {@code Compiler} as an immutable module that any
     * Store of this Engine can instantiate. Most users call {@link Module#fromClif} or
     * {@link Module#fromFile} instead, which compile with {@link #compileOptions()}.
     *
     * @param compiled the compiled code
     * @return the module
     * @throws IllegalArgumentException if compiled is null; or, in an Engine with epoch
     *         interruption, if the code could not be stopped by {@link Store#interrupt()}
     *         and deadlines: compiled without epoch sites, or in the POLL comparison mode
     * @throws IllegalStateException if the Engine is closed
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
     * The options {@link Module#fromClif} and {@link Module#fromFile} compile with: epoch
     * sites if epoch interruption is on, profile-entry and profile-exit sites if profiling
     * is on, and codegen's defaults otherwise, at the configured {@link EngineConfig#optLevel} and {@link EngineConfig#loopAlign}. Epoch sites are fused branches that a
     * controller arms; an Engine without a site controller (EngineConfig.noSiteController)
     * gets the CHECK mode instead, which compares the epoch in the code itself, so that
     * interrupt() can still stop its guests.
     *
     * @return the options
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
        // A loop header is aligned within its function, so the function is aligned at least
        // as much: then the header's address in the code mapping is aligned too.
        return CompileOptions.builder().plan(plan).optLevel(optLevel).loopAlign(loopAlign)
            .functionAlign(Math.max(CompileOptions.defaults().functionAlign(), loopAlign)).build();
    }

    /**
     * Whether modules this Engine compiles get profile sites ({@link EngineConfig#profiling}).
     *
     * @return true if profiling is on
     */
    public boolean profiling() { return profiling; }

    /** The controller that arms running Stores, or null if none is configured. */
    SiteController controller() { return controller; }

    /**
     * Whether a site controller arms running Stores. Without one, a site request to a
     * running Store waits for the owner to leave guest code, and {@link Store#interrupt()}
     * returns false.
     *
     * @return true if this Engine has a site controller
     */
    public boolean hasSiteController() { return controller != null; }

    /**
     * The counters of site requests, arming and patching over all of this Engine's Stores.
     *
     * @return the live counters (the same object every time)
     */
    public SiteMetrics siteMetrics() { return siteMetrics; }

    /**
     * The counters of epoch deadlines and interrupts over all of this Engine's Stores.
     *
     * @return the live counters (the same object every time)
     */
    public EpochMetrics epochMetrics() { return epochMetrics; }

    /**
     * How many Stores of this Engine are open.
     *
     * @return Stores created and not yet closed (or reclaimed)
     */
    public int liveStores() { return liveStores.get(); }

    /**
     * Adds a listener to the events of every Store of this Engine.
     *
     * @param l the listener; it runs on the thread where each event happens
     * @throws IllegalArgumentException if l is null (it would fail later, on a guest thread)
     */
    public void addListener(RuntimeListener l) {
        if (l == null) throw new IllegalArgumentException("listener is null");
        listeners.add(l);
    }

    /**
     * Removes a listener; one that is not there is ignored.
     *
     * @param l the listener
     */
    public void removeListener(RuntimeListener l) { listeners.remove(l); }

    Iterable<RuntimeListener> listeners() { return listeners; }

    boolean hasListeners() { return !listeners.isEmpty(); }

    long epochCounterAddress() { return epochCounter; }

    /**
     * Whether epoch interruption is on ({@link EngineConfig#epochInterruption}).
     *
     * @return true if it is
     */
    public boolean epochInterruption() { return epochInterruption; }

    /** EngineConfig.interruptOnThreadInterrupt: Thread.interrupt() of an owner interrupts its guest. */
    boolean threadInterrupts() { return threadInterrupts; }

    /**
     * Advances the epoch by one, which is what makes epoch deadlines pass; {@link
     * EpochTicker} calls it at a fixed period. Lock-free. Harmless after {@link #close()}.
     */
    public void incrementEpoch() {
        Native.LONG_ATOMIC.getAndAdd(epochView, 0, 1L);
        watcher.wake();
    }

    /**
     * The current epoch: how many times {@link #incrementEpoch()} has run.
     *
     * @return the epoch
     */
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
     * last Engine closed uninstalls the signal handlers). After {@code close()}, {@link
     * #load} and {@code new Store(engine)} throw {@code IllegalStateException("Engine is
     * closed")}; the epoch counter stays readable (and {@link #incrementEpoch()} harmless)
     * until the Engine is unreachable, so a ticker racing {@code close()} never touches
     * freed memory. Closing a closed Engine does nothing.
     *
     * @throws IllegalStateException if Stores of this Engine are open
     */
    @Override public synchronized void close() {
        if (closed) return;
        if (liveStores.get() > 0) throw new IllegalStateException("cannot close an Engine with " + liveStores.get() + " open Stores");
        closed = true;
        released.run();
    }

    /**
     * Whether {@link #close()} has run.
     *
     * @return true once closed
     */
    public boolean isClosed() { return closed; }
}
