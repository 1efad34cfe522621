package dev.patchbay.codegen.opt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.interp.Interpreter;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.verify.Verifier;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailRecursionTest {
    static final String FIB = """
        function %fib(i64) -> i64 {
            fn0 = %fib(i64) -> i64
        block0(v0: i64):
            v1 = icmp_imm slt v0, 2
            brif v1, block2, block1
        block1:
            v2 = iadd_imm v0, -1
            v3 = call fn0(v2)
            v4 = iadd_imm v0, -2
            v5 = call fn0(v4)
            v6 = iadd v3, v5
            return v6
        block2:
            return v0
        }
        """;

    private static List<Function> parse(String clif) {
        return ClifParser.parse("t.clif", clif).functions();
    }

    private static long calls(Function f) {
        long n = 0;
        for (Block b : f.layout) for (Inst i : b.insts) if (i.op == Opcode.CALL) n++;
        return n;
    }

    /** Runs both versions in the interpreter on every input and compares every result. */
    private static void sameResults(String clif, String fn, long... inputs) {
        List<Function> before = parse(clif);
        List<Function> after = parse(clif);
        for (Function f : after) {
            if (TailRecursion.apply(f)) Verifier.verifyOrThrow(f);
        }
        Interpreter a = new Interpreter(before), b = new Interpreter(after);
        for (long x : inputs) {
            assertArrayEquals(a.call(fn, x), b.call(fn, x), fn + "(" + x + ") after\n" + FunctionPrinter.print(after.get(0)));
        }
    }

    @Test
    void fibKeepsOneCallAndLoopsOverTheOther() {
        Function f = parse(FIB).get(0);
        assertTrue(TailRecursion.apply(f));
        Verifier.verifyOrThrow(f);
        assertEquals(1, calls(f), FunctionPrinter.print(f));
        Block header = f.layout.get(1);
        assertEquals(2, header.params.length, "n and the accumulator");
        boolean backEdge = false;
        for (Block b : f.layout) {
            Inst t = b.terminator();
            if (t.op == Opcode.JUMP && t.targets[0].block == header.id && b != f.layout.get(0)) backEdge = true;
        }
        assertTrue(backEdge, "the matched path jumps back to the header");
        sameResults(FIB, "fib", 0, 1, 2, 3, 10, 20, -5);
    }

    @Test
    void theAddendMayBeOnEitherSideAndNarrowTypesWrap() {
        String clif = """
            function %sum(i8) -> i8 {
                fn0 = %sum(i8) -> i8
            block0(v0: i8):
                brif v0, block1, block2
            block1:
                v1 = iadd_imm v0, -1
                v2 = call fn0(v1)
                v3 = imul v0, v0
                v4 = iadd v2, v3
                return v4
            block2:
                v5 = iconst.i8 7
                return v5
            }
            """;
        sameResults(clif, "sum", 0, 1, 5, 100, 127, -1, -128);
    }

    @Test
    void aPlainTailCallNeedsNoAccumulatorAndKeepsEveryResult() {
        String clif = """
            function %gcd(i64, i64) -> i64, i64 {
                fn0 = %gcd(i64, i64) -> i64, i64
            block0(v0: i64, v1: i64):
                brif v1, block1, block2
            block1:
                v2 = urem v0, v1
                v3, v4 = call fn0(v1, v2)
                return v3, v4
            block2:
                v5 = iconst.i64 1
                return v0, v5
            }
            """;
        Function f = parse(clif).get(0);
        assertTrue(TailRecursion.apply(f));
        Verifier.verifyOrThrow(f);
        assertEquals(0, calls(f));
        assertEquals(2, f.layout.get(1).params.length, "no accumulator");
        Interpreter a = new Interpreter(parse(clif)), b = new Interpreter(List.of(f));
        for (long[] in : new long[][] {{48, 18}, {17, 5}, {0, 9}, {9, 0}, {1L << 40, 6}}) {
            assertArrayEquals(a.call("gcd", in), b.call("gcd", in));
        }
    }

    @Test
    void whatItMustNotTouchIsLeftExactlyAsItWas() {
        String[] untouched = {
            // A stack slot: the callee may have been given a pointer into this frame.
            """
            function %f(i64) -> i64 {
                ss0 = explicit_slot 8
                fn0 = %f(i64) -> i64
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                v1 = iadd_imm v0, -1
                v2 = call fn0(v1)
                v3 = iadd v2, v0
                return v3
            block2:
                return v0
            }
            """,
            // Another function's call, and a subtraction (not an accumulator of this pass).
            """
            function %f(i64) -> i64 {
                fn0 = %g(i64) -> i64
                fn1 = %f(i64) -> i64
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                v1 = call fn0(v0)
                v2 = iadd v1, v0
                v3 = call fn1(v2)
                v4 = isub v0, v3
                return v4
            block2:
                return v0
            }
            """,
            // The call's result used twice: it is not only handed back.
            """
            function %f(i64) -> i64 {
                fn0 = %f(i64) -> i64
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                v1 = iadd_imm v0, -1
                v2 = call fn0(v1)
                v3 = iadd v2, v2
                return v3
            block2:
                return v0
            }
            """,
        };
        for (String clif : untouched) {
            Function f = parse(clif).get(0);
            String before = FunctionPrinter.print(f);
            assertFalse(TailRecursion.apply(f), before);
            assertEquals(before, FunctionPrinter.print(f));
        }
    }
}
