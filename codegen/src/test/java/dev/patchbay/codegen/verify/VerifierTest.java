/*
 * Invalid IR must be rejected with a message that names the function, block and
 * instruction and a location that points at the source. Each case parses CLIF that is
 * syntactically fine but breaks one IR rule, and pins the formatted diagnostic.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.ir.Function;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifierTest {
    private static Function parse(String text) {
        return ClifParser.parse("v.clif", text).parsedFunctions().get(0);
    }

    private static List<String> errors(String text) {
        List<String> out = new ArrayList<>();
        for (VerifierError e : Verifier.verify(parse(text))) out.add(Diagnostics.format("v.clif", e));
        return out;
    }

    private static void assertErrors(String text, String... expected) {
        assertEquals(List.of(expected), errors(text));
    }

    @Test
    void floatTypeRules() {
        assertErrors("""
            function %f(f32, f64, i32) -> f32 {
            block0(v0: f32, v1: f64, v2: i32):
                v3 = iadd v0, v0
                v4 = fadd v2, v2
                v5 = fadd v0, v1
                v6 = fpromote.f64 v1
                v7 = bitcast.i64 v0
                v8 = uload8.f32 v2
                v9 = fcvt_from_sint.f32 v0
                v10 = select v0, v0, v0
                v11 = band v0, v0
                return v11
            }
            """,
            "v.clif:3:5: error: function %f, block0, inst \"v3 = iadd v0, v0\": iadd works on integer types, not f32",
            "v.clif:4:5: error: function %f, block0, inst \"v4 = fadd v2, v2\": fadd works on f32 and f64, not i32",
            "v.clif:5:5: error: function %f, block0, inst \"v5 = fadd v0, v1\": arg 1 has type f64, expected f32",
            "v.clif:6:5: error: function %f, block0, inst \"v6 = fpromote.f64 v1\": arg 0 has type f64, expected f32",
            "v.clif:7:5: error: function %f, block0, inst \"v7 = bitcast.i64 v0\": bitcast keeps the width: f32 cannot become i64",
            "v.clif:8:5: error: function %f, block0, inst \"v8 = uload8.f32 v2\": uload8 works on integer types, not f32",
            "v.clif:9:5: error: function %f, block0, inst \"v9 = fcvt_from_sint.f32 v0\": arg 0 (the integer to convert) has type f32, expected an integer type",
            "v.clif:10:5: error: function %f, block0, inst \"v10 = select v0, v0, v0\": arg 0 (the condition) has type f32, expected an integer type");
    }

    @Test
    void anInstructionObjectInTheLayoutTwiceIsReported() {
        // With results (told apart by its results' slots) and without (an identity set).
        for (int which : new int[] {0, 1}) {
            Function f = parse(String.join("\n",
                "function %f(i64) -> i64 {",
                "block0(v0: i64):",
                "    v1 = iadd_imm v0, 1",
                "    store v1, v0",
                "    return v1",
                "}"));
            var insts = f.layout.get(0).insts;
            insts.add(1, insts.get(which));
            List<VerifierError> errs = Verifier.verify(f);
            assertTrue(errs.stream().anyMatch(e -> e.message().contains("the same instruction object appears twice in the layout")),
                (which == 0 ? "iadd_imm" : "store") + ": " + errs);
        }
    }

    @Test
    void typeMismatch() {
        assertErrors("""
            function %f(i32, i64) -> i32 {
            block0(v1: i32, v2: i64):
                v3 = iadd v1, v2
                return v3
            }
            """, "v.clif:3:5: error: function %f, block0, inst \"v3 = iadd v1, v2\": arg 1 has type i64, expected i32");
    }

    /**
     * Regression (stress suite, bad input: a mutated file): a branch to the entry block,
     * which holds the prologue and receives the arguments from the caller, crashed the
     * backend with ArrayIndexOutOfBoundsException (an edge with arguments) or compiled to
     * code that ran the prologue again. As in Cranelift, the entry block cannot be a branch
     * target.
     */
    @Test
    void branchToTheEntryBlock() {
        assertErrors("""
            function %f(i64) -> i64 {
            block0(v0: i64):
                v1 = iadd_imm v0, -1
                brif v1, block1, block2
            block1:
                jump block0(v1)
            block2:
                return v1
            }
            """, "v.clif:6:5: error: function %f, block1, inst \"jump block0(v1)\": branches to block0, the entry block, "
                + "which cannot be a branch target");
        assertErrors("""
            function %f() {
            block0:
                jump block1
            block1:
                jump block0
            }
            """, "v.clif:5:5: error: function %f, block1, inst \"jump block0\": branches to block0, the entry block, "
                + "which cannot be a branch target");
    }

    @Test
    void missingTerminator() {
        assertErrors("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                jump block1

            block1:
                v1 = iadd v0, v0
            }
            """, "v.clif:5:1: error: function %f, block1: block does not end with a terminator; its last instruction is "
                + "\"v1 = iadd v0, v0\"");
    }

    @Test
    void terminatorInTheMiddle() {
        assertErrors("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                return v0
                return v0
            }
            """, "v.clif:3:5: error: function %f, block0, inst \"return v0\": terminator return must be the last instruction "
                + "of its block");
    }

    @Test
    void emptyBlock() {
        assertErrors("""
            function %f() {
            block0:
                jump block1
            block1:
            }
            """, "v.clif:4:1: error: function %f, block1: block is empty: it must end with a terminator");
    }

    @Test
    void wrongArgumentCountInCall() {
        assertErrors("""
            function %f(i64) -> i64 {
                fn0 = %callee(i64, i64) -> i64
            block0(v0: i64):
                v1 = call fn0(v0)
                return v1
            }
            """, "v.clif:4:5: error: function %f, block0, inst \"v1 = call fn0(v0)\": fn0 (%callee) takes 2 arguments, "
                + "but 1 is passed");
    }

    @Test
    void wrongArgumentTypeInCall() {
        assertErrors("""
            function %f(i32) {
                sig0 = (i64)
            block0(v0: i32):
                v1 = iconst.i64 0
                call_indirect sig0, v1(v0)
                return
            }
            """, "v.clif:5:5: error: function %f, block0, inst \"call_indirect sig0, v1(v0)\": argument 0 has type i32, "
                + "but sig0 expects i64");
    }

    @Test
    void wrongArgumentCountInJump() {
        assertErrors("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                jump block1(v0, v0)

            block1(v1: i32):
                return v1
            }
            """, "v.clif:3:5: error: function %f, block0, inst \"jump block1(v0, v0)\": block1 takes 1 argument, but 2 are passed");
    }

    @Test
    void wrongArgumentTypeInBranch() {
        assertErrors("""
            function %f(i32) -> i64 {
            block0(v0: i32):
                brif v0, block1(v0), block1(v0)

            block1(v1: i64):
                return v1
            }
            """,
            "v.clif:3:5: error: function %f, block0, inst \"brif v0, block1(v0), block1(v0)\": argument 0 to block1 has type i32, "
                + "but parameter v1 has type i64",
            "v.clif:3:5: error: function %f, block0, inst \"brif v0, block1(v0), block1(v0)\": argument 0 to block1 has type i32, "
                + "but parameter v1 has type i64");
    }

    @Test
    void useNotDominated() {
        assertErrors("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                brif v0, block1, block2

            block1:
                v1 = iconst.i32 1
                jump block2

            block2:
                return v1
            }
            """, "v.clif:10:5: error: function %f, block2, inst \"return v1\": v1 is used here, but its definition in block1 "
                + "does not dominate block2");
    }

    @Test
    void useBeforeDefinitionInTheSameBlock() {
        assertErrors("""
            function %f() -> i32 {
            block0:
                v2 = iadd.i32 v1, v1
                v1 = iconst.i32 1
                return v2
            }
            """, "v.clif:3:5: error: function %f, block0, inst \"v2 = iadd v1, v1\": v1 is used before it is defined");
    }

    @Test
    void unreachableUsesAreNotDominanceChecked() {
        assertErrors("""
            function %f() -> i32 {
            block0:
                v1 = iconst.i32 1
                return v1

            block1:
                v3 = iadd.i32 v2, v2
                return v3

            block2:
                v2 = iconst.i32 2
                jump block1
            }
            """);
    }

    @Test
    void loopsAreDominanceChecked() {
        assertErrors("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                jump block1(v0)

            block1(v1: i32):
                v2 = iadd_imm v1, -1
                brif v2, block1(v2), block2

            block2:
                return v2
            }
            """);
    }

    @Test
    void patchableCalleeWithResults() {
        assertErrors("""
            function %f() -> i64 {
                fn0 = patchable %hook() -> i64 preserve_all
            block0:
                v0 = call fn0()
                return v0
            }
            """, "v.clif:2:5: error: function %f: fn0 (%hook) is patchable, so it must not return values, but it returns i64");
    }

    @Test
    void patchableCalleeMustPreserveAll() {
        assertErrors("""
            function %f() {
                fn0 = patchable %hook()
            block0:
                call fn0()
                return
            }
            """, "v.clif:2:5: error: function %f: fn0 (%hook) is patchable, so its signature must use the preserve_all "
                + "calling convention, not system_v");
    }

    @Test
    void patchableCalleeViaFuncAddr() {
        assertErrors("""
            function %f() {
                fn0 = patchable %hook() preserve_all
                sig0 = () preserve_all
            block0:
                v0 = func_addr.i64 fn0
                call_indirect sig0, v0()
                return
            }
            """, "v.clif:5:5: error: function %f, block0, inst \"v0 = func_addr.i64 fn0\": fn0 (%hook) is patchable: it may only "
                + "be called directly with call, not have its address taken");
    }

    @Test
    void stackSlotBounds() {
        assertErrors("""
            function %f(i64) -> i64 {
                ss0 = explicit_slot 11
            block0(v0: i64):
                stack_store v0, ss0+4
                v1 = stack_load.i64 ss0+3
                v2 = stack_addr.i64 ss0+12
                return v1
            }
            """,
            "v.clif:4:5: error: function %f, block0, inst \"stack_store v0, ss0+4\": access of 8 bytes at offset 4 is outside "
                + "ss0, which is 11 bytes",
            "v.clif:6:5: error: function %f, block0, inst \"v2 = stack_addr.i64 ss0+12\": address at offset 12 is outside "
                + "ss0, which is 11 bytes");
    }

    @Test
    void conversionsAndNarrowMemoryOps() {
        assertErrors("""
            function %f(i64, i32) -> i32 {
            block0(v0: i64, v1: i32):
                v2 = uextend.i32 v1
                v3 = ireduce.i64 v1
                v4 = uload32.i32 v0
                istore16 v1, v1
                v5 = sextend.i64 v1
                istore32 v5, v0
                v6 = uload8.i16 v0
                return v2
            }
            """,
            "v.clif:3:5: error: function %f, block0, inst \"v2 = uextend.i32 v1\": uextend must produce a type wider than its "
                + "argument's i32, not i32",
            "v.clif:4:5: error: function %f, block0, inst \"v3 = ireduce.i64 v1\": ireduce must produce a type narrower than its "
                + "argument's i32, not i64",
            "v.clif:5:5: error: function %f, block0, inst \"v4 = uload32.i32 v0\": uload32 reads 4 bytes, so its result type "
                + "must be wider than that, not i32",
            "v.clif:6:5: error: function %f, block0, inst \"istore16 v1, v1\": arg 1 (the address) has type i32, expected i64");
    }

    @Test
    void operandRules() {
        assertErrors("""
            function %f(i64, i32, i16, i8) -> i64 {
            block0(v0: i64, v1: i32, v2: i16, v3: i8):
                v4 = ishl v0, v3
                v5 = select v2, v0, v0
                v6 = bmask.i8 v0
                br_table v0, block1, [block1]
            block1:
                v7 = icmp eq v1, v2
                v8, v9 = uadd_overflow_cin v0, v0, v1
                brif v2, block2, block2
            block2:
                v10 = uadd_overflow_trap v3, v3, user1
                return v1
            }
            """,
            "v.clif:6:5: error: function %f, block0, inst \"br_table v0, block1, [block1]\": arg 0 has type i64, expected i32",
            "v.clif:8:5: error: function %f, block1, inst \"v7 = icmp eq v1, v2\": arg 1 has type i16, expected i32",
            "v.clif:9:5: error: function %f, block1, inst \"v8, v9 = uadd_overflow_cin v0, v0, v1\": arg 2 has type i32, "
                + "expected i8",
            "v.clif:12:5: error: function %f, block2, inst \"v10 = uadd_overflow_trap v3, v3, user1\": uadd_overflow_trap works "
                + "on i32 and i64 only, not i8",
            "v.clif:13:5: error: function %f, block2, inst \"return v1\": return value 0 has type i32, but the signature "
                + "returns i64");
    }

    @Test
    void entryBlockMustMatchTheSignature() {
        assertErrors("""
            function %f(i64, i32) {
            block0(v0: i32, v1: i32):
                return
            }
            """, "v.clif:2:1: error: function %f, block0: entry block parameter v0 has type i32, but the signature says i64");
        assertErrors("""
            function %f(i64) {
            block0:
                return
            }
            """, "v.clif:2:1: error: function %f, block0: entry block has 0 parameters, but the signature has 1");
    }

    @Test
    void returnCount() {
        assertErrors("""
            function %f(i64) -> i64, i64 {
            block0(v0: i64):
                return v0
            }
            """, "v.clif:3:5: error: function %f, block0, inst \"return v0\": return has 1 value, but the signature returns 2");
    }

    @Test
    void verifyOrThrowCarriesEveryError() {
        Function f = parse("""
            function %f(i32, i64) -> i32 {
            block0(v1: i32, v2: i64):
                v3 = iadd v1, v2
                v4 = isub v2, v1
                return v3
            }
            """);
        VerifierException e = assertThrows(VerifierException.class, () -> Verifier.verifyOrThrow(f));
        assertEquals(2, e.errors().size());
        assertTrue(e.getMessage().startsWith("2 verifier errors\n  3:5: function %f"), e.getMessage());
        assertEquals(List.of(
            "v.clif:3:5: error: function %f, block0, inst \"v3 = iadd v1, v2\": arg 1 has type i64, expected i32",
            "v.clif:4:5: error: function %f, block0, inst \"v4 = isub v2, v1\": arg 1 has type i32, expected i64"),
            Diagnostics.format("v.clif", e));
    }

    @Test
    void invalidIrIsACompileErrorSoOneCatchCoversEveryReasonCompilationFails() {
        Function f = parse("""
            function %f(i32, i64) -> i32 {
            block0(v1: i32, v2: i64):
                v3 = iadd v1, v2
                return v3
            }
            """);
        CompileException e = assertThrows(CompileException.class,
            () -> Compiler.compile(List.of(f), CompileOptions.builder().build()));
        assertTrue(e instanceof VerifierException, e.getClass().getName());
        assertTrue(e.getMessage().contains("arg 1 has type i64, expected i32"), e.getMessage());
    }
}
