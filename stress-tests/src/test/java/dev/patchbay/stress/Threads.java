/*
 * Thread helpers for the suites: start workers that record the first failure, join them
 * with a hang guard, and dump every thread's stack when a guard fires, so a hang is a
 * readable failure rather than a stuck build.
 */
package dev.patchbay.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

final class Threads {
    private Threads() {}

    interface Body {
        void run() throws Throwable;
    }

    /** Worker threads sharing one failure slot. */
    static final class Group {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        private final Run run;

        Group(Run run) { this.run = run; }

        Thread start(String name, Body body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    if (!failure.compareAndSet(null, e)) failure.get().addSuppressed(e);
                }
            }, name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
            return t;
        }

        boolean failed() { return failure.get() != null; }

        /** Joins every thread by the hang guard; throws with a thread dump if one is stuck. */
        void join(long guardNanos) throws InterruptedException {
            for (Thread t : threads) {
                long left = guardNanos - System.nanoTime();
                if (left > 0) t.join(Math.max(1, left / 1_000_000));
                if (t.isAlive()) {
                    throw new AssertionError(run.msg("thread '" + t.getName() + "' did not stop by its hang guard"
                        + (failure.get() != null ? " (after another worker failed: " + failure.get() + ")" : "") + "\n" + dump()), failure.get());
                }
            }
        }

        /** Rethrows the first failure, tagged with the seed. */
        void rethrow() {
            Throwable f = failure.get();
            if (f != null) throw new AssertionError(run.msg("a worker failed: " + f), f);
        }
    }

    static String dump() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            sb.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
            StackTraceElement[] st = e.getValue();
            for (int i = 0; i < Math.min(st.length, 20); i++) sb.append("    at ").append(st[i]).append('\n');
            if (st.length > 20) sb.append("    ...\n");
        }
        return sb.toString();
    }
}
