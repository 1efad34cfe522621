/*
 * CLIF float literals: what Cranelift's printer writes for each class of value, and that
 * printing then parsing gives back the same bits for every pattern (random ones, and the
 * edges: zeros, subnormals, the largest finite, infinities, quiet and signalling NaNs).
 */
package dev.patchbay.codegen.ir;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IeeeLiteralTest {
    @Test
    void printsAsCraneliftDoes() {
        assertEquals("0.0", IeeeLiteral.format(Type.F32, 0));
        assertEquals("-0.0", IeeeLiteral.format(Type.F32, 0x8000_0000L));
        assertEquals("0x1.800000p3", IeeeLiteral.format(Type.F32, Float.floatToRawIntBits(12f)));
        assertEquals("0x1.8000000000000p3", IeeeLiteral.format(Type.F64, Double.doubleToRawLongBits(12.0)));
        assertEquals("0x0.000002p-126", IeeeLiteral.format(Type.F32, 1));
        assertEquals("+Inf", IeeeLiteral.format(Type.F32, 0x7f80_0000L));
        assertEquals("-Inf", IeeeLiteral.format(Type.F64, 0xfff0_0000_0000_0000L));
        assertEquals("+NaN", IeeeLiteral.format(Type.F32, 0x7fc0_0000L));
        assertEquals("-NaN:0x3fffff", IeeeLiteral.format(Type.F32, 0xffff_ffffL));
        assertEquals("+sNaN:0x1", IeeeLiteral.format(Type.F64, 0x7ff0_0000_0000_0001L));
    }

    @Test
    void parsesEveryFormTheRunTestsUse() {
        assertEquals(Float.floatToRawIntBits(12f), IeeeLiteral.parse(Type.F32, "0x1.8p3"));
        assertEquals(Float.floatToRawIntBits(1f), IeeeLiteral.parse(Type.F32, "0x1.0"));
        assertEquals(Float.floatToRawIntBits(9f), IeeeLiteral.parse(Type.F32, "0x9.0"));
        assertEquals(Float.floatToRawIntBits(0.5f), IeeeLiteral.parse(Type.F32, "0x1.p-1"));
        assertEquals(Double.doubleToRawLongBits(3e9), IeeeLiteral.parse(Type.F64, "0xB2D05E00.0"));
        assertEquals(0x8000_0000L, IeeeLiteral.parse(Type.F32, "-0x0.0"));
        assertEquals(127, IeeeLiteral.parse(Type.F32, "0x0.0000fep-126"));
        assertEquals(0xffc0_0001L, IeeeLiteral.parse(Type.F32, "-NaN:0x1"));
        assertEquals(0x7f80_0001L, IeeeLiteral.parse(Type.F32, "+sNaN:0x1"));
        assertEquals(0xfff0_0000_0000_0000L, IeeeLiteral.parse(Type.F64, "-Inf"));
        assertEquals(0x7f80_0000L, IeeeLiteral.parse(Type.F32, "Inf"));
    }

    @Test
    void printThenParseGivesTheSameBits() {
        Random rnd = new Random(16);
        long[] edges32 = {0, 0x8000_0000L, 1, 0x007f_ffffL, 0x0080_0000L, 0x7f7f_ffffL, 0x7f80_0000L, 0xff80_0000L,
            0x7fc0_0000L, 0x7f80_0001L, 0xffff_ffffL};
        for (long b : edges32) assertEquals(b, IeeeLiteral.parse(Type.F32, IeeeLiteral.format(Type.F32, b)));
        long[] edges64 = {0, Long.MIN_VALUE, 1, 0x000f_ffff_ffff_ffffL, 0x7fef_ffff_ffff_ffffL, 0x7ff0_0000_0000_0000L,
            0x7ff8_0000_0000_0000L, 0x7ff0_0000_0000_0001L, -1L};
        for (long b : edges64) assertEquals(b, IeeeLiteral.parse(Type.F64, IeeeLiteral.format(Type.F64, b)));
        for (int i = 0; i < 100_000; i++) {
            long b32 = rnd.nextInt() & 0xFFFF_FFFFL;
            assertEquals(b32, IeeeLiteral.parse(Type.F32, IeeeLiteral.format(Type.F32, b32)), IeeeLiteral.format(Type.F32, b32));
            long b64 = rnd.nextLong();
            assertEquals(b64, IeeeLiteral.parse(Type.F64, IeeeLiteral.format(Type.F64, b64)), IeeeLiteral.format(Type.F64, b64));
        }
    }
}
