/*
 * What the epoch tests share: the guest functions they run (a runaway loop, a summing
 * loop with a closed form, a call through a hostcall), an Engine with epoch
 * interruption, and helpers to run a guest on its own thread.
 */
package dev.patchbay.epoch;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

public final class EpochGuests {
    private EpochGuests() {}

    /** %runaway, a loop with no calls (loop { brif }), and %outer, which calls it; no hostcalls. */
    public static final String RUNAWAY_ONLY = String.join("\n",
        "function %runaway(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}",
        "function %outer(i64) -> i64 {",
        "    fn0 = %runaway(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    return v1",
        "}",
        "");

    /** RUNAWAY_ONLY (Chicory's interpreter cannot stop its loop) and the guests below. */
    public static final String RUNAWAY = RUNAWAY_ONLY + String.join("\n",
        // sum of 0..n-1, for continueFor
        "function %sum(i64) -> i64 {",
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
        "}",
        "function %via_host(i64) -> i64 {",
        "    fn0 = %host_wait(i64) -> i64",
        "    fn1 = %runaway(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = call fn1(v1)",
        "    return v2",
        "}");

    public static Engine engine() { return new Engine(new EngineConfig().epochInterruption(true)); }

    public static long closedForm(long n) { return n * (n - 1) / 2; }

    /**
     * Calls fn(arg) on a new daemon thread (a guest the test may have to abandon if it
     * fails); `outcome` receives the first result or what the call threw.
     */
    public static Thread startCall(Instance inst, String fn, long arg, AtomicReference<Object> outcome) {
        Thread guest = new Thread(() -> {
            try {
                outcome.set(inst.func(fn).call(arg)[0]);
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        guest.setDaemon(true);
        guest.start();
        return guest;
    }

    /** Waits like a hostcall that does not answer interruption, and keeps the status for its caller. */
    public static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    assertTrue(latch.await(10, TimeUnit.SECONDS));
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

}
