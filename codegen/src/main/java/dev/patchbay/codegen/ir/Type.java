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
    I8(8, true),
    I16(16, true),
    I32(32, true),
    I64(64, true),
    I128(128, false),
    F32(32, false),
    F64(64, false);

    private final int bits;
    private final boolean supported;

    Type(int bits, boolean supported) {
        this.bits = bits;
        this.supported = supported;
    }

    public int bits() { return bits; }

    public int bytes() { return bits / 8; }

    /** True for the scalar integer types the backend can lower. */
    public boolean isSupported() { return supported; }

    public boolean isInt() { return this != F32 && this != F64; }

    /** Mask of the type's bits within a Java long (all ones for 64 bits and wider). */
    public long mask() { return bits >= 64 ? -1L : (1L << bits) - 1; }

    /** Sign-extends the low bits of {@code v} from this type's width. */
    public long signExtend(long v) {
        if (bits >= 64) return v;
        int sh = 64 - bits;
        return (v << sh) >> sh;
    }

    public long zeroExtend(long v) { return v & mask(); }

    public String clifName() { return name().toLowerCase(java.util.Locale.ROOT); }

    @Override public String toString() { return clifName(); }

    /** Parses a CLIF type name, or returns null if the name is not a scalar type we know. */
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
