/*
 * Value types of the IR. CLIF has integer, float, vector and reference types; the IR, the
 * parser, the verifier and the interpreter handle the scalar integers and f32/f64 (a
 * float value is carried as its raw IEEE bit pattern in the low bits of a long). The
 * x86-64 backend lowers the integers only: Compiler refuses a function with a float
 * (Compiler.backendRefusal). i128 is named so the parser can report a function that uses
 * it as skipped rather than failing with a syntax error.
 */
package dev.patchbay.codegen.ir;

/**
 * Value types of the IR: the scalar integers and the IEEE floats f32 and f64, whose values are
 * carried as raw bit patterns. i128 is named only so that functions using it can be reported as
 * skipped rather than as syntax errors.
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
    /** 32-bit IEEE float; parsed, verified and interpreted, not yet compiled by the x86-64 backend. */
    F32(32, true),
    /** 64-bit IEEE float; parsed, verified and interpreted, not yet compiled by the x86-64 backend. */
    F64(64, true);

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
     * True for the types the IR handles (parser, verifier, interpreter). The x86-64 backend lowers
     * only the integer ones of these; see {@code Compiler.backendRefusal}.
     *
     * @return true for i8, i16, i32, i64, f32 and f64
     */
    public boolean isSupported() { return supported; }

    /**
     * Whether this is an integer type.
     *
     * @return false only for f32 and f64
     */
    public boolean isInt() { return this != F32 && this != F64; }

    /**
     * Whether this is an IEEE float type.
     *
     * @return true only for f32 and f64
     */
    public boolean isFloat() { return this == F32 || this == F64; }

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
