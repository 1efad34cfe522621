/*
 * The JVM keeps working while our SIGTRAP handler is installed and arming runs at full
 * tilt: a workload that raises implicit NullPointerExceptions (HotSpot's SIGSEGV-based
 * null checks in compiled code), allocates, and calls System.gc() gives exactly the same
 * results with and without the arming load beside it.
 */
package dev.patchbay.signal;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class JvmCoexistenceTest {
    static final class Box {
        long v;

        Box(long v) { this.v = v; }
    }

    /** Deterministic: a checksum over allocations and caught implicit NPEs. */
    static long[] workload(int rounds) {
        long npes = 0, sum = 0;
        List<Box> keep = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 20_000; i++) {
                Box b = (i % 7 == 0) ? null : new Box(i);
                try {
                    sum += b.v; // implicit null check: a SIGSEGV HotSpot turns into an NPE
                } catch (NullPointerException e) {
                    npes++;
                }
                if (i % 1000 == 0) keep.add(new Box(sum));
            }
            if (r % 10 == 0) {
                keep.clear();
                System.gc();
            }
        }
        return new long[] {npes, sum};
    }

    @Test
    void npeAndGcGiveTheSameResultsUnderArmingLoad() throws Exception {
        long[] baseline = workload(100);
        try (Engine engine = new Engine()) {
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(ArmingTest.compile()));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong requests = new AtomicLong();
            Thread guest = new Thread(() -> {
                try {
                    while (!stop.get()) assertEquals(ArmingTest.closedForm(2_000_000), inst.func("spin").call(2_000_000)[0]);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "guest");
            Thread controller = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        assertTrue(store.request(SitePlan.on()).await(Duration.ofSeconds(30)));
                        assertTrue(store.request(SitePlan.off()).await(Duration.ofSeconds(30)));
                        requests.addAndGet(2);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "controller");
            guest.start();
            controller.start();
            long[] under = workload(100);
            long[] again = workload(100);
            // The workload's length is the machine's, not the arming's: on a loaded VM two
            // rounds can end before the controller got through ten requests, so go on
            // (still checking every round) until it has, within a bound.
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (requests.get() <= 10 && failure.get() == null && System.nanoTime() < until) {
                assertArrayEquals(baseline, workload(100));
            }
            stop.set(true);
            controller.join(60_000);
            guest.join(60_000);
            assertNull(failure.get(), () -> "failed: " + failure.get());
            assertArrayEquals(baseline, under);
            assertArrayEquals(baseline, again);
            assertTrue(requests.get() > 10, "arming ran meanwhile: " + requests.get() + " requests");
            assertTrue(engine.siteMetrics().trapsTaken() > 0);
            store.close();
        }
    }
}
