/*
 * Order statistics over a set of samples, for harness figures (median, p99, max).
 */
package dev.patchbay.bench;

import java.util.Arrays;

public final class Stats {
    private final long[] sorted;

    public Stats(long[] samples) {
        if (samples.length == 0) throw new IllegalArgumentException("no samples");
        this.sorted = samples.clone();
        Arrays.sort(sorted);
    }

    public int count() { return sorted.length; }

    /** The q-quantile by the nearest-rank method. */
    public long quantile(double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public long median() { return quantile(0.5); }

    public long p99() { return quantile(0.99); }

    public long max() { return sorted[sorted.length - 1]; }

    public long min() { return sorted[0]; }
}
