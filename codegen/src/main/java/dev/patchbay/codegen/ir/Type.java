/*
 * Value types of the IR. CLIF has integer, float, vector and reference types; Patchbay
 * lowers the scalar integers today. The float and wide types are still named here so the
 * parser can recognise them and report a function as skipped ("unsupported type f64")
 * rather than failing with a syntax error, and so adding floats later is additive.
 */
package dev.patchbay.codegen.ir;

/**
 * Value types of the IR. Only the scalar integers are compiled today; the others are named so that
 * functions using them can be reported as skipped rather than as syntax errors.
 */
public enum Type {
    /** 8-bit integer. */
    I8(8, true),
    /** 16-bit integer. */
    I16(16, true),
    /** 32-bit integer. */
    I32(32, true),
    /** 64-bit integer; also the type of addresses on x86-64. */
    I64(64, true),
    /** 128-bit integer; parsed, not compiled. */
    I128(128, false),
    /** 32-bit IEEE float; parsed, not compiled. */
    F32(32, false),
    /** 64-bit IEEE float; parsed, not compiled. */
    F64(64, false);

    private final int bits;
    private final boolean supported;

    Type(int bits, boolean supported) {
        this.bits = bits;
        this.supported = supported;
    }

    /**
     * The width of the type.
     *
     * @return its width in bits
     */
    public int bits() { return bits; }

    /**
     * The size of the type.
     *
     * @return its size in bytes
     */
    public int bytes() { return bits / 8; }

    /**
     * True for the scalar integer types the backend can lower.
     *
     * @return true for i8, i16, i32 and i64
     */
    public boolean isSupported() { return supported; }

    /**
     * Whether this is an integer type.
     *
     * @return false only for f32 and f64
     */
    public boolean isInt() { return this != F32 && this != F64; }

    /**
     * Mask of the type's bits within a Java long (all ones for 64 bits and wider).
     *
     * @return the mask
     */
    public long mask() { return bits >= 64 ? -1L : (1L << bits) - 1; }

    /**
     * Sign-extends the low bits of {@code v} from this type's width.
     *
     * @param v a value whose low {@link #bits()} bits hold the type's value
     * @return that value sign-extended to 64 bits
     */
    public long signExtend(long v) {
        if (bits >= 64) return v;
        int sh = 64 - bits;
        return (v << sh) >> sh;
    }

    /**
     * Zero-extends the low bits of {@code v} from this type's width.
     *
     * @param v a value whose low {@link #bits()} bits hold the type's value
     * @return that value with every higher bit cleared
     */
    public long zeroExtend(long v) { return v & mask(); }

    /**
     * The type's name in CLIF text.
     *
     * @return {@code "i8"}, {@code "i64"}, {@code "f32"}, ...
     */
    public String clifName() { return name().toLowerCase(java.util.Locale.ROOT); }

    @Override public String toString() { return clifName(); }

    /**
     * Parses a CLIF type name.
     *
     * @param s a name such as {@code "i32"}
     * @return the type, or null if the name is not a scalar type Patchbay knows
     */
    public static Type parse(String s) {
        switch (s) {
            case "i8": return I8;
            case "i16": return I16;
            case "i32": return I32;
            case "i64": return I64;
            case "i128": return I128;
            case "f32": return F32;
            case "f64": return F64;
            default: return null;
        }
    }
}
