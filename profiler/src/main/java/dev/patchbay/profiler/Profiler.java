/*
 * Problem: count calls and time functions of a running guest, turned on and off at run
 * time (all functions, some by name, one Store), with no Java on the hot path.
 * Approach: attach() generates the Store's native hooks (NativeProfile, ProfilerStubs) and
 * installs them as the PROFILE_ENTRY and PROFILE_EXIT hooks (RuntimeInternals.setHook). enable()
 * and disable() are site requests (Store.request) for the profile sites of the chosen
 * functions: a running Store applies them at its owner's next site, an idle one at once.
 * The counters only ever grow in native memory; snapshot() reads them, and reset() only
 * moves a Java-side baseline, so nothing races with the owner thread's plain stores.
 *
 * One Profiler per Store: the profiler owns that Store's profile-kind hooks. Instantiate
 * every module before attaching (a later instance has no site table and is not counted).
 * close() turns the sites off, restores the default hooks, waits for the owner to pass a
 * safepoint (so no thread is inside the hook code) and frees the native memory.
 */
package dev.patchbay.profiler;

import dev.patchbay.Instance;
import dev.patchbay.PatchRequest;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.internal.RuntimeInternals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts calls and times functions of one Store through its profile sites, turned on and
 * off while the guest runs; the hooks are native code, so no Java runs per call.
 *
 * <p>Attach it after instantiating the modules to profile: an instance added later is not
 * counted, and {@link #enable()} then refuses. One Profiler per Store (it owns the Store's
 * profile hooks). Thread-safe: {@link #enable()}, {@link #disable()} and {@link
 * #snapshot()} may be called from any thread while the guest runs. Times come from the TSC
 * ({@link TscClock}).
 */
public final class Profiler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Profiler.class.getName());
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Store store;
    private final String storeName;
    private final boolean timing;
    private final NativeProfile nat;
    private final int instanceCount;
    private final Set<String> functionNames = new TreeSet<>();
    private final long[] baseCalls, baseTotal, baseSelf;
    private final List<Counters> counters;
    private final List<Runnable> closeHooks = new ArrayList<>();
    private volatile boolean closed;

    private Profiler(Store store, ProfilerConfig config) {
        this.store = store;
        this.storeName = config.storeNameOrDefault();
        this.timing = config.timing;
        List<Instance> instances = store.instances();
        List<String> modules = new ArrayList<>();
        boolean anySites = false;
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            modules.add(config.moduleNames.getOrDefault(inst, "module-" + i));
            for (FunctionInfo f : inst.module().compiled().functions) functionNames.add(f.name);
            for (PatchSite s : inst.module().compiled().patchSites) anySites |= s.kind == SiteKind.PROFILE_ENTRY;
        }
        if (instances.isEmpty()) throw new IllegalStateException("the Store has no instances yet; instantiate its modules before attaching a Profiler");
        if (!anySites) {
            throw new IllegalStateException("the Store's code has no profile-entry sites; compile with an InstrumentationPlan that includes PROFILE_ENTRY (and PROFILE_EXIT for times)");
        }
        this.instanceCount = instances.size();
        this.nat = new NativeProfile(instances, modules, timing);
        int n = nat.records.size();
        baseCalls = new long[n];
        baseTotal = new long[n];
        baseSelf = new long[n];
        List<Counters> cs = new ArrayList<>();
        for (NativeProfile.Record r : nat.records) cs.add(new Counters(this, r));
        counters = Collections.unmodifiableList(cs);
        RuntimeInternals.setHook(store, SiteKind.PROFILE_ENTRY, nat.entryHook);
        RuntimeInternals.setHook(store, SiteKind.PROFILE_EXIT, nat.exitHook);
    }

    /**
     * Attaches a profiler with default settings (timing on); nothing is counted until
     * {@link #enable()}.
     *
     * @param store a Store whose modules have profile sites, instantiated already
     * @return the profiler
     * @throws IllegalArgumentException if store is null
     * @throws IllegalStateException if the Store is closed, has no instances, or its code
     *         has no profile-entry sites (compile with {@code EngineConfig.profiling(true)})
     */
    public static Profiler attach(Store store) { return attach(store, new ProfilerConfig()); }

    /**
     * Attaches a profiler; nothing is counted until {@link #enable()}.
     *
     * @param store a Store whose modules have profile sites, instantiated already
     * @param config names for reports and metrics, and whether to time calls (null for the defaults)
     * @return the profiler
     * @throws IllegalArgumentException if store is null
     * @throws IllegalStateException if the Store is closed, has no instances, or its code
     *         has no profile-entry sites (compile with {@code EngineConfig.profiling(true)})
     */
    public static Profiler attach(Store store, ProfilerConfig config) {
        if (store == null) throw new IllegalArgumentException("store is null");
        return new Profiler(store, config == null ? new ProfilerConfig() : config);
    }

    /**
     * The profiled Store.
     *
     * @return the Store
     */
    public Store store() { return store; }

    /**
     * The Store's name in reports and metrics ({@link ProfilerConfig#storeName}).
     *
     * @return the name
     */
    public String storeName() { return storeName; }

    /**
     * Whether calls are timed, or only counted ({@link ProfilerConfig#timing}).
     *
     * @return true if timed
     */
    public boolean timing() { return timing; }

    /**
     * Turns profiling on for every function of the Store: a site request, applied by a
     * running owner at its next site.
     *
     * @return the request, done when the sites are on
     * @throws IllegalStateException if the profiler or the Store is closed, or the Store was
     *         instantiated again after the profiler attached
     */
    public PatchRequest enable() { return store.request(plan(SitePlan.on())); }

    /**
     * Turns profiling on for the named functions; the others keep their state.
     *
     * @param functions function names, without the {@code %} sigil
     * @return the request, done when the sites are on
     * @throws IllegalArgumentException if no name is given or the Store has no such function
     * @throws IllegalStateException as {@link #enable()}
     */
    public PatchRequest enable(String... functions) { return store.request(plan(SitePlan.on()).function(checked(functions))); }

    /**
     * Turns profiling off for every function. The counters keep their values.
     *
     * @return the request, done when the sites are off
     * @throws IllegalStateException as {@link #enable()}
     */
    public PatchRequest disable() { return store.request(plan(SitePlan.off())); }

    /**
     * Turns profiling off for the named functions.
     *
     * @param functions function names, without the {@code %} sigil
     * @return the request, done when the sites are off
     * @throws IllegalArgumentException if no name is given or the Store has no such function
     * @throws IllegalStateException as {@link #enable()}
     */
    public PatchRequest disable(String... functions) { return store.request(plan(SitePlan.off()).function(checked(functions))); }

    private SitePlan plan(SitePlan p) {
        checkOpen();
        if (store.instances().size() != instanceCount) {
            throw new IllegalStateException("the Store was instantiated again after the Profiler attached; attach a new Profiler to count the new instance");
        }
        return timing ? p.kind(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT) : p.kind(SiteKind.PROFILE_ENTRY);
    }

    private String[] checked(String... functions) {
        if (functions == null || functions.length == 0) throw new IllegalArgumentException("no function names given");
        for (String f : functions) {
            if (!functionNames.contains(f)) {
                throw new IllegalArgumentException("no function %" + f + " in this Store (functions: " + String.join(", ", functionNames) + ")");
            }
        }
        return functions.clone();
    }

    /**
     * The counters now, minus the baseline of the last {@link #reset()}. Any thread; the
     * owner may be counting meanwhile, so rows are each read at a slightly different time.
     *
     * @return an immutable snapshot
     */
    public ProfileSnapshot snapshot() {
        List<FunctionProfile> rows = new ArrayList<>();
        for (NativeProfile.Record r : nat.records) {
            rows.add(new FunctionProfile(r.function, r.module, nat.calls(r) - baseCalls[r.index],
                TscClock.toNanos(nat.totalTicks(r) - baseTotal[r.index]), TscClock.toNanos(nat.selfTicks(r) - baseSelf[r.index])));
        }
        return new ProfileSnapshot(storeName, timing, rows, nat.header(ProfilerLayout.STALE),
            nat.header(ProfilerLayout.UNMATCHED), nat.header(ProfilerLayout.OVERFLOWS));
    }

    /**
     * Starts the next snapshot from zero. The native counters keep growing (the owner may be
     * writing them); only the baseline moves, so metrics exported from them stay monotonic.
     */
    public synchronized void reset() {
        for (NativeProfile.Record r : nat.records) {
            baseCalls[r.index] = nat.calls(r);
            baseTotal[r.index] = nat.totalTicks(r);
            baseSelf[r.index] = nat.selfTicks(r);
        }
    }

    /**
     * The functions this profiler counts, for exporters: raw monotonic counters. Created once
     * and held here, because Micrometer's function counters hold their objects weakly.
     */
    List<Counters> counters() { return counters; }

    /** Live, monotonic counters of one function (for Micrometer's function counters). */
    static final class Counters {
        final Profiler profiler;
        final NativeProfile.Record record;

        Counters(Profiler profiler, NativeProfile.Record record) {
            this.profiler = profiler;
            this.record = record;
        }

        String function() { return record.function; }

        String module() { return record.module; }

        double calls() { return profiler.nat.calls(record); }

        double totalSeconds() { return TscClock.toNanos(profiler.nat.totalTicks(record)) / 1e9; }

        double selfSeconds() { return TscClock.toNanos(profiler.nat.selfTicks(record)) / 1e9; }
    }

    /**
     * Whether {@link #close()} has run.
     *
     * @return true once closed
     */
    public boolean isClosed() { return closed; }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("Profiler is closed");
    }

    /**
     * Turns the profile sites off, restores the Store's default hooks and frees the native
     * memory once the owner has passed a safepoint. If the owner does not reach one within
     * CLOSE_TIMEOUT (a long hostcall), the memory is left allocated rather than risk freeing
     * code a thread may still execute.
     */
    @Override public void close() {
        List<Runnable> hooks;
        synchronized (this) {
            if (closed) return;
            closed = true;
            try {
                release();
            } finally {
                hooks = new ArrayList<>(closeHooks);
                closeHooks.clear();
            }
        }
        // Outside the lock: a hook removes meters, and a scrape reading them takes locks of
        // its registry, then ours (snapshot, reset).
        for (Runnable h : hooks) h.run();
    }

    /**
     * Runs a hook once this Profiler closes (at once if it has): exporters remove their
     * meters with it.
     */
    void onClose(Runnable hook) {
        synchronized (this) {
            if (!closed) {
                closeHooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    private void release() {
        if (!store.isClosed()) {
            try {
                store.request(SitePlan.off().kind(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT)).await(CLOSE_TIMEOUT);
                RuntimeInternals.setHook(store, SiteKind.PROFILE_ENTRY, 0);
                RuntimeInternals.setHook(store, SiteKind.PROFILE_EXIT, 0);
                if (!store.requestSafepoint().await(CLOSE_TIMEOUT)) {
                    LOG.log(System.Logger.Level.WARNING, "Store " + storeName + " did not reach a safepoint in " + CLOSE_TIMEOUT
                        + "; leaving the profiler's native memory allocated");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.log(System.Logger.Level.WARNING, "interrupted while closing the profiler of " + storeName + "; leaving its native memory allocated");
                return;
            } catch (IllegalStateException e) {
                if (!store.isClosed()) throw e;
            }
        }
        nat.free();
    }

    @Override public String toString() { return "Profiler[" + storeName + ", functions " + Arrays.toString(functionNames.toArray()) + "]"; }
}
