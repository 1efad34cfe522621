/*
 * One row of a profile: a function's calls and its total, self and mean time. Times are in
 * nanoseconds (converted from TSC ticks with TscClock). Total counts each outermost
 * activation once, so a recursive function's total never exceeds the wall time it ran;
 * mean is total / calls.
 */
package dev.patchbay.profiler;

/**
 * One function's row in a {@link ProfileSnapshot}: its calls, and its total, self and mean time
 * in nanoseconds. Times are 0 when the profiler does not time calls ({@link
 * ProfilerConfig#timing(boolean)}).
 *
 * @param function   the guest function's name
 * @param module     the module's name, as {@link ProfilerConfig#moduleName} set it (default
 *                   {@code module-I}, I the instance's position in its Store)
 * @param calls      calls counted
 * @param totalNanos inclusive time; a recursive function's nested activations are not added twice,
 *                   so it never exceeds the wall time the function ran
 * @param selfNanos  exclusive time: inclusive time minus the time of profiled callees
 */
public record FunctionProfile(String function, String module, long calls, long totalNanos, long selfNanos) {
    /**
     * The mean inclusive time of a call.
     *
     * @return totalNanos / calls, or 0 without calls
     */
    public double meanNanos() { return calls == 0 ? 0 : (double) totalNanos / calls; }

    /** The row as text: function, module, calls, total and self time. */
    @Override public String toString() {
        return function + " [" + module + "] calls=" + calls + " total=" + totalNanos + "ns self=" + selfNanos + "ns";
    }
}
