/*
 * One randomized test run: its name, seed, budget and deadline. Prints the seed and the
 * command that reproduces it before anything happens, hands out per-thread Randoms
 * derived from the seed, and tags assertion messages with the seed, so any failure
 * report carries what it takes to run it again.
 */
package dev.patchbay.stress;

import java.time.Duration;
import java.util.SplittableRandom;

final class Run {
    final String name;
    final long seed;
    final Duration budget;
    private final long startNanos;
    private final long deadlineNanos;

    private Run(String name, long seed, Duration budget) {
        this.name = name;
        this.seed = seed;
        this.budget = budget;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + budget.toNanos();
    }

    /** Starts a run with `quick` as its quick-profile budget and `share` of a soak. */
    static Run start(String name, Duration quick, double share) {
        Run r = new Run(name, Stress.seed(), Stress.budget(quick, share));
        System.out.println("[stress] " + name + ": seed=" + r.seed + " budget=" + r.budget.toMillis() + " ms"
            + (Stress.soak() ? " (soak)" : " (quick)") + "; reproduce with -Dstress.seed=" + r.seed);
        System.out.flush();
        return r;
    }

    /** A Random for one thread or role of this run; the same (seed, stream) gives the same choices. */
    SplittableRandom random(int stream) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + stream);
    }

    boolean timeLeft() { return System.nanoTime() - deadlineNanos < 0; }

    long elapsedMillis() { return (System.nanoTime() - startNanos) / 1_000_000; }

    /** The budget's deadline plus `grace`: when a hang guard should give up. */
    long deadlinePlus(Duration grace) { return deadlineNanos + grace.toNanos(); }

    /** An assertion message tagged with the run and its seed. */
    String msg(String what) { return what + " [" + name + " seed=" + seed + " -Dstress.seed=" + seed + "]"; }

    @Override public String toString() { return name + " seed=" + seed; }
}
