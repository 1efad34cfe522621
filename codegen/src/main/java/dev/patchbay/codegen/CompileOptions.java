/*
 * Options for one compilation: the instrumentation plan (which sites to insert and how
 * epoch sites are emitted), plus code alignment controls. Alignment matters for measurement: moving a
 * tight loop by a few bytes changes its speed by up to 25% on this machine class, so
 * benchmarks align functions and loop headers explicitly, and can shift every function
 * by a pad to vary alignment on purpose.
 */
package dev.patchbay.codegen;

import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;

/**
 * Settings for one compilation: which patch sites to insert and how epoch sites are emitted, plus
 * function and loop alignment, which benchmarks control to measure like with like.
 */
public final class CompileOptions {
    private final InstrumentationPlan plan;
    private final int functionAlign;
    private final int loopAlign;
    private final int functionPad;
    private final int maxInstsPerFunction;
    private final OptLevel optLevel;

    private CompileOptions(Builder b) {
        this.plan = b.plan;
        this.functionAlign = b.functionAlign;
        this.loopAlign = b.loopAlign;
        this.functionPad = b.functionPad;
        this.maxInstsPerFunction = b.maxInstsPerFunction;
        this.optLevel = b.optLevel;
    }

    /**
     * The defaults: no sites, 16-byte function alignment, no loop alignment or pad, at most
     * 1,000,000 instructions per function.
     *
     * @return the default options
     */
    public static CompileOptions defaults() { return builder().build(); }

    /**
     * A builder that starts from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() { return new Builder(); }

    /**
     * Which patch sites the instrumentation pass inserts.
     *
     * @return the plan; {@link InstrumentationPlan#NONE} for no sites
     */
    public InstrumentationPlan plan() { return plan; }

    /**
     * How epoch sites are emitted (only meaningful when the plan inserts epoch sites).
     *
     * @return the plan's epoch mode
     */
    public EpochMode epochMode() { return plan.epochMode(); }

    /**
     * Alignment of each function's start.
     *
     * @return a power of two in bytes, 1 to 4096
     */
    public int functionAlign() { return functionAlign; }

    /**
     * Alignment of loop headers in bytes, or 0 for none.
     *
     * @return 0 or a power of two up to 64
     */
    public int loopAlign() { return loopAlign; }

    /**
     * NOP bytes inserted before each function's aligned start, to vary alignment.
     *
     * @return 0 to 4096
     */
    public int functionPad() { return functionPad; }

    /**
     * The most IR instructions one function may have (after instrumentation); a larger one is a
     * {@link CompileException}.
     *
     * @return the limit, at least 1
     */
    public int maxInstsPerFunction() { return maxInstsPerFunction; }

    /**
     * Which IR transformations run before instrumentation.
     *
     * @return {@link OptLevel#NONE} by default
     */
    public OptLevel optLevel() { return optLevel; }

    /**
     * A builder that starts from these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.plan = plan;
        b.functionAlign = functionAlign;
        b.loopAlign = loopAlign;
        b.functionPad = functionPad;
        b.maxInstsPerFunction = maxInstsPerFunction;
        b.optLevel = optLevel;
        return b;
    }

    /**
     * Collects options for {@link CompileOptions}; unset options keep their defaults (no sites,
     * 16-byte function alignment).
     */
    public static final class Builder {
        private InstrumentationPlan plan = InstrumentationPlan.NONE;
        private int functionAlign = 16;
        private int loopAlign = 0;
        private int functionPad = 0;
        private int maxInstsPerFunction = 1_000_000;
        private OptLevel optLevel = OptLevel.NONE;

        private Builder() {}

        /**
         * Sets which patch sites to insert.
         *
         * @param p the plan
         * @return this builder
         */
        public Builder plan(InstrumentationPlan p) {
            this.plan = p;
            return this;
        }

        /**
         * Sets the alignment of each function's start.
         *
         * @param a a power of two in bytes, 1 to 4096
         * @return this builder
         * @throws IllegalArgumentException if a is out of range
         */
        public Builder functionAlign(int a) {
            if (a < 1 || Integer.bitCount(a) != 1 || a > 4096) {
                throw new IllegalArgumentException("function alignment must be a power of two in 1..4096: " + a);
            }
            this.functionAlign = a;
            return this;
        }

        /**
         * Sets the alignment of loop headers.
         *
         * @param a 0 for none, or a power of two up to 64
         * @return this builder
         * @throws IllegalArgumentException if a is out of range
         */
        public Builder loopAlign(int a) {
            if (a != 0 && (Integer.bitCount(a) != 1 || a > 64)) {
                throw new IllegalArgumentException("loop alignment must be 0 or a power of two up to 64: " + a);
            }
            this.loopAlign = a;
            return this;
        }

        /**
         * Sets the NOP bytes inserted before each function's aligned start.
         *
         * @param p 0 to 4096
         * @return this builder
         * @throws IllegalArgumentException if p is out of range
         */
        public Builder functionPad(int p) {
            if (p < 0 || p > 4096) throw new IllegalArgumentException("function pad must be in 0..4096: " + p);
            this.functionPad = p;
            return this;
        }

        /**
         * Sets the most IR instructions one function may have.
         *
         * @param n the limit, at least 1
         * @return this builder
         * @throws IllegalArgumentException if n is below 1
         */
        public Builder maxInstsPerFunction(int n) {
            if (n < 1) throw new IllegalArgumentException("instruction limit must be positive: " + n);
            this.maxInstsPerFunction = n;
            return this;
        }

        /**
         * Sets which IR transformations run before instrumentation.
         *
         * @param level the level
         * @return this builder
         */
        public Builder optLevel(OptLevel level) {
            this.optLevel = java.util.Objects.requireNonNull(level, "optLevel");
            return this;
        }

        /**
         * The options set so far.
         *
         * @return new options; the builder can go on being used
         */
        public CompileOptions build() { return new CompileOptions(this); }
    }
}
