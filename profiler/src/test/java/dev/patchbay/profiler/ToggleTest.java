/*
 * Turning profiling on and off 10,000 times while a guest runs loses no counts.
 *
 * The guest calls %pair(N) in a loop; every iteration calls %leaf and then %ctl. A
 * controller turns %leaf's profiling on and off 10,000 times (and, every few rounds,
 * forces a safepoint, which arms every site, the on ones included). %ctl stays on the
 * whole time, so its count has a closed form: N calls per completed run. Any hit lost or
 * doubled by arming, trapping at a site, or rewriting sites around it shows up there.
 * %leaf's count can only be bounded while it toggles, so afterwards it is turned on for
 * good and must again count exactly N per run; the shadow stack must have come through
 * with every frame accounted for.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class ToggleTest {
    static final int N = 20_000;
    static final int TOGGLES = 10_000;

    @Test
    void tenThousandTogglesLoseNoCounts() throws Exception {
        try (Engine engine = new Engine()) {
            assertTrue(engine.hasSiteController(), "the signal-handler module is on the test classpath");
            Store store = new Store(engine);
            Instance inst = Programs.instantiate(engine, store, "toggle.clif");
            Profiler p = Profiler.attach(store);
            assertTrue(p.enable("ctl").await(Duration.ofSeconds(5)));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong runs = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread guest = new Thread(() -> {
                try {
                    started.countDown();
                    while (!stop.get()) {
                        long r = inst.func("pair").call(N)[0];
                        if (r != 3L * N) throw new AssertionError("pair(" + N + ") = " + r);
                        runs.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "guest");
            guest.start();
            started.await();
            long lastLeaf = 0;
            for (int i = 0; i < TOGGLES && failure.get() == null; i++) {
                assertTrue(p.enable("leaf").await(Duration.ofSeconds(10)), "on " + i);
                if (i % 10 == 0) {
                    // Let some hits land in this window (bounded wait).
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (p.snapshot().function("leaf").calls() == lastLeaf && System.nanoTime() < deadline && guest.isAlive()) {
                        Thread.onSpinWait();
                    }
                }
                if (i % 7 == 0) assertTrue(store.requestSafepoint().await(Duration.ofSeconds(10)), "safepoint " + i);
                assertTrue(p.disable("leaf").await(Duration.ofSeconds(10)), "off " + i);
                long leaf = p.snapshot().function("leaf").calls();
                assertTrue(leaf >= lastLeaf, "counts never go back");
                lastLeaf = leaf;
            }
            long leafWhileToggling = p.snapshot().function("leaf").calls();
            assertTrue(leafWhileToggling > 0, "leaf was counted during on windows");
            stop.set(true);
            guest.join(60_000);
            assertNull(failure.get(), () -> "guest failed: " + failure.get());
            ProfileSnapshot s = p.snapshot();
            assertEquals(runs.get() * N, s.function("ctl").calls(), "closed form: N calls of ctl per run, none lost");
            assertEquals(0, s.function("pair").calls(), "pair was never enabled");
            assertTrue(s.function("leaf").calls() <= runs.get() * N + N);
            assertTrue(engine.siteMetrics().trapsTaken() > 0, "the owner took traps at armed sites");

            // Now on for good: exact again, and the shadow stack is balanced.
            p.reset();
            p.enable("leaf").await(Duration.ofSeconds(5));
            for (int i = 0; i < 5; i++) assertEquals(3L * N, inst.func("pair").call(N)[0]);
            s = p.snapshot();
            assertEquals(5L * N, s.function("leaf").calls());
            assertEquals(5L * N, s.function("ctl").calls());
            FunctionProfile ctl = s.function("ctl");
            assertTrue(ctl.selfNanos() <= ctl.totalNanos() + 1, s.format());
            // A toggle can separate an entry from its exit at most once per toggle.
            assertTrue(s.unmatchedExits() + s.staleFrames() <= 2L * TOGGLES + 10, s.format());
            p.close();
            store.close();
        }
    }
}
