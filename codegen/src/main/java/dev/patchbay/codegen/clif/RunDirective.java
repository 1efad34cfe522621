/*
 * A `; run:` line: call a function with arguments and compare its results. Values stay
 * raw 64-bit patterns because only the runner knows the declared types to read them at
 * (`0xFFFF` is -1 as an i16 and 65535 as an i32).
 *
 * Two forms: `; run: %f(1, 2) == 3` (or `!=`, or `== [a, b]` for several results), and the
 * bare `; run` (or `; run: %f(args)` without a comparison), which means the function must
 * return a true, non-zero value; that is recorded as `!= 0` with truthy() set.
 *
 * Skipped functions may carry float or i128 literals (`0x1.8p3`, `NaN`) that do not fit a
 * long; such a directive keeps the literal texts and reports integral() == false.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

import java.util.List;

/**
 * A {@code ; run:} line: call a function with arguments and compare its results. Values are kept as
 * raw 64-bit patterns, since only the runner knows the declared types to read them at.
 */
public final class RunDirective {
    /** How a run directive compares the results with the expected values. */
    public enum Comparison {
        /** The results must equal the expected values. */
        EQ("=="),
        /** The results must differ from the expected values. */
        NE("!=");

        /** The operator as written in the directive. */
        public final String symbol;

        Comparison(String symbol) { this.symbol = symbol; }
    }

    private final String function;
    private final long[] args;
    private final Comparison comparison;
    private final long[] expected;
    private final SourceLoc loc;
    private final boolean truthy;
    private final boolean integral;
    private final List<String> argTexts;
    private final List<String> expectedTexts;

    RunDirective(String function, long[] args, Comparison comparison, long[] expected, SourceLoc loc,
                 boolean truthy, boolean integral, List<String> argTexts, List<String> expectedTexts) {
        this.function = function;
        this.args = args.clone();
        this.comparison = comparison;
        this.expected = expected.clone();
        this.loc = loc;
        this.truthy = truthy;
        this.integral = integral;
        this.argTexts = List.copyOf(argTexts);
        this.expectedTexts = List.copyOf(expectedTexts);
    }

    /**
     * The called function's name, without the {@code %}.
     *
     * @return the name
     */
    public String function() { return function; }

    /**
     * Argument bit patterns. Meaningful only when integral().
     *
     * @return a copy of the arguments, one 64-bit pattern each
     */
    public long[] args() { return args.clone(); }

    /**
     * How the results are compared with {@link #expected()}.
     *
     * @return the comparison; {@code NE} against 0 for the truthy forms
     */
    public Comparison comparison() { return comparison; }

    /**
     * Expected result bit patterns. Meaningful only when integral().
     *
     * @return a copy of the expected values, one per result; a single 0 for the truthy forms
     */
    public long[] expected() { return expected.clone(); }

    /**
     * Where the directive is.
     *
     * @return its location in the file
     */
    public SourceLoc loc() { return loc; }

    /**
     * True for the forms without an explicit comparison: the single result must be non-zero.
     *
     * @return whether this is a bare {@code ; run} check
     */
    public boolean truthy() { return truthy; }

    /**
     * False when some literal is not a 64-bit integer (floats, wide i128 values).
     *
     * @return whether {@link #args()} and {@link #expected()} hold every value
     */
    public boolean integral() { return integral; }

    /**
     * The argument literals as written.
     *
     * @return the literals, unmodifiable
     */
    public List<String> argTexts() { return argTexts; }

    /**
     * The expected literals as written.
     *
     * @return the literals, unmodifiable; empty for the truthy forms
     */
    public List<String> expectedTexts() { return expectedTexts; }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("run: %").append(function).append('(')
            .append(String.join(", ", argTexts)).append(')');
        if (truthy) return sb.toString();
        sb.append(' ').append(comparison.symbol).append(' ');
        if (expectedTexts.size() == 1) sb.append(expectedTexts.get(0));
        else sb.append('[').append(String.join(", ", expectedTexts)).append(']');
        return sb.toString();
    }
}
