// Problem: the SSE/SSE4.1/FMA forms the float backend emits must decode, with GNU objdump,
// to exactly the instruction intended, for every register (the REX.R/REX.B and VEX bits) and
// every addressing shape (SIB, forced disp8, RIP-relative with a trailing immediate).
// Approach: as AssemblerObjdumpTest: each form crossed with all sixteen XMM registers on each
// side, the GPR forms with all sixteen GPRs, and the memory forms with a catalogue of
// addresses; one objdump run per batch (ObjdumpHarness).
package dev.patchbay.codegen.isa.x64;

import static dev.patchbay.codegen.isa.x64.IntelSyntax.addr;
import static dev.patchbay.codegen.isa.x64.IntelSyntax.comment;
import static dev.patchbay.codegen.isa.x64.IntelSyntax.mem;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SseObjdumpTest {
    private static final Xmm[] X = Xmm.values();
    private static final Gpr[] G = Gpr.values();
    private static final String[] CMP_PRED = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"};

    @BeforeEach
    void requireObjdump() {
        assumeTrue(ObjdumpHarness.available(), "objdump not on PATH; skipping disassembly checks");
    }

    private static List<Mem> mems(ObjdumpHarness h) {
        return List.of(
                Mem.base(Gpr.RAX, 0), Mem.base(Gpr.RSP, 0), Mem.base(Gpr.RBP, -8), Mem.base(Gpr.R12, 0x10),
                Mem.base(Gpr.R13, 0), Mem.base(Gpr.R11, -0x12345678),
                Mem.baseIndex(Gpr.R12, Gpr.RAX, 8, 0x10), Mem.baseIndex(Gpr.RAX, Gpr.R15, 2, -0x1000),
                Mem.baseIndex(Gpr.RSP, Gpr.R9, 1, -0x80),
                Mem.rip(h.back, 0), Mem.rip(h.ahead, 4));
    }

    private static void verify(ObjdumpHarness h) throws Exception {
        assertTrue(h.verify() > 0);
    }

    @Test
    void scalarArithmetic() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (Assembler.SseOp op : Assembler.SseOp.values()) {
            for (boolean single : new boolean[] {true, false}) {
                String mn = op.mnemonic(single);
                for (Xmm d : X) {
                    for (Xmm s : X) h.expect(mn + " " + d + "," + s, a -> a.sse(op, single, d, s));
                }
                for (Mem m : mems(h)) {
                    Xmm d = Xmm.XMM9;
                    h.expectAt((s, e) -> mn + " " + d + "," + mem(single ? 4 : 8, m, e) + comment(m, e), a -> a.sse(op, single, d, m));
                }
            }
        }
        verify(h);
    }

    @Test
    void bitwiseMovesAndCompares() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (Xmm d : X) {
            for (Xmm s : X) {
                for (Assembler.BitwiseOp op : Assembler.BitwiseOp.values()) {
                    h.expect(op.mnemonic() + " " + d + "," + s, a -> a.bitwise(op, d, s));
                }
                h.expect("pxor " + d + "," + s, a -> a.pxor(d, s));
                h.expect("movaps " + d + "," + s, a -> a.movaps(d, s));
                for (boolean single : new boolean[] {true, false}) {
                    String w = single ? "s" : "d";
                    h.expect("ucomis" + w + " " + d + "," + s, a -> a.ucomis(single, d, s));
                    h.expect("comis" + w + " " + d + "," + s, a -> a.comis(single, d, s));
                    h.expect((single ? "cvtss2sd " : "cvtsd2ss ") + d + "," + s, a -> a.cvtFloat(single, d, s));
                    for (int p = 0; p < 8; p++) {
                        int pred = p;
                        h.expect("cmp" + CMP_PRED[p] + "s" + w + " " + d + "," + s, a -> a.cmps(single, pred, d, s));
                    }
                    for (int mode : new int[] {0, 1, 2, 3, 8, 9, 10, 11}) {
                        h.expect("rounds" + w + " " + d + "," + s + ",0x" + Integer.toHexString(mode), a -> a.rounds(single, mode, d, s));
                    }
                    h.expect("vfmadd213s" + w + " " + d + "," + s + "," + X[(d.enc() + s.enc() + 5) & 15],
                            a -> a.vfmadd213(single, d, s, X[(d.enc() + s.enc() + 5) & 15]));
                }
            }
        }
        for (Mem m : mems(h)) {
            h.expectAt((s, e) -> "movaps xmm12,XMMWORD PTR " + addr(m, e) + comment(m, e), a -> a.movapsLoad(Xmm.XMM12, m));
            h.expectAt((s, e) -> "movaps XMMWORD PTR " + addr(m, e) + ",xmm5" + comment(m, e), a -> a.movapsStore(m, Xmm.XMM5));
            h.expectAt((s, e) -> "stmxcsr " + mem(4, m, e) + comment(m, e), a -> a.stmxcsr(m));
            h.expectAt((s, e) -> "ldmxcsr " + mem(4, m, e) + comment(m, e), a -> a.ldmxcsr(m));
            for (Assembler.BitwiseOp op : Assembler.BitwiseOp.values()) {
                h.expectAt((s, e) -> op.mnemonic() + " xmm3," + "XMMWORD PTR " + addr(m, e) + comment(m, e), a -> a.bitwise(op, Xmm.XMM3, m));
            }
            for (Xmm x : new Xmm[] {Xmm.XMM0, Xmm.XMM7, Xmm.XMM8, Xmm.XMM15}) {
                for (boolean single : new boolean[] {true, false}) {
                    Xmm other = X[15 - x.enc()];
                    h.expectAt((s, e) -> "vfmadd213s" + (single ? "s " : "d ") + x + "," + other + "," + mem(single ? 4 : 8, m, e) + comment(m, e),
                            a -> a.vfmadd213(single, x, other, m));
                    String mn = single ? "movss" : "movsd";
                    h.expectAt((s, e) -> mn + " " + x + "," + mem(single ? 4 : 8, m, e) + comment(m, e), a -> a.movsLoad(single, x, m));
                    h.expectAt((s, e) -> mn + " " + mem(single ? 4 : 8, m, e) + "," + x + comment(m, e), a -> a.movsStore(single, m, x));
                }
            }
        }
        verify(h);
    }

    @Test
    void gprCrossings() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (Xmm x : X) {
            for (Gpr g : G) {
                for (int size : new int[] {4, 8}) {
                    String mv = size == 8 ? "movq " : "movd ";
                    h.expect(mv + x + "," + g.name(size), a -> a.movToXmm(size, x, g));
                    h.expect(mv + g.name(size) + "," + x, a -> a.movFromXmm(size, g, x));
                    for (boolean single : new boolean[] {true, false}) {
                        String w = single ? "ss" : "sd";
                        h.expect("cvtsi2" + w + " " + x + "," + g.name(size), a -> a.cvtsi2s(single, size, x, g));
                        h.expect("cvtt" + w + "2si " + g.name(size) + "," + x, a -> a.cvtts2si(single, size, g, x));
                    }
                }
                h.expect("movmskps " + g.name(4) + "," + x, a -> a.movmsk(true, g, x));
                h.expect("movmskpd " + g.name(4) + "," + x, a -> a.movmsk(false, g, x));
            }
        }
        verify(h);
    }
}
