/*
 * Unit tests of the reference interpreter itself: what it does beyond plain arithmetic
 * (traps and their backtraces, the step and call-depth limits, the stack-slot memory
 * model, indirect calls, idle patch sites, non-comparable functions), and an exhaustive
 * check of the 8-bit arithmetic against definitions written independently here, with
 * plain int math on every pair of operands.
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.Instrumenter;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterpreterTest {
    private static Interpreter interp(String clif) {
        return new Interpreter(ClifParser.parse("test.clif", clif).functions());
    }

    private static TrapCode trapOf(Interpreter in, String fn, long... args) {
        return assertThrows(InterpreterTrap.class, () -> in.call(fn, args)).code();
    }

    @Test
    void argumentsAreTruncatedAndResultsSignExtended() {
        Interpreter in = interp("function %f(i8, i16) -> i8, i16, i32 {\n"
            + "block0(v0: i8, v1: i16):\n"
            + "    v2 = iadd_imm v0, 1\n"
            + "    v3 = uextend.i32 v1\n"
            + "    return v2, v1, v3\n"
            + "}\n");
        assertArrayEquals(new long[] {-128, -1, 0xFFFF}, in.call("f", 0x17F, 0xABCDFFFFL));
    }

    @Test
    void divisionTraps() {
        Interpreter in = interp("function %sdiv(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = sdiv v0, v1\n    return v2\n}\n"
            + "function %srem(i16, i16) -> i16 {\nblock0(v0: i16, v1: i16):\n    v2 = srem v0, v1\n    return v2\n}\n"
            + "function %udiv(i8) -> i8 {\nblock0(v0: i8):\n    v2 = udiv_imm v0, 0\n    return v2\n}\n");
        assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, trapOf(in, "sdiv", 1, 0));
        assertEquals(TrapCode.INTEGER_OVERFLOW, trapOf(in, "sdiv", Integer.MIN_VALUE, -1));
        assertArrayEquals(new long[] {0}, in.call("srem", Short.MIN_VALUE, -1));
        assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, trapOf(in, "srem", Short.MIN_VALUE, 0));
        assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, trapOf(in, "udiv", 5));
    }

    @Test
    void trapsCarryTheirCodeAndTheCallChain() {
        Interpreter in = interp("function %inner(i64) -> i64 {\nblock0(v0: i64):\n    trapz v0, user3\n    return v0\n}\n"
            + "function %outer(i64) -> i64 {\n    fn0 = %inner(i64) -> i64\nblock0(v0: i64):\n"
            + "    v1 = call fn0(v0)\n    v2 = iadd_imm v1, 1\n    return v2\n}\n");
        InterpreterTrap t = assertThrows(InterpreterTrap.class, () -> in.call("outer", 0));
        assertEquals(TrapCode.user(3), t.code());
        assertEquals(List.of("inner", "outer"), t.backtrace());
        assertArrayEquals(new long[] {8}, in.call("outer", 7));
    }

    @Test
    void stepLimitIsNotATrap() {
        Interpreter in = interp("function %spin() {\nblock0:\n    jump block1\n\nblock1:\n    jump block1\n}\n").setStepLimit(1000);
        StepLimitExceeded e = assertThrows(StepLimitExceeded.class, () -> in.call("spin"));
        assertEquals(1000, e.limit());
        assertEquals(1001, in.stepsTaken());
    }

    @Test
    void deepRecursionTrapsWithStackOverflowNotAJavaStackOverflow() {
        Interpreter in = interp("function %r(i64) -> i64 {\n    fn0 = %r(i64) -> i64\nblock0(v0: i64):\n"
            + "    v1 = call fn0(v0)\n    return v1\n}\n").setMaxCallDepth(200_000);
        InterpreterTrap t = assertThrows(InterpreterTrap.class, () -> in.call("r", 0));
        assertEquals(TrapCode.STACK_OVERFLOW, t.code());
        assertEquals(200_001, t.backtrace().size());
    }

    @Test
    void memoryIsStackSlotsOnly() {
        Interpreter in = interp("function %oob(i64) -> i64 {\n    ss0 = explicit_slot 8\nblock0(v0: i64):\n"
            + "    v1 = stack_addr.i64 ss0\n    v2 = iadd v1, v0\n    v3 = load.i64 v2\n    return v3\n}\n"
            + "function %wild(i64) -> i8 {\nblock0(v0: i64):\n    v1 = load.i8 v0\n    return v1\n}\n"
            + "function %leak() -> i64 {\n    ss0 = explicit_slot 8\nblock0:\n    v0 = stack_addr.i64 ss0\n    return v0\n}\n"
            + "function %after_return() -> i64 {\n    fn0 = %leak() -> i64\nblock0:\n"
            + "    v0 = call fn0()\n    v1 = load.i64 v0\n    return v1\n}\n");
        assertArrayEquals(new long[] {0}, in.call("oob", 0));
        assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, trapOf(in, "oob", 1));
        assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, trapOf(in, "oob", -1));
        assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, trapOf(in, "wild", 0x1000));
        assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, trapOf(in, "after_return"));
    }

    @Test
    void memoryIsLittleEndianAndSharedWithCallees() {
        Interpreter in = interp("function %poke(i64) {\nblock0(v0: i64):\n    v1 = iconst.i32 0x11223344\n"
            + "    store v1, v0+2\n    return\n}\n"
            + "function %f() -> i64, i8 {\n    ss0 = explicit_slot 8\n    fn0 = %poke(i64)\nblock0:\n"
            + "    v0 = stack_addr.i64 ss0\n    call fn0(v0)\n    v1 = load.i64 v0\n    v2 = load.i8 v0+5\n"
            + "    return v1, v2\n}\n");
        assertArrayEquals(new long[] {0x0000112233440000L, 0x11}, in.call("f"));
    }

    @Test
    void indirectCallsGoThroughSyntheticAddresses() {
        Interpreter in = interp("function %add(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = iadd v0, v1\n    return v2\n}\n"
            + "function %neg(i64) -> i64 {\nblock0(v0: i64):\n    v1 = ineg v0\n    return v1\n}\n"
            + "function %f(i64, i64) -> i64 {\n    sig0 = (i64, i64) -> i64\n    fn0 = %add(i64, i64) -> i64\n"
            + "block0(v0: i64, v1: i64):\n    v2 = func_addr.i64 fn0\n    v3 = call_indirect sig0, v2(v0, v1)\n    return v3\n}\n"
            + "function %wild(i64) -> i64 {\n    sig0 = (i64, i64) -> i64\nblock0(v0: i64):\n"
            + "    v1 = call_indirect sig0, v0(v0, v0)\n    return v1\n}\n"
            + "function %mismatch(i64) -> i64 {\n    sig0 = (i64, i64) -> i64\n    fn0 = %neg(i64) -> i64\nblock0(v0: i64):\n"
            + "    v1 = func_addr.i64 fn0\n    v2 = call_indirect sig0, v1(v0, v0)\n    return v2\n}\n");
        assertArrayEquals(new long[] {5}, in.call("f", 2, 3));
        assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, trapOf(in, "wild", 42));
        assertEquals(TrapCode.BAD_SIGNATURE, trapOf(in, "mismatch", 1));
    }

    @Test
    void idlePatchSitesDoNothing() {
        String clif = "function %f(i64) -> i64 {\nblock0(v0: i64):\n    jump block1(v0, v0)\n\n"
            + "block1(v1: i64, v2: i64):\n    v3 = iadd_imm v2, -1\n    v4 = iadd v1, v2\n    brif v3, block1(v4, v3), block2\n\n"
            + "block2:\n    return v1\n}\n";
        Function f = ClifParser.parse("t.clif", clif).functions().get(0);
        assertTrue(Instrumenter.instrument(f, InstrumentationPlan.all()) > 0);
        assertArrayEquals(interp(clif).call("f", 10), new Interpreter(List.of(f)).call("f", 10));
    }

    @Test
    void machineStateMakesFunctionsNonComparable() {
        Interpreter in = interp("function %fp() -> i64 {\nblock0:\n    v0 = get_frame_pointer.i64\n    return v0\n}\n"
            + "function %caller() -> i64 {\n    fn0 = %fp() -> i64\nblock0:\n    v0 = call fn0()\n    return v0\n}\n"
            + "function %indirect() -> i64 {\n    sig0 = () -> i64\n    fn0 = %fp() -> i64\nblock0:\n"
            + "    v0 = func_addr.i64 fn0\n    v1 = call_indirect sig0, v0()\n    return v1\n}\n"
            + "function %plain() -> i64 {\nblock0:\n    v0 = iconst.i64 1\n    return v0\n}\n");
        assertFalse(in.isComparable("fp"));
        assertFalse(in.isComparable("caller"));
        assertFalse(in.isComparable("indirect"));
        assertTrue(in.isComparable("plain"));
        assertTrue(in.call("fp")[0] != 0);
    }

    // ---- exhaustive 8-bit arithmetic against independent definitions ----

    private static final Type T = Type.I8;

    /** The low 8 bits of x, as the interpreter keeps i8 values. */
    private static long m(long x) { return x & 0xFF; }

    @Test
    void eightBitBinaryOperationsMatchTheirDefinitions() {
        for (int a = -128; a < 128; a++) {
            for (int b = -128; b < 128; b++) {
                long ma = m(a), mb = m(b);
                int ua = a & 0xFF, ub = b & 0xFF;
                assertEquals(m(a + b), IntOps.iadd(T, ma, mb));
                assertEquals(m(a * b), IntOps.imul(T, ma, mb));
                assertEquals(m((ua * ub) >> 8), IntOps.umulhi(T, ma, mb));
                assertEquals(m((a * b) >> 8), IntOps.smulhi(T, ma, mb));
                int s = ub & 7;
                assertEquals(m(a << s), IntOps.ishl(T, ma, mb));
                assertEquals(m(ua >>> s), IntOps.ushr(T, ma, mb));
                assertEquals(m(a >> s), IntOps.sshr(T, ma, mb));
                assertEquals(m((ua << s) | (ua >>> (8 - s))), IntOps.rotl(T, ma, mb));
                assertEquals(m((ua >>> s) | (ua << (8 - s))), IntOps.rotr(T, ma, mb));
                if (b != 0) {
                    assertEquals(m(ua / ub), IntOps.udiv(T, ma, mb));
                    assertEquals(m(ua % ub), IntOps.urem(T, ma, mb));
                    assertEquals(m(a % b), IntOps.srem(T, ma, mb));
                    if (!(a == -128 && b == -1)) assertEquals(m(a / b), IntOps.sdiv(T, ma, mb));
                }
                assertArrayEquals(new long[] {m(a + b), ua + ub > 255 ? 1 : 0}, IntOps.addSub(T, ma, mb, 0, false, false));
                assertArrayEquals(new long[] {m(a + b), a + b > 127 || a + b < -128 ? 1 : 0}, IntOps.addSub(T, ma, mb, 0, false, true));
                assertArrayEquals(new long[] {m(a - b), ua < ub ? 1 : 0}, IntOps.addSub(T, ma, mb, 0, true, false));
                assertArrayEquals(new long[] {m(a - b), a - b > 127 || a - b < -128 ? 1 : 0}, IntOps.addSub(T, ma, mb, 0, true, true));
                assertArrayEquals(new long[] {m(a + b + 1), ua + ub + 1 > 255 ? 1 : 0}, IntOps.addSub(T, ma, mb, 1, false, false));
                assertArrayEquals(new long[] {m(a + b + 1), a + b + 1 > 127 || a + b + 1 < -128 ? 1 : 0},
                    IntOps.addSub(T, ma, mb, 1, false, true));
                assertArrayEquals(new long[] {m(a - b - 1), ua < ub + 1 ? 1 : 0}, IntOps.addSub(T, ma, mb, 1, true, false));
                assertArrayEquals(new long[] {m(a - b - 1), a - b - 1 > 127 || a - b - 1 < -128 ? 1 : 0},
                    IntOps.addSub(T, ma, mb, 1, true, true));
                assertArrayEquals(new long[] {m(a * b), ua * ub > 255 ? 1 : 0}, IntOps.mulOverflow(T, ma, mb, false));
                assertArrayEquals(new long[] {m(a * b), a * b > 127 || a * b < -128 ? 1 : 0}, IntOps.mulOverflow(T, ma, mb, true));
            }
        }
    }

    @Test
    void eightBitUnaryOperationsMatchTheirDefinitions() {
        for (int a = -128; a < 128; a++) {
            long ma = m(a);
            String bits = String.format("%8s", Integer.toBinaryString(a & 0xFF)).replace(' ', '0');
            int clz = bits.indexOf('1') < 0 ? 8 : bits.indexOf('1');
            int ctz = bits.lastIndexOf('1') < 0 ? 8 : 7 - bits.lastIndexOf('1');
            int cls = 0;
            while (cls < 7 && bits.charAt(cls + 1) == bits.charAt(0)) cls++;
            assertEquals(clz, IntOps.clz(T, ma), bits);
            assertEquals(ctz, IntOps.ctz(T, ma), bits);
            assertEquals(cls, IntOps.cls(T, ma), bits);
            assertEquals(Integer.bitCount(a & 0xFF), IntOps.popcnt(T, ma));
            assertEquals(Integer.parseInt(new StringBuilder(bits).reverse().toString(), 2), IntOps.bitrev(T, ma), bits);
            assertEquals(m(Math.abs(a)), IntOps.iabs(T, ma));
            assertEquals(a == 0 ? 0 : 0xFFFF, IntOps.bmask(Type.I16, ma));
        }
    }

    @Test
    void sixtyFourBitHighMultiplicationMatchesBigInteger() {
        Random r = new Random(7);
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 2, -2};
        for (int i = 0; i < 20_000; i++) {
            long a = i < 49 ? edges[i % 7] : r.nextLong(), b = i < 49 ? edges[i / 7] : r.nextLong();
            BigInteger ua = new BigInteger(Long.toUnsignedString(a)), ub = new BigInteger(Long.toUnsignedString(b));
            assertEquals(ua.multiply(ub).shiftRight(64).longValue(), IntOps.umulhi(Type.I64, a, b));
            assertEquals(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).shiftRight(64).longValue(),
                IntOps.smulhi(Type.I64, a, b));
            boolean uovf = ua.multiply(ub).compareTo(two64) >= 0;
            assertEquals(uovf ? 1 : 0, IntOps.mulOverflow(Type.I64, a, b, false)[1]);
        }
    }
}
