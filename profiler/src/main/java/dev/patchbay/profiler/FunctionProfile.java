/*
 * One row of a profile: a function's calls and its total, self and mean time. Times are in
 * nanoseconds (converted from TSC ticks with TscClock). Total counts each outermost
 * activation once, so a recursive function's total never exceeds the wall time it ran;
 * mean is total / calls.
 */
package dev.patchbay.profiler;

/** One function's row in a profile: calls, and total, self and mean time in nanoseconds. */
public final class FunctionProfile {
    private final String function;
    private final String module;
    private final long calls;
    private final long totalNanos;
    private final long selfNanos;

    FunctionProfile(String function, String module, long calls, long totalNanos, long selfNanos) {
        this.function = function;
        this.module = module;
        this.calls = calls;
        this.totalNanos = totalNanos;
        this.selfNanos = selfNanos;
    }

    public String function() { return function; }

    public String module() { return module; }

    public long calls() { return calls; }

    /** Inclusive time; a recursive function's nested activations are not added twice. */
    public long totalNanos() { return totalNanos; }

    /** Exclusive time: inclusive time minus the time of profiled callees. */
    public long selfNanos() { return selfNanos; }

    /** totalNanos / calls, or 0 without calls. */
    public double meanNanos() { return calls == 0 ? 0 : (double) totalNanos / calls; }

    @Override public String toString() {
        return function + " [" + module + "] calls=" + calls + " total=" + totalNanos + "ns self=" + selfNanos + "ns";
    }
}
