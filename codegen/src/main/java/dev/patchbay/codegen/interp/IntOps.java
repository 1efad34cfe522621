/*
 * CLIF's scalar integer semantics at a given width, as pure functions on Java longs.
 *
 * The interpreter keeps every value zero-extended from its type ("masked"): the bits above
 * the type's width are zero. Each operation here takes masked operands and returns a
 * masked result, reading the operands signed or unsigned as the CLIF definition asks. The
 * definitions follow Cranelift's instruction docs (meta/src/shared/instructions.rs), not
 * what any backend emits: shift and rotate amounts are taken modulo the width, counts are
 * at the type's width, the overflow flags are exact mathematical range checks, and a
 * carry/borrow input counts as 1 when it is non-zero.
 *
 * Operations that can trap (division) return normally here and leave the trap decision to
 * the caller, which knows the trap codes; see divisionTrap().
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;

import java.math.BigInteger;

final class IntOps {
    private IntOps() {}

    static long mask(Type t, long v) { return t.zeroExtend(v); }

    static long signed(Type t, long v) { return t.signExtend(v); }

    private static long minSigned(Type t) { return t.bits() >= 64 ? Long.MIN_VALUE : -(1L << (t.bits() - 1)); }

    // ---- unary ----

    static long ineg(Type t, long a) { return mask(t, -a); }

    static long iabs(Type t, long a) { return mask(t, Math.abs(signed(t, a))); }

    static long bnot(Type t, long a) { return mask(t, ~a); }

    static long clz(Type t, long a) {
        if (a == 0) return t.bits();
        return Long.numberOfLeadingZeros(a) - (64 - t.bits());
    }

    static long ctz(Type t, long a) {
        if (a == 0) return t.bits();
        return Long.numberOfTrailingZeros(a);
    }

    /** Leading bits equal to the sign bit, not counting the sign bit itself. */
    static long cls(Type t, long a) {
        long s = signed(t, a);
        long y = s ^ (s >> 63);
        return Long.numberOfLeadingZeros(y) - 1 - (64 - t.bits());
    }

    static long popcnt(Type t, long a) { return Long.bitCount(a); }

    static long bitrev(Type t, long a) { return Long.reverse(a) >>> (64 - t.bits()); }

    static long bswap(Type t, long a) { return Long.reverseBytes(a) >>> (64 - t.bits()); }

    // ---- binary ----

    static long iadd(Type t, long a, long b) { return mask(t, a + b); }

    static long isub(Type t, long a, long b) { return mask(t, a - b); }

    static long imul(Type t, long a, long b) { return mask(t, a * b); }

    static long umulhi(Type t, long a, long b) {
        if (t.bits() == 64) return unsignedMultiplyHigh(a, b);
        // Both operands are below 2^32, so the full product fits in 64 unsigned bits.
        return mask(t, (a * b) >>> t.bits());
    }

    static long smulhi(Type t, long a, long b) {
        if (t.bits() == 64) return Math.multiplyHigh(a, b);
        return mask(t, (signed(t, a) * signed(t, b)) >> t.bits());
    }

    /** Java 17 has no Math.unsignedMultiplyHigh: correct the signed high half for negative operands. */
    static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /**
     * The trap a division raises, or null: a zero divisor traps for all four; the signed
     * quotient MIN / -1 does not fit and traps with int_ovf. The signed remainder MIN % -1
     * is 0 and does not trap.
     */
    static TrapCode divisionTrap(Type t, boolean signed, boolean rem, long a, long b) {
        if (b == 0) return TrapCode.INTEGER_DIVISION_BY_ZERO;
        if (signed && !rem && signed(t, a) == minSigned(t) && signed(t, b) == -1) return TrapCode.INTEGER_OVERFLOW;
        return null;
    }

    static long udiv(Type t, long a, long b) { return Long.divideUnsigned(a, b); }

    static long urem(Type t, long a, long b) { return Long.remainderUnsigned(a, b); }

    static long sdiv(Type t, long a, long b) { return mask(t, signed(t, a) / signed(t, b)); }

    static long srem(Type t, long a, long b) {
        long sb = signed(t, b);
        // Long.MIN_VALUE % -1 is 0 in Java too, but say it: CLIF defines it as 0, no trap.
        if (sb == -1) return 0;
        return mask(t, signed(t, a) % sb);
    }

    static long ishl(Type t, long a, long amount) { return mask(t, a << (amount & (t.bits() - 1))); }

    static long ushr(Type t, long a, long amount) { return a >>> (amount & (t.bits() - 1)); }

    static long sshr(Type t, long a, long amount) { return mask(t, signed(t, a) >> (amount & (t.bits() - 1))); }

    static long rotl(Type t, long a, long amount) {
        int w = t.bits();
        int s = (int) (amount & (w - 1));
        if (s == 0) return a;
        return mask(t, (a << s) | (a >>> (w - s)));
    }

    static long rotr(Type t, long a, long amount) {
        int w = t.bits();
        int s = (int) (amount & (w - 1));
        if (s == 0) return a;
        return mask(t, (a >>> s) | (a << (w - s)));
    }

    static long smin(Type t, long a, long b) { return signed(t, a) <= signed(t, b) ? a : b; }

    static long smax(Type t, long a, long b) { return signed(t, a) >= signed(t, b) ? a : b; }

    static long umin(Type t, long a, long b) { return Long.compareUnsigned(a, b) <= 0 ? a : b; }

    static long umax(Type t, long a, long b) { return Long.compareUnsigned(a, b) >= 0 ? a : b; }

    static long bitselect(Type t, long c, long x, long y) { return mask(t, (c & x) | (~c & y)); }

    // ---- overflow and carry: {result, flag} ----

    /** The exact value of a masked operand read unsigned or signed, for the range checks. */
    private static BigInteger exact(Type t, long v, boolean signed) {
        if (signed) return BigInteger.valueOf(signed(t, v));
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(BigInteger.ONE.shiftLeft(64));
    }

    private static boolean fits(Type t, BigInteger v, boolean signed) {
        int w = t.bits();
        if (signed) {
            BigInteger min = BigInteger.ONE.shiftLeft(w - 1).negate();
            BigInteger max = BigInteger.ONE.shiftLeft(w - 1).subtract(BigInteger.ONE);
            return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
        }
        return v.signum() >= 0 && v.compareTo(BigInteger.ONE.shiftLeft(w)) < 0;
    }

    /**
     * x + y + carry (or x - y - borrow) computed exactly; the flag says the exact result does
     * not fit the type read signed or unsigned. BigInteger keeps the check obviously right at
     * 64 bits, where a Java long cannot hold the exact value.
     */
    static long[] addSub(Type t, long a, long b, long carry, boolean sub, boolean signed) {
        BigInteger x = exact(t, a, signed), y = exact(t, b, signed), c = BigInteger.valueOf(carry);
        BigInteger r = sub ? x.subtract(y).subtract(c) : x.add(y).add(c);
        long bits = sub ? a - b - carry : a + b + carry;
        return new long[] {mask(t, bits), fits(t, r, signed) ? 0 : 1};
    }

    static long[] mulOverflow(Type t, long a, long b, boolean signed) {
        BigInteger r = exact(t, a, signed).multiply(exact(t, b, signed));
        return new long[] {mask(t, a * b), fits(t, r, signed) ? 0 : 1};
    }

    /** A carry or borrow input is 1 when it is non-zero (as an i8) and 0 otherwise. */
    static long carryIn(long flag) { return (flag & 0xFF) != 0 ? 1 : 0; }

    // ---- conversions ----

    static long sextend(Type from, Type to, long a) { return mask(to, signed(from, a)); }

    static long bmask(Type to, long a) { return a != 0 ? to.mask() : 0; }
}
