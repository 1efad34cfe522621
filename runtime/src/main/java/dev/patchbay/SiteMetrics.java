/*
 * Counters of the site machinery, per Engine: requests, arms, traps taken at armed sites,
 * sites patched, and the time from request to applied (a log2 histogram plus count, sum
 * and max). Updated without locks on every event; the profiler exports them through
 * Micrometer.
 */
package dev.patchbay;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

public final class SiteMetrics {
    private final LongAdder requests = new LongAdder();
    private final LongAdder arms = new LongAdder();
    private final LongAdder sitesArmed = new LongAdder();
    private final LongAdder traps = new LongAdder();
    private final LongAdder sitesPatched = new LongAdder();
    private final LongAdder applied = new LongAdder();
    private final LongAdder appliedNanos = new LongAdder();
    private final AtomicLong maxAppliedNanos = new AtomicLong();
    /** Bucket i counts latencies in [2^i, 2^(i+1)) ns. */
    private final AtomicLongArray buckets = new AtomicLongArray(64);

    void request() { requests.increment(); }

    void arm(int sites) {
        arms.increment();
        sitesArmed.add(sites);
    }

    void trap() { traps.increment(); }

    void patched(int sites) { sitesPatched.add(sites); }

    void applied(long nanos) {
        applied.increment();
        appliedNanos.add(nanos);
        maxAppliedNanos.accumulateAndGet(nanos, Math::max);
        buckets.incrementAndGet(63 - Long.numberOfLeadingZeros(Math.max(1, nanos)));
    }

    public long requests() { return requests.sum(); }

    public long arms() { return arms.sum(); }

    public long sitesArmed() { return sitesArmed.sum(); }

    public long trapsTaken() { return traps.sum(); }

    public long sitesPatched() { return sitesPatched.sum(); }

    public long requestsApplied() { return applied.sum(); }

    public long appliedNanosTotal() { return appliedNanos.sum(); }

    public long appliedNanosMax() { return maxAppliedNanos.get(); }

    /** An upper bound of the q-quantile of request-to-applied time, from the histogram. */
    public long appliedNanosQuantile(double q) {
        long total = 0;
        for (int i = 0; i < 64; i++) total += buckets.get(i);
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total), seen = 0;
        for (int i = 0; i < 64; i++) {
            seen += buckets.get(i);
            if (seen >= rank) return (1L << (i + 1)) - 1;
        }
        return Long.MAX_VALUE;
    }
}
