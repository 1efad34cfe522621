/*
 * The float semantics of the interpreter, on raw bit patterns. A value of type f32 is its
 * 32 IEEE bits in the low half of a long; f64 is all 64. Keeping bits, not Java floats,
 * matters because Java may change a NaN's bits when it moves a float through arithmetic,
 * and CLIF distinguishes NaN payloads: bitcast, fneg, fabs, fcopysign, select, loads and
 * stores carry every bit unchanged, and those operations never go through a Java float.
 *
 * Arithmetic is IEEE 754 with round to nearest even, which Java's float and double
 * operators and Math.fma give exactly (JLS 15.4: strict since Java 17); sqrt of an f32 is
 * computed in double and rounded once, which is correctly rounded because double has more
 * than twice f32's precision plus two bits. Whenever an arithmetic result (the operators,
 * sqrt, fma, fmin/fmax, ceil/floor/trunc/nearest, fpromote/fdemote) is a NaN, it is the
 * canonical NaN (positive, quiet, payload 0: 0x7fc00000 and 0x7ff8000000000000), as
 * Cranelift specifies for fmin/fmax and allows for the rest. Cranelift's run tests check
 * NaN results of the others only with `fcmp uno`, because hardware differs in which NaN
 * it returns (x86 gives a negative one), so compiled code compared with this interpreter
 * must compare such results by NaN-ness, not by bits.
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;

final class FloatOps {
    private FloatOps() {}

    static final long CANONICAL_NAN_32 = 0x7fc0_0000L;
    static final long CANONICAL_NAN_64 = 0x7ff8_0000_0000_0000L;

    private static final double TWO_63 = 9.223372036854775808E18;

    static double value(Type t, long bits) {
        return t == Type.F32 ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits);
    }

    /** The bits of an arithmetic result: rounded to t (exact when it is already of t), the canonical NaN for a NaN. */
    static long bits(Type t, double v) {
        if (Double.isNaN(v)) return t == Type.F32 ? CANONICAL_NAN_32 : CANONICAL_NAN_64;
        return t == Type.F32 ? Float.floatToRawIntBits((float) v) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(v);
    }

    private static long signBit(Type t) { return t == Type.F32 ? 0x8000_0000L : Long.MIN_VALUE; }

    static long fneg(Type t, long a) { return a ^ signBit(t); }

    static long fabs(Type t, long a) { return a & ~signBit(t); }

    static long fcopysign(Type t, long a, long b) { return (a & ~signBit(t)) | (b & signBit(t)); }

    static boolean isNaN(Type t, long a) { return Double.isNaN(value(t, a)); }

    static long binary(Opcode op, Type t, long a, long b) {
        if (t == Type.F32) {
            float x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b);
            switch (op) {
                case FADD: return bits(t, x + y);
                case FSUB: return bits(t, x - y);
                case FMUL: return bits(t, x * y);
                case FDIV: return bits(t, x / y);
                default: break;
            }
        } else {
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
            switch (op) {
                case FADD: return bits(t, x + y);
                case FSUB: return bits(t, x - y);
                case FMUL: return bits(t, x * y);
                case FDIV: return bits(t, x / y);
                default: break;
            }
        }
        switch (op) {
            case FMIN: case FMAX: {
                if (isNaN(t, a) || isNaN(t, b)) return bits(t, Double.NaN);
                double x = value(t, a), y = value(t, b);
                boolean min = op == Opcode.FMIN;
                if (x == y) {
                    // Only zeros of different signs are equal with different bits: -0.0 < +0.0.
                    boolean aNeg = (a & signBit(t)) != 0;
                    return min == aNeg ? a : b;
                }
                return (x < y) == min ? a : b;
            }
            case FCOPYSIGN: return fcopysign(t, a, b);
            default: throw new IllegalStateException(op + " is not a float binary operation");
        }
    }

    static long fma(Type t, long a, long b, long c) {
        if (t == Type.F32) {
            return bits(t, Math.fma(Float.intBitsToFloat((int) a), Float.intBitsToFloat((int) b), Float.intBitsToFloat((int) c)));
        }
        return bits(t, Math.fma(Double.longBitsToDouble(a), Double.longBitsToDouble(b), Double.longBitsToDouble(c)));
    }

    static long unary(Opcode op, Type t, long a) {
        double x = value(t, a); // exact: every f32 is a double
        switch (op) {
            case SQRT: return bits(t, Math.sqrt(x));
            case CEIL: return bits(t, Math.ceil(x));
            case FLOOR: return bits(t, Math.floor(x));
            // Integral results of an f32 are f32 values, so rounding in double is exact.
            case TRUNC: return bits(t, x < 0 ? Math.ceil(x) : Math.floor(x));
            case NEAREST: return bits(t, Math.rint(x));
            case FNEG: return fneg(t, a);
            case FABS: return fabs(t, a);
            default: throw new IllegalStateException(op + " is not a float unary operation");
        }
    }

    static long fpromote(long a) { return bits(Type.F64, Float.intBitsToFloat((int) a)); }

    static long fdemote(long a) { return bits(Type.F32, Double.longBitsToDouble(a)); }

    /**
     * fcvt_to_uint / fcvt_to_sint and their _sat forms: the value rounded toward zero. The
     * trapping forms report bad_toint for a NaN and int_ovf outside the target's range; the
     * saturating ones give 0 for NaN and clamp.
     *
     * @return the result zero-extended, or 0 with trap[0] set
     */
    static long toInt(Type from, Type to, long a, boolean signed, boolean sat, TrapCode[] trap) {
        double x = value(from, a);
        if (Double.isNaN(x)) {
            if (sat) return 0;
            trap[0] = TrapCode.BAD_CONVERSION_TO_INTEGER;
            return 0;
        }
        double tr = x < 0 ? Math.ceil(x) : Math.floor(x);
        int bits = to.bits();
        // Bounds as doubles: every power of two up to 2^64 is exact.
        double lo = signed ? -Math.scalb(1.0, bits - 1) : 0.0;
        double hiExclusive = signed ? Math.scalb(1.0, bits - 1) : Math.scalb(1.0, bits);
        if (tr < lo || tr >= hiExclusive) {
            if (!sat) {
                trap[0] = TrapCode.INTEGER_OVERFLOW;
                return 0;
            }
            if (tr < lo) return signed ? to.zeroExtend(bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1))) : 0;
            return signed ? (bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1) : to.mask();
        }
        long r;
        if (!signed && tr >= TWO_63) r = (long) (tr - TWO_63) + Long.MIN_VALUE;
        else r = (long) tr;
        return to.zeroExtend(r);
    }

    /** fcvt_from_sint / fcvt_from_uint: the integer rounded to nearest. */
    static long fromInt(Type from, Type to, long a, boolean signed) {
        long v = signed ? from.signExtend(a) : from.zeroExtend(a);
        if (to == Type.F32) {
            float r;
            if (signed || v >= 0) r = (float) v;
            else r = (float) ((v >>> 1) | (v & 1)) * 2.0f; // keeps the sticky bit, so it rounds once
            return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
        }
        double r;
        if (signed || v >= 0) r = (double) v;
        else r = (double) ((v >>> 1) | (v & 1)) * 2.0;
        return Double.doubleToRawLongBits(r);
    }
}
