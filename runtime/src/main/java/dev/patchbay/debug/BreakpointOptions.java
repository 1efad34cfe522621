/*
 * What a breakpoint does when the owner reaches it, beyond stopping: a condition on the
 * values visible there, a hit condition on how often that condition held, and a log
 * message that makes it a logpoint. Only text here: the Store parses it when the edit is
 * applied (a syntax error fails the whole edit) and evaluates it on the owner at each hit.
 */
package dev.patchbay.debug;

/**
 * A breakpoint's condition, hit condition and log message, each optional (null for none).
 *
 * <p>The {@code condition} is an expression over the values a stop shows, by the names
 * {@link StopEvent#variables} gives them ({@code v3}), with C's integer and boolean operators
 * and precedence: {@code ?:}, {@code ||}, {@code &&}, {@code |}, {@code ^}, {@code &},
 * {@code == !=}, {@code < <= > >=}, {@code << >>}, {@code + -}, {@code * / %}, unary {@code ! ~ -},
 * parentheses, decimal and {@code 0x} literals, {@code true} and {@code false}. Values are signed
 * 64-bit; a comparison is 1 or 0; the condition holds when it is not 0. {@code &&}, {@code ||} and
 * {@code ?:} evaluate only the side they need.
 *
 * <p>The {@code hitCondition} counts the hits at which the condition held (every hit, without
 * one), in the forms VS Code's JavaScript debugger takes: {@code 5} or {@code ==5} (the fifth
 * only), {@code >=5}, {@code >5}, {@code <5}, {@code <=5}, and {@code %3} (every third).
 *
 * <p>A {@code logMessage} makes a logpoint: where a breakpoint would stop, it logs the message
 * instead, with every {@code {expr}} replaced by that expression's value, and never stops.
 *
 * @param condition the condition, or null to stop at every hit
 * @param hitCondition the hit condition, or null for every hit that passes the condition
 * @param logMessage the log message, or null for a breakpoint that stops
 */
public record BreakpointOptions(String condition, String hitCondition, String logMessage) {
    /** No condition, no hit condition, no message: a plain breakpoint. */
    public static final BreakpointOptions NONE = new BreakpointOptions(null, null, null);

    /**
     * Whether these options make a logpoint.
     *
     * @return true if there is a log message
     */
    public boolean isLogpoint() { return logMessage != null; }

    /**
     * A builder, starting from {@link #NONE}.
     *
     * @return a new builder
     */
    public static Builder builder() { return new Builder(); }

    /** Builds {@link BreakpointOptions}; each setter replaces what was set before. */
    public static final class Builder {
        private String condition, hitCondition, logMessage;

        private Builder() {}

        /**
         * Sets the condition.
         *
         * @param condition an expression, or null for none
         * @return this builder
         */
        public Builder condition(String condition) {
            this.condition = condition;
            return this;
        }

        /**
         * Sets the hit condition.
         *
         * @param hitCondition {@code N}, {@code ==N}, {@code >=N}, {@code >N}, {@code <N}, {@code <=N} or
         *     {@code %N}, or null for none
         * @return this builder
         */
        public Builder hitCondition(String hitCondition) {
            this.hitCondition = hitCondition;
            return this;
        }

        /**
         * Sets the log message, which makes a logpoint.
         *
         * @param logMessage text with {@code {expr}} interpolations, or null for a breakpoint that
         *     stops
         * @return this builder
         */
        public Builder logMessage(String logMessage) {
            this.logMessage = logMessage;
            return this;
        }

        /**
         * The options.
         *
         * @return the options set so far
         */
        public BreakpointOptions build() { return new BreakpointOptions(condition, hitCondition, logMessage); }
    }
}
