/*
 * The interpreter's float semantics where Cranelift's run tests are loose or silent: the
 * exact NaN bits that bit operations, memory and calls must carry, the canonical NaN of
 * arithmetic, signed zeros in fmin/fmax, ties in nearest, the edges of the trapping and
 * saturating conversions, and correct rounding of u64 to float, checked against
 * definitions written here independently (BigDecimal for the conversions).
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FloatSemanticsTest {
    private static Interpreter interp(String clif) {
        return new Interpreter(ClifParser.parse("f.clif", clif).parsedFunctions());
    }

    private static long f32(float f) { return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL; }

    private static long f64(double d) { return Double.doubleToRawLongBits(d); }

    @Test
    void nanPayloadsSurviveBitOperationsMemoryAndCalls() {
        Interpreter in = interp("""
            function %keep(f32) -> f32, f32, f32, f32, i32 {
                ss0 = explicit_slot 4
            block0(v0: f32):
                v1 = fneg v0
                v2 = fabs v1
                v3 = f32const -0x0.0
                v4 = fcopysign v0, v3
                v5 = stack_addr.i64 ss0
                store.f32 v4, v5
                v6 = load.f32 v5
                v7 = call fn0(v6)
                v8 = bitcast.i32 v7
                return v1, v2, v4, v7, v8
            }
            function %id(f32) -> f32 {
            block0(v0: f32):
                return v0
            }
            """.replace("    ss0 = explicit_slot 4\n", "    ss0 = explicit_slot 4\n    fn0 = %id(f32) -> f32\n"));
        long snan = 0x7f80_0001L; // a signalling NaN: Java arithmetic would quiet it
        assertArrayEquals(new long[] {0xff80_0001L, snan, 0xff80_0001L, 0xff80_0001L, (long) (int) 0xff80_0001L},
            in.call("keep", snan));
    }

    @Test
    void arithmeticNaNsAreCanonicalAndMinMaxOrderZeros() {
        Interpreter in = interp("""
            function %ops(f64, f64) -> f64, f64, f64, f64, f64 {
            block0(v0: f64, v1: f64):
                v2 = fadd v0, v1
                v3 = fmin v0, v1
                v4 = fmax v0, v1
                v5 = fmul v0, v1
                v6 = sqrt v0
                return v2, v3, v4, v5, v6
            }
            """);
        long canon = 0x7ff8_0000_0000_0000L;
        long negSnan = 0xfff0_0000_0000_0001L;
        assertArrayEquals(new long[] {canon, canon, canon, canon, canon}, in.call("ops", negSnan, f64(1.0)));
        assertArrayEquals(new long[] {f64(0.0), f64(-0.0), f64(0.0), f64(-0.0), f64(0.0)}, in.call("ops", f64(0.0), f64(-0.0)));
        assertArrayEquals(new long[] {f64(0.0), f64(-0.0), f64(0.0), f64(-0.0), f64(-0.0)}, in.call("ops", f64(-0.0), f64(0.0)));
        // inf - inf is invalid: x86 would give a negative NaN, the interpreter the canonical one.
        assertEquals(canon, in.call("ops", f64(Double.POSITIVE_INFINITY), f64(Double.NEGATIVE_INFINITY))[0]);
    }

    @Test
    void roundingOps() {
        Interpreter in = interp("""
            function %r(f32) -> f32, f32, f32, f32 {
            block0(v0: f32):
                v1 = nearest v0
                v2 = trunc v0
                v3 = ceil v0
                v4 = floor v0
                return v1, v2, v3, v4
            }
            """);
        assertArrayEquals(new long[] {f32(2f), f32(2f), f32(3f), f32(2f)}, in.call("r", f32(2.5f)));
        assertArrayEquals(new long[] {f32(4f), f32(3f), f32(4f), f32(3f)}, in.call("r", f32(3.5f)));
        assertArrayEquals(new long[] {f32(-0f), f32(-0f), f32(-0f), f32(-1f)}, in.call("r", f32(-0.5f)));
    }

    @Test
    void conversionsTrapSaturateAndRound() {
        Interpreter in = interp("""
            function %s32(f64) -> i32 {
            block0(v0: f64):
                v1 = fcvt_to_sint.i32 v0
                return v1
            }
            function %u64(f32) -> i64 {
            block0(v0: f32):
                v1 = fcvt_to_uint.i64 v0
                return v1
            }
            function %sat(f64) -> i32, i32 {
            block0(v0: f64):
                v1 = fcvt_to_sint_sat.i32 v0
                v2 = fcvt_to_uint_sat.i32 v0
                return v1, v2
            }
            function %from(i64) -> f32, f64 {
            block0(v0: i64):
                v1 = fcvt_from_uint.f32 v0
                v2 = fcvt_from_uint.f64 v0
                return v1, v2
            }
            """);
        TrapCode nan = assertThrows(InterpreterTrap.class, () -> in.call("s32", f64(Double.NaN))).code();
        assertEquals(TrapCode.BAD_CONVERSION_TO_INTEGER, nan);
        assertEquals(TrapCode.INTEGER_OVERFLOW, assertThrows(InterpreterTrap.class, () -> in.call("s32", f64(2147483648.0))).code());
        assertArrayEquals(new long[] {Integer.MAX_VALUE}, in.call("s32", f64(2147483647.9)));
        assertArrayEquals(new long[] {Integer.MIN_VALUE}, in.call("s32", f64(-2147483648.9)));
        assertEquals(TrapCode.INTEGER_OVERFLOW, assertThrows(InterpreterTrap.class, () -> in.call("s32", f64(-2147483649.0))).code());
        assertArrayEquals(new long[] {0}, in.call("u64", f32(-0.9f)));
        assertEquals(TrapCode.INTEGER_OVERFLOW, assertThrows(InterpreterTrap.class, () -> in.call("u64", f32(-1f))).code());
        assertArrayEquals(new long[] {0x8000_0000_0000_0000L}, in.call("u64", f32(9.223372036854775808E18f)));
        assertEquals(TrapCode.INTEGER_OVERFLOW, assertThrows(InterpreterTrap.class, () -> in.call("u64", f32(1.8446744073709551616E19f))).code());
        assertArrayEquals(new long[] {0, 0}, in.call("sat", f64(Double.NaN)));
        assertArrayEquals(new long[] {Integer.MAX_VALUE, -1}, in.call("sat", f64(1e300)));
        assertArrayEquals(new long[] {Integer.MIN_VALUE, 0}, in.call("sat", f64(-1e300)));
        Random rnd = new Random(16);
        for (int i = 0; i < 20_000; i++) {
            long v = i < 64 ? (1L << i) | (i > 0 ? rnd.nextLong() >>> (64 - i) : 0) : rnd.nextLong();
            BigDecimal exact = new BigDecimal(Long.toUnsignedString(v));
            long[] got = in.call("from", v);
            assertEquals(Float.floatToRawIntBits(nearestFloat(exact)) & 0xFFFF_FFFFL, got[0], Long.toUnsignedString(v));
            assertEquals(Double.doubleToRawLongBits(exact.round(new MathContext(53, RoundingMode.HALF_EVEN)).doubleValue()), got[1],
                Long.toUnsignedString(v));
        }
    }

    /** Rounds to 24 significant bits, ties to even, by integer arithmetic (exact for values below 2^64). */
    private static float nearestFloat(BigDecimal exact) {
        java.math.BigInteger n = exact.toBigIntegerExact();
        int drop = Math.max(0, n.bitLength() - 24);
        if (drop == 0) return n.floatValue();
        java.math.BigInteger q = n.shiftRight(drop);
        java.math.BigInteger rem = n.subtract(q.shiftLeft(drop));
        java.math.BigInteger half = java.math.BigInteger.ONE.shiftLeft(drop - 1);
        int c = rem.compareTo(half);
        if (c > 0 || (c == 0 && q.testBit(0))) q = q.add(java.math.BigInteger.ONE);
        return Math.scalb(q.floatValue(), drop);
    }
}
