/*
 * Problem: export how much code memory Patchbay holds and how many Stores are alive.
 * Approach: gauges read on collection:
 *   patchbay.code.memory.mapped    bytes of code memory mapped (both views), process-wide
 *   patchbay.code.memory.regions   live code regions, process-wide
 *   patchbay.stores.live           Stores of the Engine not yet closed
 * close() removes them (BoundMeters).
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.internal.sys.CodeMemory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer gauges for the code memory Patchbay has mapped in this process ({@code
 * patchbay.code.memory.mapped}, bytes; {@code patchbay.code.memory.regions}) and the
 * Engine's open Stores ({@code patchbay.stores.live}), read on each scrape. {@link
 * #close()} removes them.
 */
public final class CodeMemoryMeterBinder implements MeterBinder, AutoCloseable {
    private final Engine engine;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();

    /**
     * Gauges for an Engine, with no extra tags.
     *
     * @param engine the Engine whose open Stores to count
     */
    public CodeMemoryMeterBinder(Engine engine) { this(engine, Tags.empty()); }

    /**
     * Gauges for an Engine, with tags on every meter.
     *
     * @param engine the Engine whose open Stores to count
     * @param tags tags every gauge carries
     */
    public CodeMemoryMeterBinder(Engine engine, Iterable<Tag> tags) {
        this.engine = engine;
        this.tags = Tags.of(tags);
    }

    /**
     * Registers the gauges.
     *
     * @param registry the registry
     * @throws IllegalStateException if this binder is closed, or the registry has these
     *         gauges already (from another binder with the same tags)
     */
    @Override public void bindTo(MeterRegistry registry) {
        meters.register(registry, "patchbay.code.memory.mapped", null, () -> Gauge.builder("patchbay.code.memory.mapped", () -> CodeMemory.mappedBytes())
            .tags(tags).baseUnit("bytes").description("Code memory mapped by Patchbay (RX and RW views)").register(registry));
        meters.register(registry, "patchbay.code.memory.regions", null, () -> Gauge.builder("patchbay.code.memory.regions", () -> CodeMemory.liveCount())
            .tags(tags).description("Live code memory regions").register(registry));
        meters.register(registry, "patchbay.stores.live", null, () -> Gauge.builder("patchbay.stores.live", engine, e -> e.liveStores())
            .tags(tags).description("Stores of the Engine not yet closed").register(registry));
    }

    /** Removes the gauges from every registry they were bound to; closing twice does nothing. */
    @Override public void close() { meters.close(); }
}
