/*
 * Problem: export the Engine's epoch-interruption counters (EpochMetrics) through Micrometer.
 * Approach: function counters over the lock-free counters, read on collection:
 *   patchbay.epoch.deadlines    deadlines reached
 *   patchbay.epoch.interrupts   guests interrupted (trapped with interrupt)
 *   patchbay.epoch.continues    deadline callbacks that continued
 *   patchbay.epoch.yields       deadline callbacks that yielded
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.EpochMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.ToDoubleFunction;

/**
 * Micrometer counters for an Engine's epoch interruption, read from its {@link EpochMetrics}
 * on each scrape: {@code patchbay.epoch.deadlines}, {@code .interrupts}, {@code .continues}
 * and {@code .yields}.
 */
public final class EpochMeterBinder implements MeterBinder {
    private final EpochMetrics metrics;
    private final Tags tags;

    /**
     * Counters for an Engine, with no extra tags.
     *
     * @param engine the Engine
     */
    public EpochMeterBinder(Engine engine) { this(engine, Tags.empty()); }

    /**
     * Counters for an Engine, with tags on every meter.
     *
     * @param engine the Engine
     * @param tags tags every counter carries
     */
    public EpochMeterBinder(Engine engine, Iterable<io.micrometer.core.instrument.Tag> tags) {
        this.metrics = engine.epochMetrics();
        this.tags = Tags.of(tags);
    }

    @Override public void bindTo(MeterRegistry registry) {
        counter(registry, "patchbay.epoch.deadlines", m -> m.deadlinesReached(), "Epoch deadlines reached");
        counter(registry, "patchbay.epoch.interrupts", m -> m.interrupts(), "Guests interrupted at an epoch deadline");
        counter(registry, "patchbay.epoch.continues", m -> m.continues(), "Deadline callbacks that let the guest continue");
        counter(registry, "patchbay.epoch.yields", m -> m.yields(), "Deadline callbacks that yielded");
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<EpochMetrics> f, String description) {
        FunctionCounter.builder(name, metrics, f).tags(tags).description(description).register(registry);
    }
}
