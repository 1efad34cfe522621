/*
 * The shared, thread-safe entry point: it holds configuration, the engine-wide state
 * generated code may read (the epoch counter, for the CHECK comparison mode, and a poll
 * page, for POLL), the fault handler (always: see FaultHandler), the site controller
 * that arms running Stores (unless configured off), and metrics; and it
 * turns compiled code into immutable Modules. Stores hold the per-execution state and
 * keep their Engine reachable, so its native state outlives any code that could read it.
 */
package dev.patchbay;

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
    private final java.nio.ByteBuffer epochView;
    private final EpochWatcher watcher = new EpochWatcher(this);
    private volatile boolean closed;

    public Engine() {
        this(new EngineConfig());
    }

    public Engine(EngineConfig config) {
        // Before anything native: without fault handling a guest fault would crash the JVM.
        FaultHandlerProvider faultProvider = config.faultProvider != null ? config.faultProvider : findFaultHandler();
        Native.checkPlatform();
        long counter = Native.calloc(1, 8);
        int page = Native.pageSize();
        long poll = Native.mmap(0, page, Native.PROT_READ, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS, -1, 0);
        this.epochCounter = counter;
        this.pollPage = poll;
        this.epochView = Native.directBuffer(counter, 8);
        this.epochInterruption = config.epochInterruption;
        CLEANER.register(this, () -> {
            Native.free(counter);
            Native.munmap(poll, page);
        });
        SiteControllerProvider p = config.siteControl ? config.controllerProvider : null;
        if (config.siteControl && p == null) {
            Iterator<SiteControllerProvider> it = ServiceLoader.load(SiteControllerProvider.class, Engine.class.getClassLoader()).iterator();
            if (it.hasNext()) p = it.next();
        }
        this.faults = faultProvider.create();
        try {
            this.controller = p == null ? null : p.create(Store.SAFEPOINT_HANDLER, config.membarrier);
        } catch (RuntimeException | Error e) {
            faults.close();
            throw e;
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

    /** Wraps compiled code as an immutable module image that any Store can instantiate. */
    public Module load(CompiledModule compiled) {
        if (compiled == null) throw new IllegalArgumentException("compiled module is null");
        checkOpen();
        return new Module(this, compiled);
    }

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

    /** Advances the epoch by one. Lock-free and safe from any thread. */
    public void incrementEpoch() {
        Native.LONG_ATOMIC.getAndAdd(epochView, 0, 1L);
        watcher.wake();
    }

    public long currentEpoch() { return (long) Native.LONG_ATOMIC.getVolatile(epochView, 0); }

    EpochWatcher watcher() { return watcher; }

    long pollPageAddress() { return pollPage; }

    void storeOpened() {
        checkOpen();
        liveStores.incrementAndGet();
    }

    void storeClosed() { liveStores.decrementAndGet(); }

    void checkOpen() {
        if (closed) throw new IllegalStateException("Engine is closed");
    }

    /** Releases the site controller and the fault handler (the last Engine closed uninstalls the signal handlers). */
    @Override public void close() {
        if (closed) return;
        if (liveStores.get() > 0) throw new IllegalStateException("cannot close an Engine with " + liveStores.get() + " open Stores");
        closed = true;
        watcher.close();
        if (controller != null) controller.close();
        faults.close();
    }
}
