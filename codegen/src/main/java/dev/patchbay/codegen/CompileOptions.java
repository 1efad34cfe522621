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

    private CompileOptions(Builder b) {
        this.plan = b.plan;
        this.functionAlign = b.functionAlign;
        this.loopAlign = b.loopAlign;
        this.functionPad = b.functionPad;
        this.maxInstsPerFunction = b.maxInstsPerFunction;
    }

    public static CompileOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public InstrumentationPlan plan() { return plan; }

    /** How epoch sites are emitted (only meaningful when the plan inserts epoch sites). */
    public EpochMode epochMode() { return plan.epochMode(); }

    public int functionAlign() { return functionAlign; }

    /** Alignment of loop headers in bytes, or 0 for none. */
    public int loopAlign() { return loopAlign; }

    /** NOP bytes inserted before each function's aligned start, to vary alignment. */
    public int functionPad() { return functionPad; }

    public int maxInstsPerFunction() { return maxInstsPerFunction; }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.plan = plan;
        b.functionAlign = functionAlign;
        b.loopAlign = loopAlign;
        b.functionPad = functionPad;
        b.maxInstsPerFunction = maxInstsPerFunction;
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

        private Builder() {}

        public Builder plan(InstrumentationPlan p) {
            this.plan = p;
            return this;
        }

        public Builder functionAlign(int a) {
            if (a < 1 || Integer.bitCount(a) != 1 || a > 4096) {
                throw new IllegalArgumentException("function alignment must be a power of two in 1..4096: " + a);
            }
            this.functionAlign = a;
            return this;
        }

        public Builder loopAlign(int a) {
            if (a != 0 && (Integer.bitCount(a) != 1 || a > 64)) {
                throw new IllegalArgumentException("loop alignment must be 0 or a power of two up to 64: " + a);
            }
            this.loopAlign = a;
            return this;
        }

        public Builder functionPad(int p) {
            if (p < 0 || p > 4096) throw new IllegalArgumentException("function pad must be in 0..4096: " + p);
            this.functionPad = p;
            return this;
        }

        public Builder maxInstsPerFunction(int n) {
            if (n < 1) throw new IllegalArgumentException("instruction limit must be positive: " + n);
            this.maxInstsPerFunction = n;
            return this;
        }

        public CompileOptions build() { return new CompileOptions(this); }
    }
}
