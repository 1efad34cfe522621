/*
 * Problem: export per-function profiles through Micrometer, so any registry (Prometheus,
 * JMX, ...) sees them, without a Java hook on the guest's hot path, and without the
 * registry outliving the Stores it describes.
 * Approach: function counters that read the Profiler's native counters when the registry
 * collects (Micrometer calls the read functions on scrape). Names follow Micrometer's
 * conventions (dotted lowercase, base units):
 *
 *   patchbay.function.calls       calls                       {function, module, store}
 *   patchbay.function.time        inclusive time, seconds     {function, module, store}
 *   patchbay.function.self.time   exclusive time, seconds     {function, module, store}
 *   patchbay.function.samples     sampler hits as innermost frame, when a SamplingProfiler
 *                                 or a SignalSampler is given {function, module, store}
 *
 * Invariants:
 *  1 the counters only grow while they are registered: Profiler.reset() moves a Java
 *    baseline for snapshots, not these, and a closed Profiler's counters read their last
 *    values (NativeProfile freezes them before freeing), never 0, which a Prometheus
 *    rate() would take for a counter reset;
 *  2 the meters go when the binder or its Profiler closes, so a registry that sees many
 *    short-lived Stores holds the meters of the live ones only (BoundMeters);
 *  3 two Profilers with the same store name cannot share one registry: the second bind
 *    fails instead of silently reading the first Store's counters.
 */
package dev.patchbay.profiler;

import dev.patchbay.Store;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.ToDoubleFunction;

/**
 * Exports a Profiler's per-function calls and times, and optionally a sampler's samples, as
 * Micrometer function counters read from the native counters on each scrape: {@code
 * patchbay.function.calls}, {@code .time} and {@code .self.time} (seconds), and {@code
 * .samples}, tagged with function, module and store. They only grow: {@link
 * Profiler#reset()} does not move them, and once the Profiler is closed they keep their
 * last values until they are removed.
 *
 * <p>The meters are removed from every registry they were bound to when this binder or the
 * Profiler closes, so a registry outliving many Stores holds the meters of live Profilers
 * only. Each Profiler bound to one registry needs its own store name ({@link
 * ProfilerConfig#storeName}): binding a second one with the same name throws.
 */
public final class ProfilerMeterBinder implements MeterBinder, AutoCloseable {
    private final Profiler profiler;
    /** Self samples of (store, instance index, function); null for no samples counter. */
    private final SampleCounts samples;
    private final String samplesHelp;

    @FunctionalInterface
    private interface SampleCounts {
        long selfSamples(Store store, int instanceIndex, String function);
    }
    private final BoundMeters meters = new BoundMeters();

    /**
     * Counters of a Profiler's functions.
     *
     * @param profiler the profiler
     * @throws IllegalArgumentException if profiler is null
     */
    public ProfilerMeterBinder(Profiler profiler) { this(profiler, (SamplingProfiler) null); }

    /**
     * Counters of a Profiler's functions, and of a sampler's samples of the same Store.
     *
     * @param profiler the profiler
     * @param sampler a sampler of the profiler's Store, or null for no samples counter
     * @throws IllegalArgumentException if profiler is null
     */
    public ProfilerMeterBinder(Profiler profiler, SamplingProfiler sampler) {
        this(profiler, sampler == null ? null : sampler::selfSamples, "Sampling-profiler samples (taken at patch sites) whose innermost frame is the function");
    }

    /**
     * Counters of a Profiler's functions, and of a signal sampler's samples of the same Store.
     *
     * @param profiler the profiler
     * @param sampler a signal sampler of the profiler's Store, or null for no samples counter
     * @throws IllegalArgumentException if profiler is null
     */
    public ProfilerMeterBinder(Profiler profiler, SignalSampler sampler) {
        this(profiler, sampler == null ? null : sampler::selfSamples, "Signal-sampler samples (taken at any instruction) whose innermost frame is the function");
    }

    private ProfilerMeterBinder(Profiler profiler, SampleCounts samples, String samplesHelp) {
        if (profiler == null) throw new IllegalArgumentException("profiler is null");
        this.profiler = profiler;
        this.samples = samples;
        this.samplesHelp = samplesHelp;
        profiler.onClose(this::close);
    }

    /**
     * Registers the counters.
     *
     * @param registry the registry
     * @throws IllegalStateException if this binder or its Profiler is closed, or the
     *         registry has a counter of the same name and tags (another Profiler with the
     *         same store name)
     */
    @Override public void bindTo(MeterRegistry registry) {
        if (profiler.isClosed()) throw new IllegalStateException("Profiler is closed");
        for (Profiler.Counters c : profiler.counters()) {
            Tags tags = Tags.of("function", c.function(), "module", c.module(), "store", profiler.storeName());
            counter(registry, "patchbay.function.calls", c, Profiler.Counters::calls, tags, null,
                "Calls of a guest function counted by its profile-entry site");
            counter(registry, "patchbay.function.time", c, Profiler.Counters::totalSeconds, tags, "seconds",
                "Inclusive time in a guest function (recursion counted once)");
            counter(registry, "patchbay.function.self.time", c, Profiler.Counters::selfSeconds, tags, "seconds",
                "Exclusive time in a guest function (minus profiled callees)");
            if (samples != null) {
                NativeProfile.Record r = c.record;
                Store store = profiler.store();
                counter(registry, "patchbay.function.samples", samples, s -> s.selfSamples(store, r.instanceIndex, r.function), tags, null,
                    samplesHelp);
            }
        }
    }

    private <T> void counter(MeterRegistry registry, String name, T obj, ToDoubleFunction<T> f, Tags tags, String unit, String description) {
        meters.register(registry, name, null, () -> FunctionCounter.builder(name, obj, f)
            .tags(tags).baseUnit(unit).description(description).register(registry));
    }

    /**
     * Removes this binder's meters from every registry it was bound to; the Profiler's
     * close does this too. Closing twice does nothing.
     */
    @Override public void close() { meters.close(); }
}
