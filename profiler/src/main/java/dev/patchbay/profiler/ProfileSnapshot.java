/*
 * Problem: callers want a profile as data (tests, metrics) and as a table (the CLI).
 * Approach: an immutable copy of the counters at one moment: one FunctionProfile per
 * function (sorted by total time, then calls), plus the shadow stack's health counters,
 * and a plain-text table renderer.
 */
package dev.patchbay.profiler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** An immutable copy of a Profiler's counters at one moment, as data and as a text table. */
public final class ProfileSnapshot {
    private final String store;
    private final boolean timing;
    private final List<FunctionProfile> rows;
    private final long stale, unmatched, overflows;

    ProfileSnapshot(String store, boolean timing, List<FunctionProfile> rows, long stale, long unmatched, long overflows) {
        List<FunctionProfile> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(FunctionProfile::totalNanos).reversed()
            .thenComparing(Comparator.comparingLong(FunctionProfile::calls).reversed())
            .thenComparing(FunctionProfile::function));
        this.store = store;
        this.timing = timing;
        this.rows = Collections.unmodifiableList(sorted);
        this.stale = stale;
        this.unmatched = unmatched;
        this.overflows = overflows;
    }

    /**
     * The profiled Store's name ({@link Profiler#storeName()}).
     *
     * @return the name
     */
    public String store() { return store; }

    /**
     * Whether times were measured ({@link ProfilerConfig#timing}); if not, every time is 0.
     *
     * @return true if they were
     */
    public boolean timing() { return timing; }

    /**
     * One row per function of every instance, called or not.
     *
     * @return the rows, by total time, then calls, then name, descending; unmodifiable
     */
    public List<FunctionProfile> functions() { return rows; }

    /**
     * The row of a function.
     *
     * @param name the function's name, without the {@code %} sigil
     * @return its row (the first, if several modules define it), or null if there is none
     */
    public FunctionProfile function(String name) {
        for (FunctionProfile r : rows) if (r.function().equals(name)) return r;
        return null;
    }

    /**
     * Shadow-stack frames dropped because a trap or an unwind skipped their exit.
     *
     * @return the count since the profiler attached
     */
    public long staleFrames() { return stale; }

    /**
     * Exits whose entry was not recorded (its site was off, or the shadow stack was full).
     *
     * @return the count since the profiler attached
     */
    public long unmatchedExits() { return unmatched; }

    /**
     * Entries not timed because the shadow stack was full.
     *
     * @return the count since the profiler attached
     */
    public long overflows() { return overflows; }

    /**
     * The profile as a text table, as the CLI prints it: function, module, calls, total,
     * self and mean, one line per function called, and a line on the shadow stack's health
     * if any of its counters is not 0.
     *
     * @return the table, lines ending in the platform's line separator
     */
    public String format() {
        StringBuilder sb = new StringBuilder();
        int w = "function".length(), mw = "module".length();
        for (FunctionProfile r : rows) {
            w = Math.max(w, r.function().length());
            mw = Math.max(mw, r.module().length());
        }
        String fmt = "%-" + w + "s  %-" + mw + "s  %12s  %11s  %11s  %11s%n";
        sb.append(String.format(Locale.ROOT, fmt, "function", "module", "calls", "total", "self", "mean"));
        for (FunctionProfile r : rows) {
            if (r.calls() == 0 && r.totalNanos() == 0) continue;
            sb.append(String.format(Locale.ROOT, fmt, r.function(), r.module(), String.format(Locale.ROOT, "%,d", r.calls()),
                timing ? duration(r.totalNanos()) : "-", timing ? duration(r.selfNanos()) : "-",
                timing ? duration(r.meanNanos()) : "-"));
        }
        if (stale + unmatched + overflows > 0) {
            sb.append(String.format(Locale.ROOT, "(%d frames left by traps or unwinds, %d unmatched exits, %d untimed deep entries)%n",
                stale, unmatched, overflows));
        }
        return sb.toString();
    }

    /** A duration in the unit that keeps 3-4 significant digits: 812 ns, 12.3 us, 4.56 ms, 1.23 s. */
    static String duration(double nanos) {
        if (nanos < 1_000) return String.format(Locale.ROOT, "%.0f ns", nanos);
        if (nanos < 1_000_000) return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        if (nanos < 1_000_000_000) return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
