/*
 * How long and with which seed the suites run. The quick profile (plain `mvn verify`)
 * gives every suite a small fixed budget; the soak profile sets -Dsoak.minutes=N and the
 * suites share N minutes between them by fixed fractions. A randomized test takes its
 * seed from -Dstress.seed (to reproduce a failure) or from System.nanoTime(), prints it
 * before it starts, and names it in every assertion message (see Run).
 */
package dev.patchbay.stress;

import java.time.Duration;

final class Stress {
    private Stress() {}

    /** The soak budget for all suites together, or null in the quick profile. */
    static final Duration SOAK = soakBudget();

    private static Duration soakBudget() {
        String s = System.getProperty("soak.minutes", "").trim();
        if (s.isEmpty()) return null;
        double minutes;
        try {
            minutes = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dsoak.minutes must be a number of minutes, got '" + s + "'");
        }
        if (!(minutes > 0) || minutes > 7 * 24 * 60) {
            throw new IllegalArgumentException("-Dsoak.minutes must be in (0, 10080], got " + s);
        }
        return Duration.ofMillis((long) (minutes * 60_000));
    }

    static boolean soak() { return SOAK != null; }

    /**
     * A test's time budget: `quick` in the quick profile, or `share` of the soak budget
     * (never less than `quick`).
     */
    static Duration budget(Duration quick, double share) {
        if (SOAK == null) return quick;
        Duration d = Duration.ofMillis((long) (SOAK.toMillis() * share));
        return d.compareTo(quick) < 0 ? quick : d;
    }

    /** An iteration bound that scales with the budget: `quick` iterations per quick budget. */
    static long iterations(long quick, Duration quickBudget, Duration budget) {
        double scale = Math.max(1.0, (double) budget.toMillis() / quickBudget.toMillis());
        return (long) Math.min(Long.MAX_VALUE / 2, quick * scale);
    }

    /** The seed to use: -Dstress.seed if given (decimal or 0x hex), else a fresh one. */
    static long seed() {
        String s = System.getProperty("stress.seed", "").trim();
        if (s.isEmpty()) return System.nanoTime() ^ 0x5DEECE66DL * Thread.currentThread().getId();
        try {
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dstress.seed must be a long (decimal or 0x hex), got '" + s + "'");
        }
    }
}
