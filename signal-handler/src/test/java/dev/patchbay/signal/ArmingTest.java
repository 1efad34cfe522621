/*
 * The signal-based controller end to end: a guest loop runs on one thread while other
 * threads turn its sites on and off. Checks that every request is applied, that hooks
 * count hits only while sites are on, that the loop's result stays correct, and that the
 * site bytes always end in exactly their on or off form.
 */
package dev.patchbay.signal;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.PatchRequest;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.PatchSite;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class ArmingTest {
    /** sum of 0..n-1, by a loop with an epoch site at its header. */
    static final String SPIN = String.join("\n",
        "function %spin(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = iadd v3, v2",
        "    v5 = iadd_imm v2, 1",
        "    v6 = icmp ult v5, v0",
        "    brif v6, block1(v5, v4), block2",
        "block2:",
        "    return v4",
        "}");

    static CompiledModule compile() {
        return Compiler.compile(ClifParser.parse("spin.clif", SPIN).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all()).build());
    }

    static long closedForm(long n) { return n * (n - 1) / 2; }

    static void assertSiteBytes(Instance inst, Store store) {
        for (PatchSite s : inst.module().compiled().patchSites) {
            byte[] now = TestCode.read(inst, s.offset, s.length);
            byte[] want = store.isSiteOn(inst, s.id) ? s.onBytes() : s.offBytes();
            assertArrayEquals(want, now, "site " + s.id + " is exactly its " + (store.isSiteOn(inst, s.id) ? "on" : "off") + " form");
        }
    }

    @Test
    void turnSitesOnAndOffTenThousandTimesUnderARunningLoop() throws Exception {
        try (Engine engine = new Engine()) {
            assertTrue(engine.hasSiteController(), "the signal-handler module is on the classpath");
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(compile()));
            Func spin = inst.func("spin");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong runs = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            long n = 20_000_000;
            Thread guest = new Thread(() -> {
                try {
                    started.countDown();
                    while (!stop.get()) {
                        long r = spin.call(n)[0];
                        if (r != closedForm(n)) throw new AssertionError("spin(" + n + ") = " + r);
                        runs.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "guest");
            guest.start();
            started.await();
            long armedApplied = 0;
            for (int i = 0; i < 10_000 && failure.get() == null; i++) {
                PatchRequest on = store.request(SitePlan.on().kind(SiteKind.EPOCH));
                assertTrue(on.await(Duration.ofSeconds(10)), "on request " + i + " applied");
                long h0 = store.hookHits(SiteKind.EPOCH);
                // While on, the loop header's site calls the counting hook every iteration.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (store.hookHits(SiteKind.EPOCH) == h0 && guest.isAlive()) {
                    assertTrue(System.nanoTime() < deadline, "hook hit within 5 s on round " + i);
                    Thread.onSpinWait();
                }
                PatchRequest off = store.request(SitePlan.off());
                assertTrue(off.await(Duration.ofSeconds(10)), "off request " + i + " applied");
                if (on.latencyNanos() > 0) armedApplied++;
            }
            // Off: the count must stop moving.
            long h1 = store.hookHits(SiteKind.EPOCH);
            Thread.sleep(20);
            assertEquals(h1, store.hookHits(SiteKind.EPOCH), "no hook hits while sites are off");
            stop.set(true);
            guest.join(60_000);
            assertNull(failure.get(), () -> "guest failed: " + failure.get());
            assertTrue(runs.get() > 0);
            assertSiteBytes(inst, store);
            assertTrue(engine.siteMetrics().trapsTaken() > 0, "the owner took traps at armed sites");
            assertEquals(10_000, armedApplied);
            store.close();
        }
    }

    @Test
    void idleStoreIsPatchedDirectly() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile()));
            long traps = engine.siteMetrics().trapsTaken();
            PatchRequest on = store.request(SitePlan.on());
            assertTrue(on.isDone(), "applied synchronously: nobody runs the Store");
            assertSiteBytes(inst, store);
            for (PatchSite s : inst.module().compiled().patchSites) assertTrue(store.isSiteOn(inst, s.id));
            assertEquals(closedForm(1000), inst.func("spin").call(1000)[0]);
            // Default (fused) epoch sites sit on the loop's back edge, taken 999 times; a leaf
            // with no stack check has no entry site (it cannot run unboundedly without a loop).
            assertEquals(999, store.hookHits(SiteKind.EPOCH), "one hit per back edge taken");
            assertEquals(1, store.hookHits(SiteKind.PROFILE_ENTRY));
            assertEquals(1, store.hookHits(SiteKind.PROFILE_EXIT));
            store.request(SitePlan.off().function("spin")).await(Duration.ofSeconds(1));
            assertSiteBytes(inst, store);
            assertEquals(traps, engine.siteMetrics().trapsTaken(), "no traps for an idle Store");
        }
    }

    /** The 5-byte NOP form (EpochMode.NOP) sits at the loop header and the entry instead. */
    @Test
    void nopEpochSitesHitEveryLoopHeaderPass() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(Compiler.compile(ClifParser.parse("spin.clif", SPIN).functions(),
                CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.EPOCH).withEpochMode(EpochMode.NOP)).build())));
            assertTrue(store.request(SitePlan.on()).isDone());
            assertSiteBytes(inst, store);
            assertEquals(closedForm(1000), inst.func("spin").call(1000)[0]);
            assertEquals(1001, store.hookHits(SiteKind.EPOCH), "1000 loop header passes plus the entry site");
        }
    }

    @Test
    void requestToAClosedStoreFailsCleanly() throws Exception {
        try (Engine engine = new Engine()) {
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(compile()));
            CountDownLatch inGuest = new CountDownLatch(1);
            // No running owner that could apply it: use a hostcall-free trick, a request
            // pending while the owner is blocked is covered by the stress suite; here the
            // Store closes right after an idle request and a later request must fail.
            store.request(SitePlan.on()).await(Duration.ofSeconds(1));
            store.close();
            assertThrows(IllegalStateException.class, () -> store.request(SitePlan.off()));
            inGuest.countDown();
        }
    }

    @Test
    void twoControllersAtOnce() throws Exception {
        try (Engine engine = new Engine()) {
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(compile()));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    while (!stop.get()) assertEquals(closedForm(5_000_000), inst.func("spin").call(5_000_000)[0]);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "guest");
            guest.start();
            List<Thread> controllers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                int seed = c;
                Thread t = new Thread(() -> {
                    try {
                        java.util.Random rnd = new java.util.Random(seed);
                        for (int i = 0; i < 2000; i++) {
                            SitePlan p = rnd.nextBoolean() ? SitePlan.on() : SitePlan.off();
                            if (rnd.nextBoolean()) p = p.kind(SiteKind.values()[rnd.nextInt(3)]);
                            if (rnd.nextInt(4) == 0) p = p.sites(rnd.nextInt(inst.module().compiled().patchSites.size()));
                            assertTrue(store.request(p).await(Duration.ofSeconds(10)));
                        }
                    } catch (Throwable t2) {
                        failure.compareAndSet(null, t2);
                    }
                }, "controller-" + c);
                controllers.add(t);
                t.start();
            }
            for (Thread t : controllers) t.join(120_000);
            stop.set(true);
            guest.join(60_000);
            assertNull(failure.get(), () -> "failed: " + failure.get());
            store.request(SitePlan.off()).await(Duration.ofSeconds(5));
            assertSiteBytes(inst, store);
            store.close();
        }
    }

    @Test
    void engineWithoutControllerAppliesWhenTheOwnerLeaves() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().noSiteController()); Store store = new Store(engine)) {
            assertFalse(engine.hasSiteController());
            Instance inst = store.instantiate(engine.load(compile()));
            assertTrue(store.request(SitePlan.on()).isDone());
            assertEquals(closedForm(10), inst.func("spin").call(10)[0]);
            assertSiteBytes(inst, store);
        }
    }

    @Test
    void safepointOnlyRequestRunsListenersAndLeavesSitesAlone() throws Exception {
        try (Engine engine = new Engine()) {
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(compile()));
            List<List<dev.patchbay.GuestFrame>> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.addSafepointListener(at -> samples.add(at.backtrace()));
            AtomicBoolean stop = new AtomicBoolean();
            Thread guest = new Thread(() -> {
                while (!stop.get()) inst.func("spin").call(5_000_000);
            }, "guest");
            guest.start();
            // A request while the guest is not (yet) running completes at once without a
            // sample, so keep asking until 100 samples arrived (bounded by a deadline).
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (samples.size() < 100) {
                assertTrue(System.nanoTime() < deadline, "100 samples within 30 s, got " + samples.size());
                assertTrue(store.requestSafepoint().await(Duration.ofSeconds(10)));
            }
            stop.set(true);
            guest.join();
            assertFalse(samples.isEmpty());
            for (List<dev.patchbay.GuestFrame> bt : samples) {
                assertFalse(bt.isEmpty());
                assertEquals("spin", bt.get(0).function());
            }
            for (PatchSite s : inst.module().compiled().patchSites) assertFalse(store.isSiteOn(inst, s.id));
            assertSiteBytes(inst, store);
            assertEquals(0, store.hookHits(SiteKind.EPOCH), "sites never turned on");
            store.close();
        }
    }

    /**
     * A Safepoint is a view of live guest frames: inside its listener, on the owner, it names
     * the instance and function the owner stopped in; kept past the listener or handed to
     * another thread, every method refuses instead of walking a stack that may be gone.
     */
    @Test
    void aSafepointIsUsableOnlyInsideItsListenerOnTheOwnerThread() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile()));
            AtomicReference<dev.patchbay.Safepoint> kept = new AtomicReference<>();
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.addSafepointListener(at -> {
                if (!kept.compareAndSet(null, at)) return;
                seen.add(at.store() == store ? "store" : "other store");
                seen.add(at.instance() == inst ? "instance" : "other instance");
                seen.add(at.frame().function());
                seen.add(at.backtrace().get(0).equals(at.frame()) ? "innermost" : "not innermost: " + at.backtrace());
                seen.add(at.toString().startsWith("%spin+0x") ? "named" : at.toString());
                AtomicReference<Throwable> off = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        at.backtrace();
                    } catch (Throwable e) {
                        off.set(e);
                    }
                });
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                seen.add(off.get() instanceof IllegalStateException ? "refused off the owner" : "other thread got " + off.get());
            });
            AtomicBoolean stop = new AtomicBoolean();
            Thread guest = new Thread(() -> {
                while (!stop.get()) inst.func("spin").call(5_000_000);
            }, "guest");
            guest.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (kept.get() == null) {
                assertTrue(System.nanoTime() < deadline, "a safepoint within 30 s");
                assertTrue(store.requestSafepoint().await(Duration.ofSeconds(10)));
            }
            stop.set(true);
            guest.join();
            assertEquals(List.of("store", "instance", "spin", "innermost", "named", "refused off the owner"), seen);
            dev.patchbay.Safepoint at = kept.get();
            IllegalStateException e = assertThrows(IllegalStateException.class, at::backtrace);
            assertTrue(e.getMessage().startsWith("the safepoint is over"), e.getMessage());
            assertThrows(IllegalStateException.class, at::store);
            assertThrows(IllegalStateException.class, at::instance);
            assertThrows(IllegalStateException.class, at::frame);
            assertEquals("safepoint", at.toString());
        }
    }

    /**
     * Regression (stress suite, faults): a safepoint listener that throws an Error (here an
     * AssertionError; a StackOverflowError in a stack-hungry sampler does the same) escaped
     * the Store's guard, which caught only RuntimeException. The safepoint upcall failed,
     * the guest resumed on the still-armed site, trapped again, and looped forever.
     */
    @Test
    void listenerThatThrowsAnErrorCannotWedgeTheOwner() throws Exception {
        try (Engine engine = new Engine()) {
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(compile()));
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            store.addSafepointListener(at -> {
                calls.incrementAndGet();
                throw new AssertionError("listener failed");
            });
            AtomicReference<Object> result = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    result.set(inst.func("spin").call(50_000_000)[0]);
                } catch (Throwable t) {
                    result.set(t);
                }
            }, "guest");
            guest.setDaemon(true);
            guest.start();
            Thread.sleep(5);
            PatchRequest on = store.request(SitePlan.on());
            boolean applied = on.await(Duration.ofSeconds(10));
            guest.join(30_000);
            assertFalse(guest.isAlive(), "the guest finished (listener calls so far: " + calls.get() + ")");
            assertTrue(applied, "the request was applied despite the failing listener");
            assertEquals(closedForm(50_000_000), result.get());
            assertSiteBytes(inst, store);
            store.close();
        }
    }
}
