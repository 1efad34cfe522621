/*
 * Problem: export the site machinery (Engine.siteMetrics) and how many sites are on.
 * Approach: function counters and a function timer read on collection, plus one gauge per
 * Store added with store():
 *   patchbay.site.requests         site requests (request and requestSafepoint)
 *   patchbay.site.arms             arming rounds (int3 writes to a running Store)
 *   patchbay.site.armed            sites armed
 *   patchbay.site.traps            traps taken at armed sites (safepoints)
 *   patchbay.site.patched          sites rewritten
 *   patchbay.site.patch.duration   request-to-applied time: count and sum (seconds)
 *   patchbay.site.patch.duration.max  the longest so far (seconds)
 *   patchbay.sites.on              sites in their on form now   {store}
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.SiteMetrics;
import dev.patchbay.Store;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for an Engine's site machinery (requests, arming, traps at armed sites, patches
 * and request-to-applied time) and the sites that are on per Store.
 */
public final class SiteMeterBinder implements MeterBinder {
    private final SiteMetrics metrics;
    private final Tags tags;
    private final Map<Store, String> stores = new LinkedHashMap<>();

    /**
     * Meters for an Engine, with no extra tags.
     *
     * @param engine the Engine
     */
    public SiteMeterBinder(Engine engine) { this(engine, Tags.empty()); }

    /**
     * Meters for an Engine, with tags on every meter.
     *
     * @param engine the Engine
     * @param tags tags every meter carries
     */
    public SiteMeterBinder(Engine engine, Iterable<Tag> tags) {
        this.metrics = engine.siteMetrics();
        this.tags = Tags.of(tags);
    }

    /**
     * Adds a "sites on" gauge ({@code patchbay.sites.on}) for a Store, tagged {@code
     * store=name}. Call it before {@link #bindTo}.
     *
     * @param store the Store
     * @param name its store tag
     * @return this binder
     */
    public SiteMeterBinder store(Store store, String name) {
        stores.put(store, name);
        return this;
    }

    @Override public void bindTo(MeterRegistry registry) {
        counter(registry, "patchbay.site.requests", m -> m.requests(), "requests", "Site requests");
        counter(registry, "patchbay.site.arms", m -> m.arms(), "events", "Arming rounds: int3 written over sites of a running Store");
        counter(registry, "patchbay.site.armed", m -> m.sitesArmed(), "sites", "Sites armed with int3");
        counter(registry, "patchbay.site.traps", m -> m.trapsTaken(), "traps", "Traps taken at armed sites");
        counter(registry, "patchbay.site.patched", m -> m.sitesPatched(), "sites", "Sites rewritten");
        FunctionTimer.builder("patchbay.site.patch.duration", metrics, SiteMetrics::requestsApplied,
                SiteMetrics::appliedNanosTotal, TimeUnit.NANOSECONDS)
            .tags(tags).description("Time from a site request to the owner having applied it").register(registry);
        TimeGauge.builder("patchbay.site.patch.duration.max", metrics, TimeUnit.NANOSECONDS, SiteMetrics::appliedNanosMax)
            .tags(tags).description("Longest request-to-applied time so far").register(registry);
        for (Map.Entry<Store, String> e : stores.entrySet()) {
            Gauge.builder("patchbay.sites.on", e.getKey(), SiteMeterBinder::sitesOn)
                .tags(tags.and("store", e.getValue())).description("Sites in their on form")
                .register(registry);
        }
    }

    /** A Store closed between the check and the read (another thread closed it) counts 0. */
    private static double sitesOn(Store s) {
        try {
            return s.isClosed() ? 0 : s.sitesOn();
        } catch (IllegalStateException closed) {
            return 0;
        }
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<SiteMetrics> f, String unit, String description) {
        FunctionCounter.builder(name, metrics, f).tags(tags).description(description).register(registry);
    }
}
