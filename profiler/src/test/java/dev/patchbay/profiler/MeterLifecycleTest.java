/*
 * The binders' meters over the life of Stores and Profilers, and their names' meaning:
 * closing a binder removes its meters; a closed Profiler's or Store's counters never fall
 * back to 0 while registered; Stores that come and go leave no meters behind, and two
 * Profilers of one store name cannot share a registry; the request-to-applied max decays
 * as Micrometer's does; requestSafepoint() counts as a request; an interrupt() counts in
 * patchbay.epoch.interrupts, whose help text says so.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class MeterLifecycleTest {
    static List<String> patchbayMeters(SimpleMeterRegistry reg) {
        return reg.getMeters().stream().map(Meter::getId).filter(id -> id.getName().startsWith("patchbay."))
            .map(id -> id.getName() + id.getTags()).sorted().collect(Collectors.toList());
    }

    @Test
    void closingTheBindersRemovesTheirMeters() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            reg.counter("other.meter").increment();
            try (Profiler p = Profiler.attach(store, new ProfilerConfig().storeName("s1").moduleName(inst, "fib.clif"))) {
                ProfilerMeterBinder pb = new ProfilerMeterBinder(p);
                SiteMeterBinder sb = new SiteMeterBinder(engine).store(store, "s1");
                EpochMeterBinder eb = new EpochMeterBinder(engine);
                CodeMemoryMeterBinder cb = new CodeMemoryMeterBinder(engine);
                pb.bindTo(reg);
                sb.bindTo(reg);
                eb.bindTo(reg);
                cb.bindTo(reg);
                assertEquals(3 + 7 + 4 + 3, patchbayMeters(reg).size(), patchbayMeters(reg)::toString);
                pb.close();
                assertNull(reg.find("patchbay.function.calls").meter());
                sb.close();
                assertNull(reg.find("patchbay.site.requests").meter());
                assertNull(reg.find("patchbay.site.on").meter());
                eb.close();
                cb.close();
                cb.close();
                assertEquals(List.of(), patchbayMeters(reg));
                assertNotNull(reg.find("other.meter").counter(), "meters of others stay");
                assertThrows(IllegalStateException.class, () -> eb.bindTo(reg));
                assertThrows(IllegalStateException.class, () -> sb.store(store, "again"));
            }
        }
    }

    @Test
    void aClosedStoresAndProfilersCountersKeepTheirValues() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        FunctionCounter calls;
        Profiler p;
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            p = Profiler.attach(store, new ProfilerConfig().storeName("s1").moduleName(inst, "fib.clif"));
            new ProfilerMeterBinder(p).bindTo(reg);
            assertTrue(p.enable().await(Duration.ofSeconds(5)));
            inst.func("fib").call(20);
            calls = reg.get("patchbay.function.calls").tag("function", "fib").functionCounter();
            assertEquals(21_891, calls.count());
            store.close();
            assertEquals(21_891, reg.get("patchbay.function.calls").tag("function", "fib").functionCounter().count(),
                "the Store closed, its Profiler still open: the counter is still registered and keeps its value");
            p.close();
        }
        // Read after the native memory is freed (what a scrape racing close sees): the last value, not 0.
        assertEquals(21_891, calls.count());
        assertNull(reg.find("patchbay.function.calls").meter(), "the Profiler's close removed its meters");
        assertEquals(21_891, p.snapshot().function("fib").calls());
    }

    @Test
    void storesThatComeAndGoLeaveNoMetersBehind() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (Engine engine = new Engine()) {
            SiteMeterBinder sites = new SiteMeterBinder(engine);
            sites.bindTo(reg);
            int before = patchbayMeters(reg).size();
            for (int i = 0; i < 5; i++) {
                try (Store store = new Store(engine)) {
                    Instance inst = Programs.instantiate(engine, store, "fib.clif");
                    // The same store name every time, as a server that names its Stores by role would.
                    Profiler p = Profiler.attach(store, new ProfilerConfig().storeName("worker").moduleName(inst, "fib.clif"));
                    new ProfilerMeterBinder(p).bindTo(reg);
                    sites.store(store, "worker");
                    assertTrue(p.enable().await(Duration.ofSeconds(5)));
                    inst.func("fib").call(5);
                    assertEquals(Programs.fibCalls(5), reg.get("patchbay.function.calls").tags("store", "worker").functionCounter().count(),
                        "the counter reads this Store's Profiler, not an earlier one's");
                    assertEquals(3, reg.get("patchbay.site.on").tag("store", "worker").gauge().value());
                    p.close();
                }
                assertEquals(before, patchbayMeters(reg).size(), () -> "meters left after Store " + patchbayMeters(reg));
            }
            sites.close();
        }
    }

    @Test
    void twoProfilersOfOneStoreNameCannotShareARegistry() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (Engine engine = new Engine(); Store a = new Store(engine); Store b = new Store(engine)) {
            Instance ia = Programs.instantiate(engine, a, "fib.clif");
            Instance ib = Programs.instantiate(engine, b, "fib.clif");
            try (Profiler pa = Profiler.attach(a, new ProfilerConfig().storeName("same").moduleName(ia, "fib.clif"));
                 Profiler pb = Profiler.attach(b, new ProfilerConfig().storeName("same").moduleName(ib, "fib.clif"))) {
                new ProfilerMeterBinder(pa).bindTo(reg);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ProfilerMeterBinder(pb).bindTo(reg));
                assertTrue(e.getMessage().contains("storeName"), e.getMessage());
                SiteMeterBinder sites = new SiteMeterBinder(engine).store(a, "x");
                sites.bindTo(reg);
                assertThrows(IllegalStateException.class, () -> sites.store(b, "x"));
                assertThrows(IllegalStateException.class, () -> new SiteMeterBinder(engine).bindTo(reg),
                    "a second binder of the same Engine and tags would read through the first one's meters");
                sites.close();
            }
        }
    }

    @Test
    void aStoreDroppedWithoutCloseIsNotKeptAliveByItsGauge() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (Engine engine = new Engine()) {
            SiteMeterBinder sites = new SiteMeterBinder(engine);
            sites.bindTo(reg);
            WeakReference<Store> ref = dropped(engine, sites);
            for (int i = 0; i < 50 && ref.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull(ref.get(), "the binder kept a dropped Store alive");
            // The Store's Cleaner runs on its own thread some time after the reference is
            // cleared; until it has, the Engine still counts the Store as open and close() refuses.
            for (int i = 0; i < 250 && engine.liveStores() > 0; i++) Thread.sleep(20);
            assertEquals(0, engine.liveStores(), "the dropped Store's Cleaner never ran");
            try (Store other = new Store(engine)) {
                sites.store(other, "other"); // sweeps the collected Store's gauge
                assertEquals(List.of("other"), reg.find("patchbay.site.on").gauges().stream().map(g -> g.getId().getTag("store"))
                    .collect(Collectors.toList()));
            }
            assertNull(reg.find("patchbay.site.on").meter(), "a closed Store's gauge goes with it");
            sites.close();
        }
    }

    private static WeakReference<Store> dropped(Engine engine, SiteMeterBinder sites) {
        Store s = new Store(engine);
        sites.store(s, "dropped");
        return new WeakReference<>(s);
    }

    @Test
    void thePatchDurationMaxDecaysAsMicrometersDoes() throws Exception {
        MockClock clock = new MockClock();
        SimpleMeterRegistry reg = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        try (Engine engine = new Engine(); Store store = new Store(engine); SiteMeterBinder sites = new SiteMeterBinder(engine)) {
            Programs.instantiate(engine, store, "fib.clif");
            sites.bindTo(reg);
            assertTrue(store.requestSafepoint().await(Duration.ofSeconds(5)));
            Timer t = reg.get("patchbay.site.patch.duration").timer();
            assertEquals(1, t.count());
            assertTrue(t.max(TimeUnit.NANOSECONDS) > 0, "max " + t.max(TimeUnit.NANOSECONDS));
            clock.add(Duration.ofMinutes(3));
            assertEquals(0, t.max(TimeUnit.NANOSECONDS), "the max of 3 minutes ago has decayed");
            assertEquals(1, t.count(), "count and total do not decay");
            assertTrue(t.totalTime(TimeUnit.NANOSECONDS) > 0);
        }
    }

    @Test
    void requestSafepointCountsAsARequest() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Programs.instantiate(engine, store, "fib.clif");
            long before = engine.siteMetrics().requests();
            assertTrue(store.requestSafepoint().await(Duration.ofSeconds(5)));
            assertEquals(before + 1, engine.siteMetrics().requests());
            store.request(dev.patchbay.SitePlan.off());
            assertEquals(before + 2, engine.siteMetrics().requests());
        }
    }

    @Test
    void storeInterruptCountsInEpochInterruptsAndItsHelpSaysSo() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine);
             EpochMeterBinder epochs = new EpochMeterBinder(engine)) {
            epochs.bindTo(reg);
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            AtomicReference<Throwable> result = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    inst.func("hot").call(Long.MAX_VALUE / 20);
                } catch (Throwable t) {
                    result.set(t);
                }
            }, "guest");
            guest.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!store.interrupt()) {
                assertTrue(System.nanoTime() < deadline, "the guest never started");
                Thread.sleep(1);
            }
            guest.join(20_000);
            assertInstanceOf(Trap.class, result.get());
            FunctionCounter interrupts = reg.get("patchbay.epoch.interrupts").functionCounter();
            assertEquals(1, interrupts.count());
            assertEquals(0, reg.get("patchbay.epoch.deadlines").functionCounter().count(), "no deadline was involved");
            assertTrue(interrupts.getId().getDescription().contains("Store.interrupt()"), interrupts.getId().getDescription());
        }
    }
}
