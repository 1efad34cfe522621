/*
 * Problem: export per-function profiles through Micrometer, so any registry (Prometheus,
 * JMX, ...) sees them, without a Java hook on the guest's hot path.
 * Approach: function counters that read the Profiler's native counters when the registry
 * collects (Micrometer calls the read functions on scrape). The counters only grow: a
 * Profiler.reset() moves a Java baseline for snapshots, not these. Names follow
 * Micrometer's conventions (dotted lowercase, base units):
 *
 *   patchbay.function.calls       calls                       {function, module, store}
 *   patchbay.function.time        inclusive time, seconds     {function, module, store}
 *   patchbay.function.self.time   exclusive time, seconds     {function, module, store}
 *   patchbay.function.samples     sampler hits as innermost frame, when a SamplingProfiler
 *                                 is given                    {function, module, store}
 */
package dev.patchbay.profiler;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Exports a Profiler's per-function calls and times, and optionally a sampler's samples, as
 * Micrometer function counters read from the native counters on each scrape: {@code
 * patchbay.function.calls}, {@code .time} and {@code .self.time} (seconds), and {@code
 * .samples}, tagged with function, module and store. They only grow: {@link
 * Profiler#reset()} does not move them.
 */
public final class ProfilerMeterBinder implements MeterBinder {
    private final Profiler profiler;
    private final SamplingProfiler sampler;

    /**
     * Counters of a Profiler's functions.
     *
     * @param profiler the profiler
     * @throws IllegalArgumentException if profiler is null
     */
    public ProfilerMeterBinder(Profiler profiler) { this(profiler, null); }

    /**
     * Counters of a Profiler's functions, and of a sampler's samples of the same Store.
     *
     * @param profiler the profiler
     * @param sampler a sampler of the profiler's Store, or null for no samples counter
     * @throws IllegalArgumentException if profiler is null
     */
    public ProfilerMeterBinder(Profiler profiler, SamplingProfiler sampler) {
        if (profiler == null) throw new IllegalArgumentException("profiler is null");
        this.profiler = profiler;
        this.sampler = sampler;
    }

    @Override public void bindTo(MeterRegistry registry) {
        for (Profiler.Counters c : profiler.counters()) {
            Tags tags = Tags.of("function", c.function(), "module", c.module(), "store", profiler.storeName());
            FunctionCounter.builder("patchbay.function.calls", c, Profiler.Counters::calls)
                .tags(tags).description("Calls of a guest function counted by its profile-entry site")
                .register(registry);
            FunctionCounter.builder("patchbay.function.time", c, Profiler.Counters::totalSeconds)
                .tags(tags).baseUnit("seconds").description("Inclusive time in a guest function (recursion counted once)")
                .register(registry);
            FunctionCounter.builder("patchbay.function.self.time", c, Profiler.Counters::selfSeconds)
                .tags(tags).baseUnit("seconds").description("Exclusive time in a guest function (minus profiled callees)")
                .register(registry);
            if (sampler != null) {
                NativeProfile.Record r = c.record;
                FunctionCounter.builder("patchbay.function.samples", sampler,
                        s -> s.selfSamples(profiler.store(), r.instanceIndex, r.function))
                    .tags(tags).description("Sampling-profiler samples whose innermost frame is the function")
                    .register(registry);
            }
        }
    }
}
