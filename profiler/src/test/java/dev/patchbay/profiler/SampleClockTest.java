package dev.patchbay.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The samplers' thread: fixed rate without bursts, nothing after stop, a minimum period. */
class SampleClockTest {
    @Test
    void aTickThatFallsFarBehindIsNotFollowedByABurstOfTheMissedOnes() throws Exception {
        SampleClock clock = new SampleClock("test-clock");
        long period = 1_000_000;
        List<Long> starts = new ArrayList<>();
        CountDownLatch four = new CountDownLatch(4);
        clock.start(Duration.ofNanos(period), () -> {
            synchronized (starts) {
                starts.add(System.nanoTime());
            }
            // The first tick stalls for 50 periods: a clock that caught up would now fire
            // about 50 ticks back to back.
            if (four.getCount() == 4) sleep(50);
            four.countDown();
        });
        assertTrue(four.await(10, TimeUnit.SECONDS));
        clock.stop();
        synchronized (starts) {
            // Tick 2 runs at once after the stall (it was due); tick 3 waits a whole period
            // from tick 2's start, and tick 4 about one from tick 3. Scheduling delays only
            // lengthen these gaps, so the bound holds on a loaded machine too.
            assertTrue(starts.get(2) - starts.get(1) >= period / 2, "gap after the stall: " + (starts.get(2) - starts.get(1)) + " ns");
            assertTrue(starts.get(3) - starts.get(1) >= period, "two ticks after the stall span a period: " + (starts.get(3) - starts.get(1)) + " ns");
        }
    }

    @Test
    void afterStopReturnsNoTickRuns() throws Exception {
        SampleClock clock = new SampleClock("test-clock");
        AtomicInteger ticks = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        clock.start(Duration.ofNanos(10_000), () -> {
            ticks.incrementAndGet();
            started.countDown();
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertTrue(clock.isRunning());
        clock.stop();
        assertFalse(clock.isRunning());
        int seen = ticks.get();
        sleep(30);
        assertEquals(seen, ticks.get(), "a tick ran after stop() returned");
        clock.stop(); // a second stop does nothing
    }

    @Test
    void aPeriodBelowTheMinimumIsRaisedAndABadOneRefused() {
        SampleClock clock = new SampleClock("test-clock");
        assertThrows(IllegalArgumentException.class, () -> clock.start(Duration.ZERO, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> clock.start(null, () -> {}));
        clock.start(Duration.ofNanos(1), () -> {});
        try {
            assertEquals(Duration.ofNanos(SampleClock.MIN_PERIOD_NANOS), clock.period());
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> clock.start(Duration.ofMillis(1), () -> {}));
            assertEquals("already sampling", twice.getMessage());
        } finally {
            clock.stop();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
