/*
 * Problem: the native hooks time functions with rdtsc (tens of cycles, no system call), but
 * people want nanoseconds, and the TSC rate is not reported anywhere portable.
 * Approach: calibrate once per process against System.nanoTime. Read the TSC through a tiny
 * generated function (ProfilerStubs.readTsc, called with Native.call) bracketed by two
 * nanoTime reads; of five such readings keep the one with the narrowest bracket and take
 * its midpoint as the nanoTime of the TSC read. Do that, sleep CALIBRATION_MILLIS, do it
 * again: ticks per ns = delta TSC / delta ns. Each bracket is tens of ns wide, so over
 * 20 ms the rate is off by well under 0.01%.
 *
 * The method assumes an invariant TSC (constant rate, not stopped in idle states; the
 * cpuinfo flags constant_tsc and nonstop_tsc), which every x86-64 server since about 2008
 * has and KVM passes through. Without those flags a warning is logged and figures are
 * approximate. The same look at /proc/cpuinfo warns if lahf_lm is missing: the profile
 * sites' trampolines save the flags with lahf/sahf (see codegen Trampolines).
 */
package dev.patchbay.profiler;

import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Converts TSC ticks, which the profiler's native hooks time with, to nanoseconds,
 * calibrated once per process (20 ms, at first use) against {@link System#nanoTime()}. It
 * assumes an invariant TSC, as every x86-64 server since about 2008 has; without one a
 * warning is logged and times are approximate. Thread-safe.
 */
public final class TscClock {
    private static final System.Logger LOG = System.getLogger(TscClock.class.getName());
    static final int CALIBRATION_MILLIS = 20;

    private static final class Holder {
        static final long READ_TSC;
        static final double TICKS_PER_NS;

        static {
            CodeMemory mem = CodeMemory.allocate(64, "rdtsc");
            mem.write(0, ProfilerStubs.readTsc());
            READ_TSC = mem.execAddress(0);
            // Never closed: read() may be called for the life of the process.
            TICKS_PER_NS = calibrate();
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("TSC calibrated: %.4f ticks/ns", TICKS_PER_NS));
        }
    }

    private TscClock() {}

    /**
     * Reads the time stamp counter ({@code rdtsc}), as the hooks do.
     *
     * @return the current TSC value, in ticks
     */
    public static long read() { return Native.call(Holder.READ_TSC); }

    /**
     * The TSC rate, measured once per process.
     *
     * @return TSC ticks per nanosecond
     */
    public static double ticksPerNanosecond() { return Holder.TICKS_PER_NS; }

    /**
     * Converts TSC ticks to nanoseconds.
     *
     * @param ticks a number of ticks (a difference of two TSC values)
     * @return the nanoseconds, rounded
     */
    public static long toNanos(long ticks) { return Math.round(ticks / Holder.TICKS_PER_NS); }

    private static double calibrate() {
        checkCpuFlags();
        for (int i = 0; i < 1000; i++) read(); // warm up the downcall path
        long[] a = reading();
        try {
            Thread.sleep(CALIBRATION_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            long until = System.nanoTime() + CALIBRATION_MILLIS * 1_000_000L;
            while (System.nanoTime() < until) Thread.onSpinWait();
        }
        long[] b = reading();
        double rate = (double) (b[1] - a[1]) / (b[0] - a[0]);
        if (!(rate > 0.01 && rate < 100)) {
            throw new IllegalStateException("TSC calibration gave " + rate + " ticks/ns; is the TSC usable on this machine?");
        }
        return rate;
    }

    /** {nanoTime, tsc} from the narrowest of five nanoTime brackets around a TSC read. */
    private static long[] reading() {
        long bestWidth = Long.MAX_VALUE, bestMid = 0, bestTsc = 0;
        for (int i = 0; i < 5; i++) {
            long n0 = System.nanoTime();
            long t = read();
            long n1 = System.nanoTime();
            if (n1 - n0 < bestWidth) {
                bestWidth = n1 - n0;
                bestMid = n0 + (n1 - n0) / 2;
                bestTsc = t;
            }
        }
        return new long[] {bestMid, bestTsc};
    }

    private static void checkCpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (!line.startsWith("flags")) continue;
                if (!line.contains(" constant_tsc") || !line.contains(" nonstop_tsc")) {
                    LOG.log(System.Logger.Level.WARNING, "this CPU does not report an invariant TSC (constant_tsc, nonstop_tsc); profiler times are approximate");
                }
                if (!line.contains(" lahf_lm")) {
                    LOG.log(System.Logger.Level.WARNING, "this CPU does not report lahf_lm; profile-site trampolines use lahf/sahf and will fault");
                }
                return;
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read /proc/cpuinfo", e);
        }
    }
}
