/*
 * Where an interrupt's time goes, stage by stage, and how that depends on how long the
 * guest had been running. The epoch suite reports only the end-to-end latency; this tool
 * timestamps each step of the path with the runtime's own listeners:
 *
 *   interrupt() returns     the controller has armed the epoch sites (its thread)
 *   back in Java            the owner trapped at a site, the safepoint stub saw the due
 *                           interrupt and unwound, and Java has done the bookkeeping
 *                           (RuntimeListener.onEpochDeadline)
 *   trap built              the Trap exists (onTrap)
 *   caught                  the guest thread caught the Trap
 *
 * Each stage is reported as p50/p90/p99 of its time since interrupt() was called, for
 * each requested time the guest runs before the interrupt. Run it from the shaded jar:
 *   java -cp benchmarks/target/benchmarks.jar dev.patchbay.bench.InterruptBreakdown \
 *       [--run-us 200,2000,20000] [--trials 300] [--warmup 10000] [--fresh-thread]
 * --fresh-thread starts a new guest thread for every measured call instead of reusing one.
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.RuntimeListener;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.EpochMode;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

public final class InterruptBreakdown {
    static final String[] STAGES = {"interrupt() returns", "back in Java", "trap built", "caught"};

    private InterruptBreakdown() {}

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("InterruptBreakdown: " + e.getMessage());
            System.exit(2);
        }
    }

    static void run(String[] args) throws Exception {
        long[] runUs = {200, 2_000, 20_000};
        int trials = 300, warmup = EpochSuite.WARMUP;
        boolean fresh = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--run-us": runUs = java.util.Arrays.stream(value(args, ++i).split(",")).mapToLong(v -> number(v, 1)).toArray(); break;
                case "--trials": trials = (int) number(value(args, ++i), 1); break;
                case "--warmup": warmup = (int) number(value(args, ++i), 0); break;
                case "--fresh-thread": fresh = true; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]
                    + " (expected --run-us LIST, --trials N, --warmup N, --fresh-thread)");
            }
        }
        System.out.println("machine: " + Machine.describe());
        System.out.println("guest threads: " + (fresh ? "a new one per call" : "one, reused") + "; " + trials + " trials per row after "
            + warmup + " warm-up interrupts; times since interrupt() was called, p50 / p90 / p99 in us");
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Func f = store.instantiate(engine.load(EpochSuite.compile(EpochSuite.RUNAWAY, EpochMode.FUSED, 0))).func("runaway");
            Probe probe = new Probe(engine, store, f);
            probe.measure(warmup, 10, false);
            for (long us : runUs) {
                long[][] t = probe.measure(trials, us, fresh);
                System.out.printf("guest ran %d us before the interrupt%n", us);
                for (int s = 0; s < STAGES.length; s++) {
                    Stats st = new Stats(t[s]);
                    System.out.printf("  %-20s %8.1f %8.1f %8.1f%n", STAGES[s], st.median() / 1e3, st.quantile(0.9) / 1e3, st.p99() / 1e3);
                }
            }
        }
    }

    private static long number(String v, long min) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: '" + v + "'");
        }
        if (n < min || n > 10_000_000) throw new IllegalArgumentException(v + " is out of range (" + min + " to 10000000)");
        return n;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    /** One Store with a runaway guest and listeners that timestamp each stage. */
    private static final class Probe {
        final Store store;
        final Func f;
        final AtomicLong decidedAt = new AtomicLong(), builtAt = new AtomicLong(), caughtAt = new AtomicLong();
        final Semaphore go = new Semaphore(0), done = new Semaphore(0);
        volatile boolean inCall;
        Thread shared;

        Probe(Engine engine, Store store, Func f) {
            this.store = store;
            this.f = f;
            engine.addListener(new RuntimeListener() {
                @Override public void onEpochDeadline(Store s, dev.patchbay.EpochOutcome outcome, long nanos) { decidedAt.set(System.nanoTime()); }

                @Override public void onTrap(Store s, Trap trap) { builtAt.set(System.nanoTime()); }
            });
        }

        /** One call: runs the loop until interrupted, then records when the Trap arrived. */
        void callOnce() {
            inCall = true;
            try {
                f.call(1);
                throw new IllegalStateException("the runaway loop returned");
            } catch (Trap t) {
                caughtAt.set(System.nanoTime());
            } finally {
                inCall = false;
            }
        }

        long[][] measure(int trials, long runUs, boolean fresh) throws Exception {
            long[][] t = new long[STAGES.length][trials];
            for (int i = 0; i < trials; i++) {
                decidedAt.set(0);
                caughtAt.set(0);
                Thread guest = null;
                if (fresh) {
                    guest = new Thread(() -> {
                        callOnce();
                        done.release();
                    }, "breakdown-guest");
                    guest.setDaemon(true);
                    guest.start();
                } else {
                    if (shared == null) {
                        shared = new Thread(() -> {
                            while (true) {
                                go.acquireUninterruptibly();
                                callOnce();
                                done.release();
                            }
                        }, "breakdown-guest");
                        shared.setDaemon(true);
                        shared.start();
                    }
                    go.release();
                }
                long t0;
                while (true) {
                    LockSupport.parkNanos(runUs * 1000);
                    t0 = System.nanoTime();
                    if (inCall && store.interrupt()) break;
                }
                long returned = System.nanoTime();
                if (!done.tryAcquire(10, TimeUnit.SECONDS)) throw new IllegalStateException("the guest was not interrupted within 10 s");
                long[] at = {returned, decidedAt.get(), builtAt.get(), caughtAt.get()};
                for (int s = 0; s < STAGES.length; s++) t[s][i] = at[s] - t0;
            }
            return t;
        }
    }
}
