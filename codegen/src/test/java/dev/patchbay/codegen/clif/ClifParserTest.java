/*
 * What the parser builds from valid CLIF: header lines, every instruction format,
 * immediates at each width, entity numbering, source locations and run directives. The
 * corpus test covers breadth; these cases pin details the corpus does not exercise.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.MemFlags;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClifParserTest {
    private static Function only(String text) {
        ClifFile f = ClifParser.parse("t.clif", text);
        assertEquals(1, f.functions().size());
        Function fn = f.functions().get(0);
        assertEquals(List.of(), Verifier.verify(fn));
        return fn;
    }

    private static Inst inst(Function f, int block, int index) { return f.layout.get(block).insts.get(index); }

    @Test
    void header() {
        ClifFile f = ClifParser.parse("h.clif", """
            test interpret
            test run
            set opt_level=speed enable_verifier = true
            target x86_64 has_bmi1 has_lzcnt
            target aarch64
            set opt_level=none ; again
            set enable_multi_ret_implicit_sret
            """);
        assertEquals(List.of("interpret", "run"), f.tests());
        assertEquals(2, f.targets().size());
        assertEquals("x86_64", f.targets().get(0).isa());
        assertEquals(List.of("has_bmi1", "has_lzcnt"), f.targets().get(0).features());
        assertEquals(List.of(), f.targets().get(1).features());
        assertEquals(4, f.settings().size());
        assertEquals("enable_verifier", f.settings().get(1).name());
        assertEquals("true", f.settings().get(1).value());
        assertNull(f.settings().get(3).value());
        assertEquals(List.of(
            "h.clif:3:5: warning: ignoring setting 'opt_level=speed'",
            "h.clif:3:21: warning: ignoring setting 'enable_verifier=true'",
            "h.clif:7:5: warning: ignoring setting 'enable_multi_ret_implicit_sret'"), f.warnings());
        assertTrue(f.entries().isEmpty());
    }

    @Test
    void signaturesAndPreamble() {
        Function f = only("""
            function u0:7(i8 uext, i16 sext, i64) -> i32 sext, i64 windows_fastcall {
                ss0 = explicit_slot 16, align = 8
                ss3 = explicit_slot 4
                sig2 = (i64) -> i64 tail
                fn0 = colocated %callee(i32) -> i32 fast
                fn5 = u1:2 sig2
                fn6 = patchable %hook() preserve_all
                fn7 = colocated patchable %hook2 sig4
                sig4 = () preserve_all
            block0(v0: i8, v1: i16, v2: i64):
                v3 = stack_addr.i64 ss3
                v4 = stack_load.i32 ss0+12
                v5 = call fn0(v4)
                v6 = call fn5(v2)
                call fn6()
                call fn7()
                return v5, v6
            }
            """.replace("fn7 = colocated patchable %hook2 sig4\n    sig4 = () preserve_all",
                        "sig4 = () preserve_all\n    fn7 = colocated patchable %hook2 sig4"));
        assertEquals("u0:7", f.name);
        assertEquals(CallConv.WINDOWS_FASTCALL, f.signature.callConv);
        assertEquals(new AbiParam(Type.I8, AbiParam.Ext.UEXT), f.signature.params.get(0));
        assertEquals(new AbiParam(Type.I16, AbiParam.Ext.SEXT), f.signature.params.get(1));
        assertEquals(new AbiParam(Type.I32, AbiParam.Ext.SEXT), f.signature.returns.get(0));
        assertEquals(2, f.stackSlots.size());
        assertEquals(8, f.stackSlots.get(0).align);
        assertEquals(1, f.stackSlots.get(1).align);
        assertEquals(1, inst(f, 0, 0).ref, "ss3 is the second slot declared");
        // Dense signature ids in declaration order: sig2, fn0's inline sig, fn6's inline sig, sig4.
        assertEquals(4, f.sigRefs.size());
        assertEquals(CallConv.TAIL, f.sigRefs.get(0).callConv);
        assertEquals(CallConv.FAST, f.sigRefs.get(1).callConv);
        ExtFunc fn5 = f.extFuncs.get(1);
        assertEquals("u1:2", fn5.name);
        assertEquals(0, fn5.sigRef);
        assertTrue(f.extFuncs.get(0).colocated);
        assertTrue(f.extFuncs.get(2).patchable);
        assertFalse(f.extFuncs.get(2).colocated);
        assertTrue(f.extFuncs.get(3).patchable && f.extFuncs.get(3).colocated);
        assertEquals(3, f.extFuncs.get(3).sigRef);
        assertEquals(6, f.extFuncs.get(1).loc.line);
        roundTrip(f);
    }

    @Test
    void inlineSignaturesAreNumberedInDeclarationOrder() {
        Function f = only("""
            function %f(i64) -> i64 {
                fn0 = %a(i32) -> i32
                fn1 = %b(i64) -> i64
            block0(v0: i64):
                v1 = func_addr.i64 fn1
                v2 = call_indirect.i64 sig1, v1(v0)
                return v2
            }
            """);
        assertEquals(1, inst(f, 0, 1).ref);
        assertNull(inst(f, 0, 1).type);
    }

    @Test
    void immediates() {
        Function f = only("""
            function %f(i64) -> i8, i16, i32, i64, i64, i64, i8 {
            block0(v0: i64):
                v1 = iconst.i8 0xff
                v2 = iconst.i16 -1
                v3 = iconst.i32 4_294_967_295
                v4 = iconst.i64 0xFFFF_FFFF_FFFF_FFFF
                v5 = iadd_imm v0, -0x10
                v6 = band_imm v0, 0xA00A00A0_0A00A00A
                v7 = icmp_imm sge v1, -128
                return v1, v2, v3, v4, v5, v6, v7
            }
            """);
        assertEquals(0xff, inst(f, 0, 0).imm);
        assertEquals(0xffff, inst(f, 0, 1).imm);
        assertEquals(0xffff_ffffL, inst(f, 0, 2).imm);
        assertEquals(-1L, inst(f, 0, 3).imm);
        assertEquals(-16L, inst(f, 0, 4).imm);
        assertEquals(0xA00A00A0_0A00A00AL, inst(f, 0, 5).imm);
        assertEquals(IntCC.SGE, inst(f, 0, 6).cond);
        assertEquals(-128L, inst(f, 0, 6).imm);
        assertEquals(Type.I8, inst(f, 0, 6).type);
        roundTrip(f);
    }

    @Test
    void memoryAndTraps() {
        Function f = only("""
            function %f(i64, i32) -> i64 {
                ss0 = explicit_slot 32
            block0(v0: i64, v1: i32):
                v2 = load.i64 notrap aligned v0+16
                v3 = uload8.i32 v0-8
                v4 = sload16.i64 readonly v0
                store notrap v2, v0+8
                istore8 v1, v0
                store.i32 v1, v0+0x10
                stack_store v1, ss0+28
                v5 = stack_load.i64 ss0+24
                trapz v1, int_divz
                trapnz v3, user1
                v6 = uadd_overflow_trap v2, v5, user7
                v7 = get_frame_pointer.i64
                nop
                v8, v9 = sadd_overflow v2, v4
                v11, v12 = uadd_overflow_cin v8, v5, v9
                return v11
            }
            """);
        Inst load = inst(f, 0, 0);
        assertEquals(16, load.offset);
        assertTrue(load.flags.has(MemFlags.NOTRAP) && load.flags.has(MemFlags.ALIGNED));
        assertEquals(-8, inst(f, 0, 1).offset);
        assertSame(Opcode.ULOAD8, inst(f, 0, 1).op);
        assertEquals(Type.I64, inst(f, 0, 3).type, "store takes its type from the value");
        assertEquals(16, inst(f, 0, 5).offset);
        assertEquals(Type.I32, inst(f, 0, 6).type);
        assertEquals(28, inst(f, 0, 6).offset);
        assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, inst(f, 0, 8).trapCode);
        assertEquals(TrapCode.user(1), inst(f, 0, 9).trapCode);
        assertEquals(TrapCode.user(7), inst(f, 0, 10).trapCode);
        assertEquals(2, inst(f, 0, 13).results.length);
        assertEquals(Type.I8, f.valueType(inst(f, 0, 13).results[1]));
        roundTrip(f);
    }

    @Test
    void controlFlowAndForwardReferences() {
        Function f = only("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = iconst.i32 1
                br_table v0, block3(v1), [block1, block2(v0, v1), block3(v0)]

            block1 cold:
                jump block3(v0)

            block2(v10: i32, v11:i32):
                brif v10, block3(v11), block1

            block4(v30: i32):  ; unreachable, but uses a value defined later in the text
                v31 = iadd.i32 v30, v20
                return v31

            block3(v20: i32) cold:
                v21 = select v20, v0, v1
                v22 = bitselect v21, v0, v1
                return v22
            }
            """);
        Block b1 = f.layout.get(1);
        assertTrue(b1.cold);
        assertEquals("block1", b1.name);
        Inst brTable = inst(f, 0, 1);
        assertEquals(4, brTable.targets.length);
        assertEquals("block3", f.block(brTable.targets[0].block).name);
        assertEquals(2, brTable.targets[2].args.length);
        Block b3 = f.layout.get(4);
        assertEquals("block3", b3.name);
        assertEquals("v20", f.valueName(b3.params[0]));
        assertEquals(Type.I32, inst(f, 4, 0).type, "select takes its type from the true value");
        roundTrip(f);
    }

    @Test
    void trapsCallsWithoutResultsAndBareReturns() {
        Function f = only("""
            function %f(i64) {
                fn0 = %sink(i64)
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                call fn0(v0)
                return
            block2:
                trap unreachable
            }
            """);
        assertEquals(0, inst(f, 1, 0).results.length);
        assertEquals(0, inst(f, 1, 1).args.length);
        assertSame(Opcode.TRAP, inst(f, 2, 0).op);
        assertEquals(TrapCode.UNREACHABLE, inst(f, 2, 0).trapCode);
        roundTrip(f);
    }

    @Test
    void sourceLocations() {
        Function f = only("""
            test run

            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = ineg v0
              return v1
            }
            """);
        assertEquals(3, f.loc.line);
        assertEquals(1, f.loc.col);
        assertEquals(4, f.layout.get(0).loc.line);
        assertEquals(5, inst(f, 0, 0).loc.line);
        assertEquals(5, inst(f, 0, 0).loc.col);
        assertEquals(6, inst(f, 0, 1).loc.line);
        assertEquals(3, inst(f, 0, 1).loc.col);
    }

    @Test
    void runDirectives() {
        ClifFile file = ClifParser.parse("r.clif", """
            function %pair(i64, i8) -> i64, i8 {
            block0(v0: i64, v1: i8):
                return v0, v1
            }
            ; run: %pair(0x7FFFFFFF_FFFFFFFF, -1) == [0x7FFFFFFF_FFFFFFFF, 255]
            ; run: %pair(18446744073709551615, 0) != [0, 1]
            ; print: %pair(1, 2)
            ;; run: not a directive

            function %t() -> i8 {
            block0:
                v0 = iconst.i8 1
                return v0
            }
            ; run
            ; run: %t()

            function %fl(f64) -> f64 {
            block0(v0: f64):
                return v0
            }
            ; run: %fl(0x1.8p3) == -NaN
            ; run: %fl(0.0) == -0x0.0
            """);
        assertEquals(3, file.entries().size());
        List<RunDirective> pair = file.entries().get(0).runDirectives();
        assertEquals(2, pair.size());
        RunDirective r0 = pair.get(0);
        assertEquals("pair", r0.function());
        assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, r0.args());
        assertArrayEquals(new long[] {Long.MAX_VALUE, 255}, r0.expected());
        assertEquals(RunDirective.Comparison.EQ, r0.comparison());
        assertEquals(5, r0.loc().line);
        assertTrue(r0.integral());
        assertFalse(r0.truthy());
        assertEquals(RunDirective.Comparison.NE, pair.get(1).comparison());
        assertArrayEquals(new long[] {-1, 0}, pair.get(1).args());

        List<RunDirective> t = file.entries().get(1).runDirectives();
        assertEquals(2, t.size());
        for (RunDirective r : t) {
            assertEquals("t", r.function());
            assertTrue(r.truthy());
            assertEquals(0, r.args().length);
            assertEquals(RunDirective.Comparison.NE, r.comparison());
            assertArrayEquals(new long[] {0}, r.expected());
        }

        ClifEntry fl = file.entries().get(2);
        assertFalse(fl.isSkipped());
        assertEquals("fl", fl.function().name);
        assertEquals("fl", fl.parsedFunction().name);
        assertEquals(2, fl.runDirectives().size());
        assertTrue(fl.runDirectives().get(0).integral());
        assertEquals(List.of("0x1.8p3"), fl.runDirectives().get(0).argTexts());
        assertEquals(List.of("-NaN"), fl.runDirectives().get(0).expectedTexts());
        assertArrayEquals(new long[] {Double.doubleToRawLongBits(12.0)}, fl.runDirectives().get(0).args());
        assertArrayEquals(new long[] {0xfff8_0000_0000_0000L}, fl.runDirectives().get(0).expected());
        assertArrayEquals(new long[] {0}, fl.runDirectives().get(1).args());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, fl.runDirectives().get(1).expected());
        assertEquals(6, file.runDirectives().size());
    }

    @Test
    void skippedFunctionsDoNotHideTheirNeighbours() {
        ClifFile file = ClifParser.parse("s.clif", """
            function %v(i32x4) -> i32x4 {
            block0(v0: i32x4):
                v1 = vconst.i32x4 [1 2 3 4]
                return v0
            }
            function %k() -> i32 {
                ss0 = explicit_slot 8
            block0:
                v0 = f32const 0x1.0
                v1 = iconst.i32 0
                return v1
            }
            function %w() -> i64 {
                fn0 = %g(i128) -> i64
            block0:
                v0 = iconst.i64 0
                return v0
            }
            function %ok() -> i64 {
            block0:
                v0 = iconst.i64 0
                return v0
            }
            """);
        assertEquals(List.of("unsupported type i32x4", "unsupported type i128"),
            file.skipped().stream().map(SkippedFunction::reason).toList());
        assertEquals(2, file.functions().size());
        assertEquals("ok", file.functions().get(1).name);
    }

    /** Prints f, parses the text again and checks the result is the same function. */
    static void roundTrip(Function f) {
        String printed = FunctionPrinter.print(f);
        Function g = ClifParser.parse("again.clif", printed).functions().get(0);
        assertNull(IrEquivalence.difference(f, g), printed);
        assertEquals(printed, FunctionPrinter.print(g));
    }
}
