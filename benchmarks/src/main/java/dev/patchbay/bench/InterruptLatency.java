/*
 * Interrupt latency, measured beside this machine's floor for it.
 *
 * On a shared VM an interrupt's latency depends as much on the machine as on the code:
 * after a guest has run uninterrupted for milliseconds, every path the interrupt takes
 * (the kernel's signal delivery, HotSpot's exception dispatch) runs cold, and even the
 * plain-Java loop below slows down several times over (compare its 50-250 us and 20 ms
 * rows in `patchbay bench --suite latency`). So the harness measures two runaways in
 * alternation, trial by trial:
 *
 *   patchbay    a fused-mode CLIF loop with no calls; stop() is Store.interrupt(), and
 *               the run ends when the INTERRUPT Trap is caught on the guest thread;
 *   java-poll   the best a JVM can do without Patchbay: a Java loop polling a volatile
 *               flag (a cost on every iteration that Patchbay's idle sites do not pay),
 *               which throws a stackless exception to its caller once the flag is set.
 *
 * Each has its own guest thread, and each stop lands at the same kind of moment (a random
 * 50-250 us into the run, or a fixed time), so whatever the machine does to one it does
 * to the other.
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

final class InterruptLatency {
    private InterruptLatency() {}

    /** Something a guest thread runs until another thread stops it. */
    interface Runaway {
        /** Guest thread: runs until stopped; throws if it ends any other way. */
        void run() throws Exception;

        /** Measuring thread: stops the run now; false if it has not started yet. */
        boolean stop();
    }

    /** The runaway CLIF loop in a Store, stopped by interrupt(). */
    static final class PatchbayLoop implements Runaway, AutoCloseable {
        private final Engine engine = new Engine(new EngineConfig().epochInterruption(true));
        private final Store store = new Store(engine);
        private final Func f = store.instantiate(engine.load(EpochSuite.compile(EpochSuite.RUNAWAY, EpochMode.FUSED, 0))).func("runaway");

        @Override public void run() {
            try {
                f.call(1);
            } catch (Trap t) {
                if (t.code().equals(TrapCode.INTERRUPT)) return;
                throw t;
            }
            throw new IllegalStateException("the runaway loop returned");
        }

        @Override public boolean stop() { return store.interrupt(); }

        @Override public void close() {
            store.close();
            engine.close();
        }
    }

    /** A Java loop polling a volatile flag, which it answers with a stackless exception. */
    static final class JavaPollingLoop implements Runaway {
        private static final class Stopped extends RuntimeException {
            Stopped() { super("stopped", null, false, false); }
        }

        private volatile boolean started, stopRequested;
        /** Keeps the loop's counter alive, so the JIT cannot drop it. */
        volatile long iterations;

        @Override public void run() {
            try {
                spin();
            } catch (Stopped s) {
                return;
            } finally {
                started = false;
                stopRequested = false;
            }
        }

        private void spin() {
            started = true;
            long n = 0;
            while (!stopRequested) n++;
            iterations = n;
            throw new Stopped();
        }

        @Override public boolean stop() {
            if (!started) return false;
            stopRequested = true;
            return true;
        }
    }

    /**
     * Latency samples in ns, one array per runaway: stop() called on this thread → the run
     * ended on the guest thread. The first `warmup` trials of each are not counted (they
     * let HotSpot compile both paths); `cold` (if not null) receives each runaway's first
     * cold[k].length of them. Each stop lands `runNanos` into the run, or a random 50 to
     * 250 us if runNanos is 0. The runaways take turns, in alternating order.
     */
    static long[][] measure(Runaway[] runaways, int trials, long runNanos, int warmup, long[][] cold) throws Exception {
        int n = runaways.length;
        long[][] samples = new long[n][trials];
        Guest[] guests = new Guest[n];
        for (int k = 0; k < n; k++) guests[k] = new Guest(runaways[k]);
        SplittableRandom rnd = new SplittableRandom(42);
        try {
            for (int i = -warmup; i < trials; i++) {
                for (int j = 0; j < n; j++) {
                    int k = (i & 1) == 0 ? j : n - 1 - j;
                    long wait = i < 0 ? 10_000 : runNanos > 0 ? runNanos : 50_000 + rnd.nextInt(200_000);
                    long dt = guests[k].once(wait);
                    if (cold != null && i + warmup < cold[k].length) cold[k][i + warmup] = dt;
                    if (i >= 0) samples[k][i] = dt;
                }
            }
        } finally {
            for (Guest g : guests) g.finish();
        }
        return samples;
    }

    /** One runaway's guest thread, which runs it once per release of `go`. */
    private static final class Guest {
        final Runaway r;
        final Semaphore go = new Semaphore(0), done = new Semaphore(0);
        final AtomicLong endedAt = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean quit;
        final Thread thread;

        Guest(Runaway r) {
            this.r = r;
            thread = new Thread(() -> {
                while (true) {
                    go.acquireUninterruptibly();
                    if (quit) return;
                    try {
                        r.run();
                        endedAt.set(System.nanoTime());
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                    done.release();
                }
            }, "bench-runaway");
            thread.setDaemon(true);
            thread.start();
        }

        /** Starts a run, stops it `waitNanos` later, and returns stop() → run ended in ns. */
        long once(long waitNanos) throws Exception {
            go.release();
            long t0;
            // stop() says false until the run has started.
            while (true) {
                LockSupport.parkNanos(waitNanos);
                t0 = System.nanoTime();
                if (r.stop()) break;
            }
            if (!done.tryAcquire(10, TimeUnit.SECONDS)) throw new IllegalStateException("the runaway did not stop within 10 s");
            if (failure.get() != null) throw new IllegalStateException("unexpected outcome", failure.get());
            return endedAt.get() - t0;
        }

        void finish() throws InterruptedException {
            quit = true;
            go.release();
            thread.join(10_000);
        }
    }
}
