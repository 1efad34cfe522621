/*
 * Figures for the run's summary, shared by every suite in the test JVM: operations done,
 * patch requests made and applied, traps (guest traps delivered as Trap exceptions, and
 * int3 traps taken at armed sites), the worst latencies, the owner threads of each kind
 * with the calls they made (and how virtual owners moved between carriers), and the
 * process's resources at the start and the end. Lock-free; SummaryListener prints them
 * when the test plan finishes and writes target/stress-summary.txt.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.SiteMetrics;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

final class Stats {
    private Stats() {}

    /** Guest calls, patch requests, compile cases, Store cycles, child-JVM rounds... */
    static final LongAdder OPS = new LongAdder();
    static final LongAdder GUEST_CALLS = new LongAdder();
    static final LongAdder REQUESTS = new LongAdder();
    /** Requests that failed cleanly because their Store closed first. */
    static final LongAdder REQUESTS_FAILED_CLOSED = new LongAdder();
    static final LongAdder GUEST_TRAPS = new LongAdder();
    static final LongAdder INTERRUPTS = new LongAdder();
    static final LongAdder DEADLINE_CALLBACKS = new LongAdder();
    static final LongAdder BAD_INPUT_CASES = new LongAdder();
    static final LongAdder STORE_CYCLES = new LongAdder();
    // Summed from each Engine's SiteMetrics when a suite is done with it.
    static final LongAdder REQUESTS_APPLIED = new LongAdder();
    static final LongAdder SITES_PATCHED = new LongAdder();
    static final LongAdder SAFEPOINT_TRAPS = new LongAdder();
    static final AtomicLong MAX_APPLY_NANOS = new AtomicLong();
    static final AtomicLong MAX_APPLY_P99_NANOS = new AtomicLong();
    static final AtomicLong MAX_INTERRUPT_NANOS = new AtomicLong();
    static final AtomicLong MAX_AWAIT_NANOS = new AtomicLong();
    // Owner threads (Threads.Group.startOwner): how many of each kind, the guest calls each
    // kind made (Threads.ownerCall), and how virtual owners moved between carriers.
    static final LongAdder PLATFORM_OWNERS = new LongAdder(), VIRTUAL_OWNERS = new LongAdder();
    static final LongAdder PLATFORM_OWNER_CALLS = new LongAdder(), VIRTUAL_OWNER_CALLS = new LongAdder();
    /** Virtual owners that made guest calls on more than one carrier thread. */
    static final LongAdder VIRTUAL_OWNERS_MOVED = new LongAdder();
    /** Guest calls of a virtual owner made on another carrier than its previous call. */
    static final LongAdder CARRIER_CHANGES = new LongAdder();
    static final java.util.Set<String> CARRIERS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Guest calls made by virtual owners in child JVMs (reported by their RESULT lines). */
    static final LongAdder CHILD_VIRTUAL_OWNER_CALLS = new LongAdder();
    /** The process's resources when the test plan started and when it finished (SummaryListener). */
    static volatile Resources.Level resourcesAtStart, resourcesAtEnd;
    /** One line per test: what it did. */
    static final Map<String, String> LINES = new ConcurrentSkipListMap<>();

    static void max(AtomicLong a, long v) { a.accumulateAndGet(v, Math::max); }

    /** Folds an Engine's site metrics into the totals (call once per Engine, before closing it). */
    static void engineDone(Engine e) {
        SiteMetrics m = e.siteMetrics();
        REQUESTS_APPLIED.add(m.requestsApplied());
        SITES_PATCHED.add(m.sitesPatched());
        SAFEPOINT_TRAPS.add(m.trapsTaken());
        max(MAX_APPLY_NANOS, m.appliedNanosMax());
        max(MAX_APPLY_P99_NANOS, m.appliedNanosQuantile(0.99));
    }

    static void line(String test, String text) {
        LINES.put(test, text);
        System.out.println("[stress] " + test + ": " + text);
        System.out.flush();
    }

    static String micros(long nanos) { return String.format("%.1f µs", nanos / 1000.0); }

    static String millis(long nanos) { return String.format("%.2f ms", nanos / 1e6); }

    /** "JDK 25.0.1 (Eclipse Adoptium)": the JVM the suites ran on. */
    static String jvm() {
        return "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor", "?") + ")";
    }

    static String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("Patchbay stress summary (").append(Stress.soak() ? "soak, " + Stress.SOAK.toMinutes() + " min budget" : "quick profile")
            .append(", ").append(jvm()).append(")\n");
        sb.append(String.format("  operations done:            %,d%n", OPS.sum()));
        sb.append(String.format("    guest calls:              %,d%n", GUEST_CALLS.sum()));
        sb.append(String.format("    Store create/call/close:  %,d%n", STORE_CYCLES.sum()));
        sb.append(String.format("    bad-input cases:          %,d%n", BAD_INPUT_CASES.sum()));
        sb.append(String.format("  patch requests made:        %,d%n", REQUESTS.sum()));
        sb.append(String.format("  requests applied:           %,d%n", REQUESTS_APPLIED.sum()));
        sb.append(String.format("  requests failed (closed):   %,d%n", REQUESTS_FAILED_CLOSED.sum()));
        sb.append(String.format("  sites patched:              %,d%n", SITES_PATCHED.sum()));
        sb.append(String.format("  traps at armed sites:       %,d%n", SAFEPOINT_TRAPS.sum()));
        sb.append(String.format("  guest traps (Trap):         %,d%n", GUEST_TRAPS.sum()));
        sb.append(String.format("    of which interrupts:      %,d%n", INTERRUPTS.sum()));
        sb.append(String.format("  deadline callbacks:         %,d%n", DEADLINE_CALLBACKS.sum()));
        sb.append("  max request-to-applied:     ").append(millis(MAX_APPLY_NANOS.get()))
            .append(" (worst per-Engine p99 bound ").append(millis(MAX_APPLY_P99_NANOS.get())).append(")\n");
        sb.append("  max request await:          ").append(millis(MAX_AWAIT_NANOS.get())).append('\n');
        sb.append("  max interrupt latency:      ").append(millis(MAX_INTERRUPT_NANOS.get())).append('\n');
        sb.append(String.format("  owner threads:              %,d platform, %,d virtual%s%n", PLATFORM_OWNERS.sum(), VIRTUAL_OWNERS.sum(),
            Threads.VIRTUAL_THREADS ? "" : " (JDK " + Runtime.version().feature() + " has no virtual threads)"));
        sb.append(String.format("    platform-owner calls:     %,d%n", PLATFORM_OWNER_CALLS.sum()));
        sb.append(String.format("    virtual-owner calls:      %,d%s%n", VIRTUAL_OWNER_CALLS.sum(),
            CHILD_VIRTUAL_OWNER_CALLS.sum() > 0 ? String.format(" (and %,d in child JVMs)", CHILD_VIRTUAL_OWNER_CALLS.sum()) : ""));
        if (VIRTUAL_OWNERS.sum() > 0) {
            sb.append(String.format("    virtual owners moved:     %,d of %,d ran calls on more than one carrier; %,d carrier changes "
                + "between calls, %d carriers (scheduler parallelism %d)%n", VIRTUAL_OWNERS_MOVED.sum(), VIRTUAL_OWNERS.sum(),
                CARRIER_CHANGES.sum(), CARRIERS.size(), Threads.carrierParallelism()));
        }
        if (resourcesAtStart != null) sb.append("  resources at start:         ").append(resourcesAtStart.withRss()).append('\n');
        if (resourcesAtEnd != null) sb.append("  resources at end:           ").append(resourcesAtEnd.withRss()).append('\n');
        for (Map.Entry<String, String> e : LINES.entrySet()) sb.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        return sb.toString();
    }
}
