package dev.patchbay.codegen.opt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.OptLevel;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.interp.Interpreter;
import dev.patchbay.codegen.interp.InterpreterTrap;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.verify.Verifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The inlining pass: the shapes it makes, the limits that stop it, and results (and traps)
 * the interpreter finds the same before and after, on the verified output.
 */
class InlinerTest {
    private static List<Function> parse(String clif) {
        return ClifParser.parse("t.clif", clif).functions();
    }

    private static long count(Function f, Opcode op) {
        long n = 0;
        for (Block b : f.layout) for (Inst i : b.insts) if (i.op == op) n++;
        return n;
    }

    private static Map<String, Function> bodies(List<Function> module) {
        Map<String, Function> m = new HashMap<>();
        for (Function g : module) m.put(g.name, g);
        return m;
    }

    /** The module with every function inlined (into a copy) as Compiler.compile does; each result verified. */
    private static List<Function> inlined(List<Function> module, int growth, int depth, int[] counts) {
        Map<String, Function> bodies = bodies(module);
        List<Function> out = new ArrayList<>();
        for (int k = 0; k < module.size(); k++) {
            Function d = module.get(k).copy();
            int n = Inliner.apply(d, bodies, growth, depth);
            if (counts != null) counts[k] = n;
            Verifier.verifyOrThrow(d);
            out.add(d);
        }
        return out;
    }

    /** Both modules in the interpreter on every input: the same results, or the same trap code. */
    private static void sameOutcomes(List<Function> before, List<Function> after, String fn, long[]... inputs) {
        Interpreter a = new Interpreter(before), b = new Interpreter(after);
        for (long[] in : inputs) {
            String what = fn + java.util.Arrays.toString(in) + " after\n" + FunctionPrinter.print(find(after, fn));
            TrapCode ta = null, tb = null;
            long[] ra = null, rb = null;
            try { ra = a.call(fn, in); } catch (InterpreterTrap t) { ta = t.code(); }
            try { rb = b.call(fn, in); } catch (InterpreterTrap t) { tb = t.code(); }
            assertEquals(ta, tb, what);
            if (ta == null) assertArrayEquals(ra, rb, what);
        }
    }

    private static Function find(List<Function> m, String name) {
        for (Function f : m) if (f.name.equals(name)) return f;
        throw new AssertionError(name);
    }

    private static long[][] each(long... xs) {
        long[][] r = new long[xs.length][];
        for (int k = 0; k < xs.length; k++) r[k] = new long[] {xs[k]};
        return r;
    }

    @Test
    void fibAfterTailRecursionInlinesItselfToTheDepthBoundAndKeepsOneCall() {
        List<Function> module = parse(TailRecursionTest.FIB);
        for (Function f : module) assertTrue(TailRecursion.apply(f));
        int[] n = new int[1];
        List<Function> after = inlined(module, Inliner.MAX_GROWTH, Inliner.MAX_DEPTH, n);
        Function fib = after.get(0);
        assertEquals(Inliner.MAX_DEPTH, n[0], FunctionPrinter.print(fib));
        assertEquals(1, count(fib, Opcode.CALL), "the innermost level's call stays a real call");
        // Each inlined level brings its own accumulator loop: MAX_DEPTH + 1 loop headers in all.
        long headers = 0;
        dev.patchbay.codegen.analysis.Cfg cfg = new dev.patchbay.codegen.analysis.Cfg(fib);
        for (Block b : fib.layout) if (cfg.isLoopHeader(b.id)) headers++;
        assertEquals(Inliner.MAX_DEPTH + 1, headers, FunctionPrinter.print(fib));
        sameOutcomes(parse(TailRecursionTest.FIB), after, "fib", each(0, 1, 2, 3, 7, 10, 20, 25, -5));
    }

    @Test
    void fibAsWrittenInlinesBreadthFirstUntilTheBudgetStopsIt() {
        List<Function> module = parse(TailRecursionTest.FIB);
        int cost = module.get(0).instCount();
        int[] n = new int[1];
        List<Function> after = inlined(module, 5 * cost + cost / 2, Inliner.MAX_DEPTH, n);
        assertEquals(5, n[0], "the budget pays for five copies and not a sixth");
        Function fib = after.get(0);
        assertTrue(fib.instCount() <= module.get(0).instCount() + 5 * cost + cost / 2, "the growth is bounded by the budget");
        // Two calls, the first two inlined, then three of their four: seven real calls remain.
        assertEquals(2 + 5 * 2 - 5, count(fib, Opcode.CALL), FunctionPrinter.print(fib));
        sameOutcomes(parse(TailRecursionTest.FIB), after, "fib", each(0, 1, 2, 5, 12, 21, -3));

        // A budget smaller than the callee inlines nothing and changes nothing.
        Function f = parse(TailRecursionTest.FIB).get(0);
        String before = FunctionPrinter.print(f);
        assertEquals(0, Inliner.apply(f, bodies(parse(TailRecursionTest.FIB)), cost - 1, Inliner.MAX_DEPTH));
        assertEquals(before, FunctionPrinter.print(f));
    }

    @Test
    void aRecursionUnrollsOnlyToTheDepthBoundEvenWithBudgetLeft() {
        // Mutual recursion, each step one call: it would inline forever without the depth bound.
        String clif = """
            function %even(i64) -> i64 {
                fn0 = %odd(i64) -> i64
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                v1 = iadd_imm v0, -1
                v2 = call fn0(v1)
                return v2
            block2:
                v3 = iconst.i64 1
                return v3
            }
            function %odd(i64) -> i64 {
                fn0 = %even(i64) -> i64
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                v1 = iadd_imm v0, -1
                v2 = call fn0(v1)
                return v2
            block2:
                v3 = iconst.i64 0
                return v3
            }
            """;
        for (int depth : new int[] {1, 3, Inliner.MAX_DEPTH}) {
            int[] n = new int[2];
            List<Function> after = inlined(parse(clif), 100_000, depth, n);
            assertEquals(depth, n[0], "one call per level, " + depth + " levels");
            assertEquals(1, count(after.get(0), Opcode.CALL));
            sameOutcomes(parse(clif), after, "even", each(0, 1, 2, 7, 8, 9, 30, 31));
        }
    }

    @Test
    void severalReturnsWithSeveralValuesJoinInTheContinuation() {
        String clif = """
            function %minmax(i32, i32) -> i32, i32 {
            block0(v0: i32, v1: i32):
                v2 = icmp slt v0, v1
                brif v2, block1(v0, v1), block2
            block1(v3: i32, v4: i32):
                return v3, v4
            block2:
                v5 = iconst.i32 7
                v6 = iadd v0, v5
                return v1, v6
            }
            function %main(i32, i32) -> i32 {
                fn0 = %minmax(i32, i32) -> i32, i32
            block0(v0: i32, v1: i32):
                v2, v3 = call fn0(v0, v1)
                v4 = imul_imm v3, 1000
                v5 = iadd v4, v2
                v6, v7 = call fn0(v5, v0)
                v8 = isub v6, v7
                return v8
            }
            """;
        int[] n = new int[2];
        List<Function> after = inlined(parse(clif), Inliner.MAX_GROWTH, Inliner.MAX_DEPTH, n);
        Function main = after.get(1);
        assertEquals(2, n[1]);
        assertEquals(0, count(main, Opcode.CALL), FunctionPrinter.print(main));
        assertEquals(1, count(main, Opcode.RETURN), "the callee's returns became jumps");
        sameOutcomes(parse(clif), after, "main",
            new long[] {1, 2}, new long[] {2, 1}, new long[] {-5, 5}, new long[] {0, 0}, new long[] {Integer.MAX_VALUE, -1});
    }

    @Test
    void eachInlinedCopyGetsStackSlotsOfItsOwn() {
        // Every level keeps n in its own slot across the recursive call and reads it back
        // after: copies sharing one slot would read the inner level's n.
        String clif = """
            function %f(i64) -> i64 {
                ss0 = explicit_slot 8
                fn0 = %f(i64) -> i64
            block0(v0: i64):
                stack_store v0, ss0
                brif v0, block1, block2
            block1:
                v1 = iadd_imm v0, -1
                v2 = call fn0(v1)
                v3 = stack_load.i64 ss0
                v4 = imul_imm v3, 3
                v5 = iadd v2, v4
                return v5
            block2:
                v6 = stack_load.i64 ss0
                return v6
            }
            """;
        int[] n = new int[1];
        List<Function> after = inlined(parse(clif), Inliner.MAX_GROWTH, 4, n);
        assertEquals(4, n[0]);
        Function f = after.get(0);
        assertEquals(1 + 4, f.stackSlots.size(), "a fresh slot per copy");
        Set<Integer> used = new HashSet<>();
        for (Block b : f.layout) for (Inst i : b.insts) if (i.op == Opcode.STACK_STORE) used.add(i.ref);
        assertEquals(5, used.size(), "each level stores into its own slot");
        sameOutcomes(parse(clif), after, "f", each(0, 1, 2, 3, 4, 5, 6, 11));
    }

    @Test
    void aTrapInAnInlinedCalleeStillTrapsWithItsCodeAndItsSourceLocation() {
        String clif = """
            function %div(i64, i64) -> i64 {
            block0(v0: i64, v1: i64):
                v2 = udiv v0, v1
                trapnz v2, user7
                v3 = iconst.i64 1
                return v3
            }
            function %main(i64, i64) -> i64 {
                fn0 = %div(i64, i64) -> i64
            block0(v0: i64, v1: i64):
                v2 = call fn0(v0, v1)
                v3 = iadd v2, v0
                return v3
            }
            """;
        List<Function> module = parse(clif);
        List<Function> after = inlined(module, Inliner.MAX_GROWTH, Inliner.MAX_DEPTH, null);
        Function main = after.get(1);
        assertEquals(0, count(main, Opcode.CALL));
        sameOutcomes(parse(clif), after, "main", new long[] {5, 0}, new long[] {5, 7}, new long[] {5, 5}, new long[] {0, 3});
        InterpreterTrap t = assertThrows(InterpreterTrap.class, () -> new Interpreter(after).call("main", 5, 0));
        assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, t.code());
        assertEquals(TrapCode.user(7), assertThrows(InterpreterTrap.class, () -> new Interpreter(after).call("main", 5, 5)).code());
        // The inlined udiv and trapnz keep the lines they were written on in %div.
        Map<Opcode, SourceLoc> written = new HashMap<>(), inlined = new HashMap<>();
        for (Inst i : module.get(0).entryBlock().insts) written.put(i.op, i.loc);
        for (Block b : main.layout) for (Inst i : b.insts) inlined.putIfAbsent(i.op, i.loc);
        for (Opcode op : new Opcode[] {Opcode.UDIV, Opcode.TRAPNZ}) {
            assertTrue(written.get(op).isKnown());
            assertEquals(written.get(op).line, inlined.get(op).line, op.clif);
            assertEquals(written.get(op).col, inlined.get(op).col, op.clif);
        }
    }

    @Test
    void callsAndIndirectCallsInsideTheCalleeReachTheSameFunctionsFromTheCaller() {
        String clif = """
            function %leaf(i64) -> i64 {
            block0(v0: i64):
                v1 = imul_imm v0, 5
                return v1
            }
            function %mid(i64) -> i64 {
                sig0 = (i64) -> i64
                fn0 = %leaf(i64) -> i64
            block0(v0: i64):
                v1 = func_addr.i64 fn0
                v2 = call_indirect sig0, v1(v0)
                v3 = call fn0(v2)
                return v3
            }
            function %top(i64) -> i64 {
                fn0 = %mid(i64) -> i64
            block0(v0: i64):
                v1 = call fn0(v0)
                v2 = iadd_imm v1, 1
                return v2
            }
            """;
        int[] n = new int[3];
        List<Function> after = inlined(parse(clif), Inliner.MAX_GROWTH, Inliner.MAX_DEPTH, n);
        Function top = after.get(2);
        assertEquals(2, n[2], "mid, then the leaf mid calls directly");
        assertEquals(1, count(top, Opcode.CALL_INDIRECT), "an indirect call is never inlined");
        assertEquals(0, count(top, Opcode.CALL));
        assertEquals("leaf", top.extFuncs.get(findOp(top, Opcode.FUNC_ADDR).ref).name);
        sameOutcomes(parse(clif), after, "top", each(0, 1, 3, -9, 1L << 40));
    }

    private static Inst findOp(Function f, Opcode op) {
        for (Block b : f.layout) for (Inst i : b.insts) if (i.op == op) return i;
        throw new AssertionError(op.clif);
    }

    @Test
    void whatItMustNotInlineStaysACall() {
        String clif = """
            function %fp(i64) -> i64 {
            block0(v0: i64):
                v1 = get_frame_pointer.i64
                v2 = iadd v0, v1
                return v2
            }
            function %big(i64) -> i64 {
            block0(v0: i64):
                NOPS
                return v0
            }
            function %main(i64) -> i64 {
                fn0 = %fp(i64) -> i64
                fn1 = %big(i64) -> i64
                fn2 = %imported(i64) -> i64
                fn3 = %big(i32) -> i64
                fn4 = colocated patchable %hook() preserve_all
            block0(v0: i64):
                call fn4()
                v1 = call fn0(v0)
                v2 = call fn1(v1)
                v3 = call fn2(v2)
                v4 = ireduce.i32 v3
                v5 = call fn3(v4)
                return v5
            }
            function %hook() preserve_all {
            block0:
                return
            }
            """.replace("    NOPS\n", "    nop\n".repeat(Inliner.MAX_CALLEE_INSTS));
        List<Function> module = parse(clif);
        Function main = find(module, "main");
        String before = FunctionPrinter.print(main);
        // The frame pointer is the caller's once inlined; big is over the size limit; the
        // import has no body; fn3's signature is not big's; a patchable callee is a site.
        assertEquals(0, Inliner.apply(main, bodies(parse(clif))));
        assertEquals(before, FunctionPrinter.print(main));
        assertNotEquals(0, Inliner.apply(parse(clif).get(2), Map.of("big", parse("""
            function %big(i64) -> i64 {
            block0(v0: i64):
                return v0
            }
            """).get(0))), "the same call with a small body is inlined");
    }

    @Test
    void aCalleeWithALoopIsInlinedOnlyIntoItself() {
        String clif = """
            function %count(i64) -> i64 {
            block0(v0: i64):
                v1 = iconst.i64 0
                jump block1(v0, v1)
            block1(v2: i64, v3: i64):
                brif v2, block2, block3
            block2:
                v4 = iadd_imm v2, -1
                v5 = iadd_imm v3, 3
                jump block1(v4, v5)
            block3:
                return v3
            }
            function %main(i64) -> i64 {
                fn0 = %count(i64) -> i64
            block0(v0: i64):
                v1 = call fn0(v0)
                return v1
            }
            """;
        int[] n = new int[2];
        inlined(parse(clif), Inliner.MAX_GROWTH, Inliner.MAX_DEPTH, n);
        assertEquals(0, n[1], "the loop keeps its function: main still calls it");
        // The same loop in a recursion is inlined into its own function, level by level.
        n = new int[1];
        List<Function> fib = parse(TailRecursionTest.FIB);
        TailRecursion.apply(fib.get(0));
        inlined(fib, Inliner.MAX_GROWTH, 3, n);
        assertEquals(3, n[0]);
    }

    @Test
    void compileAtSpeedInlinesAndLeavesItsInputAsItWas() {
        List<Function> module = parse(TailRecursionTest.FIB + """
            function %kernel(i64) -> i64 {
                fn0 = %fib(i64) -> i64
            block0(v0: i64):
                v1 = call fn0(v0)
                return v1
            }
            """);
        String before = FunctionPrinter.print(module.get(0)) + FunctionPrinter.print(module.get(1));
        var speed = Compiler.compile(module, CompileOptions.builder().optLevel(OptLevel.SPEED).build());
        var none = Compiler.compile(module, CompileOptions.defaults());
        assertEquals(before, FunctionPrinter.print(module.get(0)) + FunctionPrinter.print(module.get(1)));
        assertTrue(speed.callSites.size() < none.callSites.size(), speed.callSites.size() + " call sites at SPEED, " + none.callSites.size() + " without");
    }
}
