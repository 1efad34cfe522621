/*
 * Problem: export the site machinery (Engine.siteMetrics) and how many sites are on per
 * Store, following Micrometer's conventions, without holding on to closed Stores.
 * Approach: function counters read on collection, a Timer fed by the runtime as requests
 * are applied, and one gauge per Store added with store():
 *   patchbay.site.requests         site requests (request and requestSafepoint)
 *   patchbay.site.arms             arming rounds (int3 writes to a running Store)
 *   patchbay.site.armed            sites armed
 *   patchbay.site.traps            traps taken at armed sites (safepoints)
 *   patchbay.site.patched          sites rewritten
 *   patchbay.site.patch.duration   request-to-applied time: a Timer (count, sum, and
 *                                  Micrometer's decaying max, in Prometheus _max)
 *   patchbay.site.on               sites in their on form now   {store}
 *
 * Invariants:
 *  1 one prefix, patchbay.site; the max decays as every Micrometer Timer's does (the
 *    largest value of the last distributionStatisticExpiry, 2 minutes by default), since
 *    the Timer records each request's latency (RuntimeListener.onRequestApplied);
 *  2 a Store's gauge goes when the Store closes (RuntimeListener.onStoreClosed), or when it
 *    is found collected; the binder holds Stores weakly, so it never keeps one alive;
 *  3 close() removes every meter this binder registered, and its listener.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.RuntimeListener;
import dev.patchbay.SiteMetrics;
import dev.patchbay.Store;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for an Engine's site machinery (requests, arming, traps at armed sites,
 * patches, and a {@link Timer} of request-to-applied time whose max decays as Micrometer's
 * does) and the sites that are on per Store ({@link #store}).
 *
 * <p>The request-to-applied Timer counts the requests applied after the first {@link
 * #bindTo}. A Store's gauge is removed when the Store closes; {@link #close()} removes
 * every meter. Thread-safe.
 */
public final class SiteMeterBinder implements MeterBinder, AutoCloseable {
    private final Engine engine;
    private final SiteMetrics metrics;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final List<Timer> timers = new CopyOnWriteArrayList<>();
    private final List<StoreGauge> stores = new ArrayList<>();
    private final Listener listener = new Listener();
    private boolean listening;

    /** One Store's gauge: the Store weakly, so a dropped Store is still collected. */
    private static final class StoreGauge {
        final WeakReference<Store> store;
        final String name;

        StoreGauge(Store store, String name) {
            this.store = new WeakReference<>(store);
            this.name = name;
        }
    }

    /**
     * Meters for an Engine, with no extra tags.
     *
     * @param engine the Engine
     * @throws IllegalArgumentException if engine is null
     */
    public SiteMeterBinder(Engine engine) { this(engine, Tags.empty()); }

    /**
     * Meters for an Engine, with tags on every meter.
     *
     * @param engine the Engine
     * @param tags tags every meter carries
     * @throws IllegalArgumentException if engine is null
     */
    public SiteMeterBinder(Engine engine, Iterable<Tag> tags) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        this.engine = engine;
        this.metrics = engine.siteMetrics();
        this.tags = Tags.of(tags);
    }

    /**
     * Adds a "sites on" gauge ({@code patchbay.site.on}) for a Store, tagged {@code
     * store=name}, in every registry this binder is bound to, now and later. The gauge is
     * removed when the Store closes. Adding a Store twice does nothing.
     *
     * @param store a Store of this binder's Engine (held weakly)
     * @param name its store tag
     * @return this binder
     * @throws IllegalArgumentException if store or name is null, or the Store belongs to
     *         another Engine
     * @throws IllegalStateException if the Store or this binder is closed, or a bound
     *         registry has a gauge for that store name already
     */
    public synchronized SiteMeterBinder store(Store store, String name) {
        if (store == null || name == null) throw new IllegalArgumentException("store and name must not be null");
        if (store.engine() != engine) throw new IllegalArgumentException("the Store belongs to another Engine");
        meters.checkOpen();
        sweep();
        for (StoreGauge g : stores) if (g.store.get() == store) return this;
        StoreGauge g = new StoreGauge(store, name);
        stores.add(g);
        try {
            for (MeterRegistry r : registries) gauge(r, g, store);
        } catch (RuntimeException e) {
            forget(g);
            throw e;
        }
        // The Store may have closed before the listener could hear it.
        if (store.isClosed()) forget(g);
        return this;
    }

    /**
     * Registers the meters, and the gauges of the Stores added so far.
     *
     * @param registry the registry
     * @throws IllegalStateException if this binder is closed, or the registry has one of
     *         these meters already (bound by another binder of the same tags)
     */
    @Override public synchronized void bindTo(MeterRegistry registry) {
        meters.checkOpen();
        sweep();
        counter(registry, "patchbay.site.requests", m -> m.requests(),
            "Site requests: Store.request and Store.requestSafepoint (a sampler's samples included)");
        counter(registry, "patchbay.site.arms", m -> m.arms(), "Arming rounds: int3 written over sites of a running Store");
        counter(registry, "patchbay.site.armed", m -> m.sitesArmed(), "Sites armed with int3");
        counter(registry, "patchbay.site.traps", m -> m.trapsTaken(), "Traps taken at armed sites");
        counter(registry, "patchbay.site.patched", m -> m.sitesPatched(), "Sites rewritten");
        timers.add(meters.register(registry, "patchbay.site.patch.duration", null, () -> Timer.builder("patchbay.site.patch.duration")
            .tags(tags).description("Time from a site request to the owner having applied it").register(registry)));
        for (StoreGauge g : stores) {
            Store s = g.store.get();
            if (s != null) gauge(registry, g, s);
        }
        registries.add(registry);
        if (!listening) {
            engine.addListener(listener);
            listening = true;
        }
    }

    private void gauge(MeterRegistry registry, StoreGauge g, Store store) {
        meters.register(registry, "patchbay.site.on", g, () -> Gauge.builder("patchbay.site.on", store, SiteMeterBinder::sitesOn)
            .tags(tags.and("store", g.name)).description("Sites in their on form").register(registry));
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<SiteMetrics> f, String description) {
        meters.register(registry, name, null, () -> FunctionCounter.builder(name, metrics, f)
            .tags(tags).description(description).register(registry));
    }

    /** Drops the gauges of Stores that were collected without close() (the listener never heard of them). */
    private void sweep() {
        for (Iterator<StoreGauge> it = stores.iterator(); it.hasNext(); ) {
            StoreGauge g = it.next();
            Store s = g.store.get();
            if (s == null || s.isClosed()) {
                meters.removeGroup(g);
                it.remove();
            }
        }
    }

    private synchronized void forget(StoreGauge g) {
        meters.removeGroup(g);
        stores.remove(g);
    }

    private synchronized void storeClosed(Store store) {
        for (StoreGauge g : new ArrayList<>(stores)) if (g.store.get() == store) forget(g);
    }

    /** A Store closed between the check and the read (another thread closed it) counts 0. */
    private static double sitesOn(Store s) {
        try {
            return s.isClosed() ? 0 : s.sitesOn();
        } catch (IllegalStateException closed) {
            return 0;
        }
    }

    /**
     * Removes every meter this binder registered, from every registry, and stops listening
     * to the Engine. Closing twice does nothing.
     */
    @Override public synchronized void close() {
        engine.removeListener(listener);
        listening = false;
        meters.close();
        timers.clear();
        stores.clear();
        registries.clear();
    }

    /** What the runtime tells the binder: applied requests (for the Timer) and closed Stores. */
    private final class Listener implements RuntimeListener {
        @Override public void onRequestApplied(Store store, long nanos) {
            for (Timer t : timers) t.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override public void onStoreClosed(Store store) { storeClosed(store); }
    }
}
