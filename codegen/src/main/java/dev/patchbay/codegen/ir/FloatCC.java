/*
 * The fourteen conditions of fcmp, as in Cranelift's FloatCC. A comparison of IEEE values
 * has four possible outcomes: less, equal, greater, or unordered (either operand is NaN).
 * Each condition is the set of outcomes for which it holds; -0.0 and +0.0 compare equal.
 */
package dev.patchbay.codegen.ir;

/** A condition for {@code fcmp}: the set of outcomes (less, equal, greater, unordered) for which it holds. */
public enum FloatCC {
    /** Neither operand is NaN. */
    ORD("ord", true, true, true, false),
    /** Either operand is NaN. */
    UNO("uno", false, false, false, true),
    /** Ordered and equal. */
    EQ("eq", false, true, false, false),
    /** Unordered or not equal (the complement of {@link #EQ}). */
    NE("ne", true, false, true, true),
    /** Ordered and not equal: less or greater. */
    ONE("one", true, false, true, false),
    /** Unordered or equal. */
    UEQ("ueq", false, true, false, true),
    /** Ordered and less. */
    LT("lt", true, false, false, false),
    /** Ordered and less or equal. */
    LE("le", true, true, false, false),
    /** Ordered and greater. */
    GT("gt", false, false, true, false),
    /** Ordered and greater or equal. */
    GE("ge", false, true, true, false),
    /** Unordered or less. */
    ULT("ult", true, false, false, true),
    /** Unordered or less or equal. */
    ULE("ule", true, true, false, true),
    /** Unordered or greater. */
    UGT("ugt", false, false, true, true),
    /** Unordered or greater or equal. */
    UGE("uge", false, true, true, true);

    private final String clif;
    private final boolean less, equal, greater, unordered;

    FloatCC(String clif, boolean less, boolean equal, boolean greater, boolean unordered) {
        this.clif = clif;
        this.less = less;
        this.equal = equal;
        this.greater = greater;
        this.unordered = unordered;
    }

    /**
     * The condition's name in CLIF text.
     *
     * @return such as {@code "ult"}
     */
    public String clifName() { return clif; }

    /**
     * Parses a CLIF condition name.
     *
     * @param s a name such as {@code "uge"}
     * @return the condition, or null if there is none of that name
     */
    public static FloatCC parse(String s) {
        for (FloatCC c : values()) if (c.clif.equals(s)) return c;
        return null;
    }

    /**
     * Whether the condition holds for two values.
     *
     * @param t f32 or f64
     * @param a the left operand's bit pattern
     * @param b the right operand's bit pattern
     * @return the comparison's result
     */
    public boolean eval(Type t, long a, long b) {
        double x = t == Type.F32 ? Float.intBitsToFloat((int) a) : Double.longBitsToDouble(a);
        double y = t == Type.F32 ? Float.intBitsToFloat((int) b) : Double.longBitsToDouble(b);
        if (Double.isNaN(x) || Double.isNaN(y)) return unordered;
        if (x < y) return less;
        if (x > y) return greater;
        return equal;
    }

    @Override public String toString() { return clif; }
}
