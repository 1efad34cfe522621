/*
 * Integer comparison conditions, with CLIF's names. Kept ISA-neutral: the backend maps
 * each one to a machine condition code.
 */
package dev.patchbay.codegen.ir;

/**
 * Integer comparison conditions with CLIF's names, independent of any ISA; the backend maps each to
 * a machine condition code.
 */
public enum IntCC {
    /** Equal. */
    EQ("eq"),
    /** Not equal. */
    NE("ne"),
    /** Signed less than. */
    SLT("slt"),
    /** Signed greater than or equal. */
    SGE("sge"),
    /** Signed greater than. */
    SGT("sgt"),
    /** Signed less than or equal. */
    SLE("sle"),
    /** Unsigned less than. */
    ULT("ult"),
    /** Unsigned greater than or equal. */
    UGE("uge"),
    /** Unsigned greater than. */
    UGT("ugt"),
    /** Unsigned less than or equal. */
    ULE("ule");

    private final String clif;

    IntCC(String clif) { this.clif = clif; }

    /**
     * The condition's name in CLIF text.
     *
     * @return {@code "eq"}, {@code "slt"}, ...
     */
    public String clifName() { return clif; }

    /**
     * The negated condition.
     *
     * @return the condition that holds exactly when this one does not
     */
    public IntCC inverse() {
        switch (this) {
            case EQ: return NE;
            case NE: return EQ;
            case SLT: return SGE;
            case SGE: return SLT;
            case SGT: return SLE;
            case SLE: return SGT;
            case ULT: return UGE;
            case UGE: return ULT;
            case UGT: return ULE;
            default: return UGT;
        }
    }

    /**
     * The condition that holds for (b, a) exactly when this holds for (a, b).
     *
     * @return the condition with its operands exchanged
     */
    public IntCC swapped() {
        switch (this) {
            case SLT: return SGT;
            case SGT: return SLT;
            case SGE: return SLE;
            case SLE: return SGE;
            case ULT: return UGT;
            case UGT: return ULT;
            case UGE: return ULE;
            case ULE: return UGE;
            default: return this;
        }
    }

    /**
     * Evaluates the condition on two values of the given type (used by constant folding and tests).
     *
     * @param t the operands' type; only its low bits of each operand count
     * @param a the left operand
     * @param b the right operand
     * @return whether the condition holds
     */
    public boolean eval(Type t, long a, long b) {
        long sa = t.signExtend(a), sb = t.signExtend(b);
        long ua = t.zeroExtend(a), ub = t.zeroExtend(b);
        switch (this) {
            case EQ: return ua == ub;
            case NE: return ua != ub;
            case SLT: return sa < sb;
            case SGE: return sa >= sb;
            case SGT: return sa > sb;
            case SLE: return sa <= sb;
            case ULT: return Long.compareUnsigned(ua, ub) < 0;
            case UGE: return Long.compareUnsigned(ua, ub) >= 0;
            case UGT: return Long.compareUnsigned(ua, ub) > 0;
            default: return Long.compareUnsigned(ua, ub) <= 0;
        }
    }

    /**
     * Parses a CLIF condition name.
     *
     * @param s a name such as {@code "ult"}
     * @return the condition, or null if there is none of that name
     */
    public static IntCC parse(String s) {
        for (IntCC c : values()) if (c.clif.equals(s)) return c;
        return null;
    }
}
