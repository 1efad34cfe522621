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
    EQ("eq"), NE("ne"),
    SLT("slt"), SGE("sge"), SGT("sgt"), SLE("sle"),
    ULT("ult"), UGE("uge"), UGT("ugt"), ULE("ule");

    private final String clif;

    IntCC(String clif) { this.clif = clif; }

    public String clifName() { return clif; }

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

    /** The condition that holds for (b, a) exactly when this holds for (a, b). */
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

    /** Evaluates the condition on two values of the given type (used by constant folding and tests). */
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

    public static IntCC parse(String s) {
        for (IntCC c : values()) if (c.clif.equals(s)) return c;
        return null;
    }
}
