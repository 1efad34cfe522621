/*
 * Problem: export the Engine's epoch-interruption counters (EpochMetrics) through Micrometer.
 * Approach: function counters over the lock-free counters, read on collection:
 *   patchbay.epoch.deadlines    deadlines reached
 *   patchbay.epoch.interrupts   guest calls unwound by the epoch runtime: Store.interrupt()
 *                               and interruptCurrentOrNext(), a deadline callback's
 *                               interrupt, Thread.interrupt() of the owner, out of fuel
 *   patchbay.epoch.continues    deadline callbacks that continued
 *   patchbay.epoch.yields       deadline callbacks that yielded
 * close() removes them (BoundMeters).
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
 * on each scrape: {@code patchbay.epoch.deadlines}, {@code .interrupts} (every guest call
 * the epoch runtime unwound, {@link dev.patchbay.Store#interrupt()} included, see {@link
 * EpochMetrics#interrupts()}), {@code .continues} and {@code .yields}. {@link #close()}
 * removes them.
 */
public final class EpochMeterBinder implements MeterBinder, AutoCloseable {
    private final EpochMetrics metrics;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();

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

    /**
     * Registers the counters.
     *
     * @param registry the registry
     * @throws IllegalStateException if this binder is closed, or the registry has these
     *         counters already (from another binder with the same tags)
     */
    @Override public void bindTo(MeterRegistry registry) {
        counter(registry, "patchbay.epoch.deadlines", m -> m.deadlinesReached(), "Epoch deadlines reached");
        counter(registry, "patchbay.epoch.interrupts", m -> m.interrupts(),
            "Guest calls the epoch runtime unwound: Store.interrupt() and interruptCurrentOrNext(), a deadline callback's "
            + "interrupt, Thread.interrupt() of the owner (when the Engine is so configured), and running out of fuel");
        counter(registry, "patchbay.epoch.continues", m -> m.continues(), "Deadline callbacks that let the guest continue");
        counter(registry, "patchbay.epoch.yields", m -> m.yields(), "Deadline callbacks that yielded");
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<EpochMetrics> f, String description) {
        meters.register(registry, name, null, () -> FunctionCounter.builder(name, metrics, f)
            .tags(tags).description(description).register(registry));
    }

    /** Removes the counters from every registry they were bound to; closing twice does nothing. */
    @Override public void close() { meters.close(); }
}
