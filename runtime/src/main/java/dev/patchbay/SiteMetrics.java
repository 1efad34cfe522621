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

/**
 * Counters of the site machinery over all Stores of an {@link Engine} ({@link
 * Engine#siteMetrics()}): requests, arming, traps taken at armed sites, sites patched, and
 * the time from request to applied. Live and monotonic; updated without locks, and any
 * thread may read them. The profiler exports them through Micrometer.
 */
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

    SiteMetrics() {}

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

    /**
     * Site requests made: {@link Store#request} and {@link Store#requestSafepoint()} (so
     * every sample a sampling profiler asks for counts too).
     *
     * @return the count
     */
    public long requests() { return requests.sum(); }

    /**
     * Times a running Store was armed: one per request that found its owner in guest code.
     *
     * @return the count
     */
    public long arms() { return arms.sum(); }

    /**
     * Sites armed with {@code int3}, over all arms.
     *
     * @return the count
     */
    public long sitesArmed() { return sitesArmed.sum(); }

    /**
     * Traps an owner took at an armed site (each is a safepoint).
     *
     * @return the count
     */
    public long trapsTaken() { return traps.sum(); }

    /**
     * Sites rewritten to their on or off form.
     *
     * @return the count
     */
    public long sitesPatched() { return sitesPatched.sum(); }

    /**
     * Requests applied (the others are pending, or failed when their Store closed).
     *
     * @return the count
     */
    public long requestsApplied() { return applied.sum(); }

    /**
     * The request-to-applied times of all applied requests, added up.
     *
     * @return the total in nanoseconds
     */
    public long appliedNanosTotal() { return appliedNanos.sum(); }

    /**
     * The longest request-to-applied time so far.
     *
     * @return the maximum in nanoseconds, 0 before the first
     */
    public long appliedNanosMax() { return maxAppliedNanos.get(); }

    /**
     * An upper bound of a quantile of request-to-applied time, from a histogram with one
     * bucket per power of two.
     *
     * @param q the quantile, from 0 to 1 (0.99 for p99)
     * @return the upper bound in nanoseconds (one less than a power of two), 0 with no data
     */
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
