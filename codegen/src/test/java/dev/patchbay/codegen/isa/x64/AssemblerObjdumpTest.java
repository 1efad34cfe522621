// Problem: every instruction form the Assembler can emit must be shown to decode, with GNU
// objdump, to exactly the instruction and length intended.
// Approach: generate operand combinations programmatically (all registers, all legal sizes, a
// catalogue of addressing modes, boundary immediates), describe the expected objdump text for
// each, and check each batch in one objdump run (see ObjdumpHarness). Where the encoder has a
// choice of encodings, the test also pins the length of the shortest one.
package dev.patchbay.codegen.isa.x64;

import static dev.patchbay.codegen.isa.x64.IntelSyntax.addr;
import static dev.patchbay.codegen.isa.x64.IntelSyntax.comment;
import static dev.patchbay.codegen.isa.x64.IntelSyntax.hex;
import static dev.patchbay.codegen.isa.x64.IntelSyntax.imm;
import static dev.patchbay.codegen.isa.x64.IntelSyntax.mem;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.patchbay.codegen.machinst.Label;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AssemblerObjdumpTest {
    private static final Gpr[] ALL = Gpr.values();
    private static final int[] SIZES = {1, 2, 4, 8};
    private static final int[] SIZES_248 = {2, 4, 8};
    private static final AtomicInteger CHECKED = new AtomicInteger();

    @BeforeEach
    void requireObjdump() {
        assumeTrue(ObjdumpHarness.available(), "objdump not on PATH; skipping disassembly checks");
    }

    @AfterAll
    static void report() {
        if (CHECKED.get() > 0) {
            System.out.println("[x64 encoder] instructions checked against objdump: " + CHECKED.get()
                    + ", distinct instruction shapes: " + ObjdumpHarness.SHAPES.size());
        }
    }

    private static void verify(ObjdumpHarness h) throws Exception {
        CHECKED.addAndGet(h.verify());
    }

    // ---- operand catalogues -----------------------------------------------------------------------

    /** Every encodable shape of memory operand that exercises a distinct ModRM/SIB/disp path. */
    private static List<Mem> fullMemCatalogue(ObjdumpHarness h) {
        List<Mem> out = new ArrayList<>();
        int[] disps = {0, 1, -1, 0x7f, -0x80, 0x80, -0x81, 0x12345678, -0x12345678,
            Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (Gpr base : ALL) {
            for (int d : disps) {
                out.add(Mem.base(base, d));
            }
        }
        int[] scales = {1, 2, 4, 8};
        int[] indexDisps = {0, 0x10, -0x1000};
        for (Gpr base : ALL) {
            for (Gpr index : ALL) {
                if (index == Gpr.RSP) {
                    continue;
                }
                for (int s : scales) {
                    for (int d : indexDisps) {
                        out.add(Mem.baseIndex(base, index, s, d));
                    }
                }
            }
        }
        for (int addend : new int[] {0, 8, -8, 0x1000}) {
            out.add(Mem.rip(h.back, addend));
            out.add(Mem.rip(h.ahead, addend));
        }
        return out;
    }

    /** A small set covering the special cases, for crossing with every instruction. */
    private static List<Mem> sampleMems(ObjdumpHarness h) {
        return List.of(
                Mem.base(Gpr.RAX, 0),
                Mem.base(Gpr.RSP, 0),
                Mem.base(Gpr.RBP, 0),
                Mem.base(Gpr.R12, 0),
                Mem.base(Gpr.R13, 0),
                Mem.base(Gpr.RSP, 8),
                Mem.base(Gpr.RBP, -8),
                Mem.base(Gpr.R13, 0x80),
                Mem.base(Gpr.R11, -0x12345678),
                Mem.baseIndex(Gpr.R12, Gpr.RAX, 8, 0x10),
                Mem.baseIndex(Gpr.RAX, Gpr.R15, 2, -0x1000),
                Mem.baseIndex(Gpr.RBP, Gpr.R12, 4, 0),
                Mem.baseIndex(Gpr.R13, Gpr.RBX, 1, 0x12345678),
                Mem.baseIndex(Gpr.RSP, Gpr.R9, 1, -0x80),
                Mem.rip(h.back, 0),
                Mem.rip(h.ahead, 4));
    }

    private static int[] immValues(int size) {
        switch (size) {
            case 1: return new int[] {0, 1, -1, 0x7f, -0x80, 0x80, 0xff};
            case 2: return new int[] {0, 1, -1, 0x7f, -0x80, 0x80, -0x81, 0x7fff, -0x8000, 0x8000, 0xffff, 0x1234};
            default: return new int[] {0, 1, -1, 0x7f, -0x80, 0x80, -0x81, Integer.MAX_VALUE, Integer.MIN_VALUE,
                0x12345678};
        }
    }

    private static boolean fits8(int size, int imm) {
        int v = size == 1 ? (byte) imm : size == 2 ? (short) imm : imm;
        return v >= -128 && v <= 127;
    }

    /** Prefix bytes a register-only instruction needs: 66 for words, REX for W/high regs/spl..dil. */
    private static int regPrefixLen(int size, Gpr... regs) {
        int n = size == 2 ? 1 : 0;
        boolean rex = size == 8;
        for (Gpr r : regs) {
            rex |= r.needsRex() || (size == 1 && r.enc() >= 4 && r.enc() <= 7);
        }
        return n + (rex ? 1 : 0);
    }

    /** ModRM + SIB + displacement bytes of a memory operand (independent model of the spec). */
    private static int memOperandLen(Mem m) {
        if (m.isRipRelative()) {
            return 1 + 4;
        }
        int base = m.base().enc() & 7;
        int n = 1;
        if (m.index() != null || base == 4) {
            n++;
        }
        if (m.disp() == 0 && base != 5) {
            return n;
        }
        return n + (m.disp() >= -128 && m.disp() <= 127 ? 1 : 4);
    }

    // ---- ALU ----------------------------------------------------------------------------------------

    @Test
    void aluRegReg() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (AluOp op : AluOp.values()) {
            for (int size : SIZES) {
                for (Gpr d : ALL) {
                    for (Gpr s : ALL) {
                        h.expect(op.mnemonic() + " " + d.name(size) + "," + s.name(size),
                                regPrefixLen(size, d, s) + 2, a -> a.alu(op, size, d, s));
                    }
                }
            }
        }
        verify(h);
    }

    @Test
    void aluRegMemAndMemReg() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        List<Mem> mems = sampleMems(h);
        for (AluOp op : AluOp.values()) {
            for (int size : SIZES) {
                for (Gpr r : ALL) {
                    for (Mem m : mems) {
                        h.expectAt((s, e) -> op.mnemonic() + " " + r.name(size) + "," + mem(size, m, e) + comment(m, e),
                                a -> a.alu(op, size, r, m));
                        h.expectAt((s, e) -> op.mnemonic() + " " + mem(size, m, e) + "," + r.name(size) + comment(m, e),
                                a -> a.alu(op, size, m, r));
                    }
                }
            }
        }
        verify(h);
    }

    @Test
    void aluImmediate() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        List<Mem> mems = sampleMems(h);
        for (AluOp op : AluOp.values()) {
            for (int size : SIZES) {
                for (int v : immValues(size)) {
                    int immLen = size == 1 || fits8(size, v) ? 1 : Math.min(size, 4);
                    for (Gpr r : ALL) {
                        h.expect(op.mnemonic() + " " + r.name(size) + "," + imm(size, v),
                                regPrefixLen(size, r) + 2 + immLen, a -> a.aluImm(op, size, r, v));
                    }
                    for (Mem m : mems) {
                        h.expectAt((s, e) -> op.mnemonic() + " " + mem(size, m, e) + "," + imm(size, v) + comment(m, e),
                                a -> a.aluImm(op, size, m, v));
                    }
                }
            }
        }
        verify(h);
    }

    @Test
    void testInstruction() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int size : SIZES) {
            for (Gpr x : ALL) {
                for (Gpr y : ALL) {
                    h.expect("test " + x.name(size) + "," + y.name(size), a -> a.test(size, x, y));
                }
                for (int v : immValues(size)) {
                    h.expect("test " + x.name(size) + "," + imm(size, v),
                            regPrefixLen(size, x) + 2 + Math.min(size, 4), a -> a.testImm(size, x, v));
                }
            }
        }
        verify(h);
    }

    // ---- moves --------------------------------------------------------------------------------------

    @Test
    void movRegRegAllRegistersAllSizes() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int size : SIZES) {
            for (Gpr d : ALL) {
                for (Gpr s : ALL) {
                    h.expect("mov " + d.name(size) + "," + s.name(size), regPrefixLen(size, d, s) + 2,
                            a -> a.mov(size, d, s));
                }
            }
        }
        verify(h);
    }

    /** The full addressing-mode catalogue through load, store and lea, with minimal lengths pinned. */
    @Test
    void addressingModesLoadStoreLea() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        List<Mem> mems = fullMemCatalogue(h);
        for (int i = 0; i < mems.size(); i++) {
            Mem m = mems.get(i);
            Gpr r = ALL[i % 16];
            for (int size : SIZES) {
                int len = memPrefixLen(size, r, m) + 1 + memOperandLen(m);
                h.expectAt((s, e) -> "mov " + r.name(size) + "," + mem(size, m, e) + comment(m, e), len,
                        a -> a.load(size, r, m));
                h.expectAt((s, e) -> "mov " + mem(size, m, e) + "," + r.name(size) + comment(m, e), len,
                        a -> a.store(size, m, r));
            }
            for (int size : new int[] {4, 8}) {
                h.expectAt((s, e) -> "lea " + r.name(size) + "," + addr(m, e) + comment(m, e),
                        memPrefixLen(size, r, m) + 1 + memOperandLen(m), a -> a.lea(size, r, m));
            }
        }
        verify(h);
    }

    private static int memPrefixLen(int size, Gpr reg, Mem m) {
        int n = size == 2 ? 1 : 0;
        boolean rex = size == 8 || reg.needsRex() || (size == 1 && reg.enc() >= 4 && reg.enc() <= 7);
        if (!m.isRipRelative()) {
            rex |= m.base().needsRex() || (m.index() != null && m.index().needsRex());
        }
        return n + (rex ? 1 : 0);
    }

    @Test
    void storeImmediate() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int size : SIZES) {
            for (int v : immValues(size)) {
                for (Mem m : sampleMems(h)) {
                    h.expectAt((s, e) -> "mov " + mem(size, m, e) + "," + imm(size, v) + comment(m, e),
                            a -> a.storeImm(size, m, v));
                }
            }
        }
        verify(h);
    }

    @Test
    void movImmediateChoosesShortestForm() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        long[] values = {0, 1, 0x7f, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, -1, -0x80000000L,
            -0x80000001L, 0x123456789abcdefL, Long.MIN_VALUE, Long.MAX_VALUE};
        for (Gpr r : ALL) {
            int rex = r.needsRex() ? 1 : 0;
            for (long v : values) {
                if (v >= 0 && v <= 0xffffffffL) {
                    h.expect("mov " + r.name(4) + "," + hex(v), rex + 5, a -> a.movImm(r, v));
                } else if (v == (int) v) {
                    h.expect("mov " + r.name(8) + "," + hex(v), 7, a -> a.movImm(r, v));
                } else {
                    h.expect("movabs " + r.name(8) + "," + hex(v), 10, a -> a.movImm(r, v));
                }
            }
            for (int v : new int[] {0, 1, -1, Integer.MIN_VALUE}) {
                h.expect("mov " + r.name(4) + "," + imm(4, v), rex + 5, a -> a.movImm32(r, v));
            }
            h.expect("xor " + r.name(4) + "," + r.name(4), rex + 2, a -> a.zero(r));
        }
        verify(h);
    }

    @Test
    void zeroAndSignExtension() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        int[][] zx = {{1, 2}, {1, 4}, {1, 8}, {2, 4}, {2, 8}};
        int[][] sx = {{1, 2}, {1, 4}, {1, 8}, {2, 4}, {2, 8}, {4, 8}};
        List<Mem> mems = sampleMems(h);
        for (Gpr d : ALL) {
            for (Gpr s : ALL) {
                for (int[] c : zx) {
                    h.expect("movzx " + d.name(c[1]) + "," + s.name(c[0]), a -> a.movzx(c[0], c[1], d, s));
                }
                for (int[] c : sx) {
                    String mn = c[0] == 4 ? "movsxd " : "movsx ";
                    h.expect(mn + d.name(c[1]) + "," + s.name(c[0]), a -> a.movsx(c[0], c[1], d, s));
                }
            }
            for (Mem m : mems) {
                for (int[] c : zx) {
                    h.expectAt((st, e) -> "movzx " + d.name(c[1]) + "," + mem(c[0], m, e) + comment(m, e),
                            a -> a.movzx(c[0], c[1], d, m));
                }
                for (int[] c : sx) {
                    String mn = c[0] == 4 ? "movsxd " : "movsx ";
                    h.expectAt((st, e) -> mn + d.name(c[1]) + "," + mem(c[0], m, e) + comment(m, e),
                            a -> a.movsx(c[0], c[1], d, m));
                }
            }
        }
        verify(h);
    }

    @Test
    void exchange() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int size : SIZES) {
            for (Gpr x : ALL) {
                for (Gpr y : ALL) {
                    h.expect("xchg " + x.name(size) + "," + y.name(size), a -> a.xchg(size, x, y));
                }
            }
        }
        verify(h);
    }

    // ---- arithmetic ---------------------------------------------------------------------------------

    @Test
    void group3MultiplyDivide() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int size : SIZES) {
            for (Gpr r : ALL) {
                String n = r.name(size);
                h.expect("not " + n, a -> a.not(size, r));
                h.expect("neg " + n, a -> a.neg(size, r));
                h.expect("mul " + n, a -> a.mul(size, r));
                h.expect("imul " + n, a -> a.imulWide(size, r));
                h.expect("div " + n, a -> a.div(size, r));
                h.expect("idiv " + n, a -> a.idiv(size, r));
            }
        }
        verify(h);
    }

    @Test
    void twoAndThreeOperandImul() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        List<Mem> mems = sampleMems(h);
        for (int size : SIZES_248) {
            for (Gpr d : ALL) {
                for (Gpr s : ALL) {
                    h.expect("imul " + d.name(size) + "," + s.name(size), a -> a.imul(size, d, s));
                }
                for (Mem m : mems) {
                    h.expectAt((st, e) -> "imul " + d.name(size) + "," + mem(size, m, e) + comment(m, e),
                            a -> a.imul(size, d, m));
                }
                Gpr s = ALL[(d.enc() + 5) % 16];
                for (int v : immValues(size)) {
                    int immLen = fits8(size, v) ? 1 : Math.min(size, 4);
                    h.expect("imul " + d.name(size) + "," + s.name(size) + "," + imm(size, v),
                            regPrefixLen(size, d, s) + 2 + immLen, a -> a.imulImm(size, d, s, v));
                }
            }
        }
        verify(h);
    }

    @Test
    void signExtendAccumulator() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        h.expect("cwd", 2, a -> a.cwdCdqCqo(2));
        h.expect("cdq", 1, a -> a.cwdCdqCqo(4));
        h.expect("cqo", 2, a -> a.cwdCdqCqo(8));
        verify(h);
    }

    @Test
    void shifts() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (ShiftOp op : ShiftOp.values()) {
            for (int size : SIZES) {
                for (Gpr r : ALL) {
                    h.expect(op.mnemonic() + " " + r.name(size) + ",cl", a -> a.shiftCl(op, size, r));
                    int max = size == 8 ? 63 : 31;
                    for (int n : new int[] {0, 1, 7, max}) {
                        h.expect(op.mnemonic() + " " + r.name(size) + "," + hex(n), regPrefixLen(size, r) + 3,
                                a -> a.shiftImm(op, size, r, n));
                    }
                }
            }
        }
        verify(h);
    }

    @Test
    void bitOperations() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int size : SIZES_248) {
            for (Gpr d : ALL) {
                for (Gpr s : ALL) {
                    String ops = " " + d.name(size) + "," + s.name(size);
                    h.expect("bsr" + ops, a -> a.bsr(size, d, s));
                    h.expect("bsf" + ops, a -> a.bsf(size, d, s));
                    h.expect("lzcnt" + ops, a -> a.lzcnt(size, d, s));
                    h.expect("tzcnt" + ops, a -> a.tzcnt(size, d, s));
                    h.expect("popcnt" + ops, a -> a.popcnt(size, d, s));
                }
            }
        }
        for (int size : new int[] {4, 8}) {
            for (Gpr r : ALL) {
                h.expect("bswap " + r.name(size), a -> a.bswap(size, r));
            }
        }
        verify(h);
    }

    // ---- conditions ---------------------------------------------------------------------------------

    @Test
    void setccAndCmov() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        List<Mem> mems = sampleMems(h);
        for (Cond c : Cond.values()) {
            for (Gpr r : ALL) {
                h.expect("set" + c.suffix() + " " + r.name(1), regPrefixLen(1, r) + 3, a -> a.setcc(c, r));
            }
            for (int size : SIZES_248) {
                for (Gpr d : ALL) {
                    for (Gpr s : ALL) {
                        h.expect("cmov" + c.suffix() + " " + d.name(size) + "," + s.name(size),
                                a -> a.cmov(c, size, d, s));
                    }
                    Mem m = mems.get(d.enc() % mems.size());
                    h.expectAt((st, e) -> "cmov" + c.suffix() + " " + d.name(size) + "," + mem(size, m, e)
                            + comment(m, e), a -> a.cmov(c, size, d, m));
                }
            }
        }
        verify(h);
    }

    // ---- stack, misc --------------------------------------------------------------------------------

    @Test
    void stackAndMiscellaneous() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (Gpr r : ALL) {
            h.expect("push " + r.name(8), r.needsRex() ? 2 : 1, a -> a.push(r));
            h.expect("pop " + r.name(8), r.needsRex() ? 2 : 1, a -> a.pop(r));
        }
        for (int v : new int[] {0, 1, -1, 0x7f, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            h.expect("push " + imm(8, v), 5, a -> a.pushImm32(v));
        }
        h.expect("pushf", 1, Assembler::pushfq);
        h.expect("popf", 1, Assembler::popfq);
        h.expect("lahf", 1, Assembler::lahf);
        h.expect("sahf", 1, Assembler::sahf);
        h.expect("ret", 1, Assembler::ret);
        h.expect("ud2", 2, Assembler::ud2);
        h.expect("int3", 1, Assembler::int3);
        h.expect("hlt", 1, Assembler::hlt);
        h.expect("syscall", 2, Assembler::syscall);
        h.expect("mfence", 3, Assembler::mfence);
        h.expect("lfence", 3, Assembler::lfence);
        h.expect("rdtsc", 2, Assembler::rdtsc);
        h.expect("cpuid", 2, Assembler::cpuid);
        h.expect("pause", 2, Assembler::pause);
        for (Gpr r : ALL) {
            h.expect("mov " + r.name(8) + ",QWORD PTR fs:0x0", 9, a -> a.loadThreadPointer(r));
        }
        for (Mem m : sampleMems(h)) {
            h.expectAt((s, e) -> "fxsave64 " + addr(m, e) + comment(m, e), a -> a.fxsave64(m));
            h.expectAt((s, e) -> "fxrstor64 " + addr(m, e) + comment(m, e), a -> a.fxrstor64(m));
        }
        verify(h);
    }

    @Test
    void nopsAndAlignment() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        for (int len = 1; len <= 40; len++) {
            int n = len;
            h.expectNops(a -> a.nop(n));
            h.expect("ret", Assembler::ret); // a separator, so every region is checked on its own
        }
        for (int align : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            for (int misalign = 0; misalign < 3; misalign++) {
                h.expect("int3", Assembler::int3);
                h.expectNops(a -> a.align(align));
                int at = h.size();
                if (at % align != 0) {
                    throw new AssertionError("align(" + align + ") left offset " + at);
                }
            }
        }
        verify(h);
    }

    // ---- control flow -------------------------------------------------------------------------------

    @Test
    void branchesToLabels() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        // h.back is at offset 0; near branches reach it from anywhere in the batch.
        for (Cond c : Cond.values()) {
            Label here = h.buf.newLabel();
            h.buf.bind(here);
            h.expectAt((s, e) -> "j" + c.suffix() + " " + hex(here.offset()), 2, a -> a.jcc(c, here, true));
            h.expectAt((s, e) -> "j" + c.suffix() + " " + hex(here.offset()), 6, a -> a.jcc(c, here, false));
            h.expectAt((s, e) -> "j" + c.suffix() + " " + hex(0), 6, a -> a.jcc(c, h.back, false));
            Label fwd = h.buf.newLabel();
            h.expectAt((s, e) -> "j" + c.suffix() + " " + hex(fwd.offset()), 2, a -> a.jcc(c, fwd, true));
            h.expectAt((s, e) -> "j" + c.suffix() + " " + hex(fwd.offset()), 6, a -> a.jcc(c, fwd, false));
            h.expectAt((s, e) -> "j" + c.suffix() + " " + hex(h.ahead.offset()), 6, a -> a.jcc(c, h.ahead, false));
            h.expectNops(a -> a.nop(100));
            h.buf.bind(fwd);
        }
        Label loop = h.buf.newLabel();
        h.buf.bind(loop);
        h.expectAt((s, e) -> "jmp " + hex(loop.offset()), 2, a -> a.jmp(loop, true));
        h.expectAt((s, e) -> "jmp " + hex(loop.offset()), 5, a -> a.jmp(loop, false));
        h.expectAt((s, e) -> "call " + hex(loop.offset()), 5, a -> a.call(loop));
        h.expectAt((s, e) -> "jmp " + hex(0), 5, a -> a.jmp(h.back, false));
        h.expectAt((s, e) -> "call " + hex(0), 5, a -> a.call(h.back));
        Label edge = h.buf.newLabel();
        // Exactly 127 bytes ahead: the furthest a rel8 can reach forwards.
        h.expectAt((s, e) -> "jmp " + hex(edge.offset()), 2, a -> a.jmp(edge, true));
        h.expectNops(a -> a.nop(127));
        h.buf.bind(edge);
        h.expectAt((s, e) -> "jmp " + hex(h.ahead.offset()), 5, a -> a.jmp(h.ahead, false));
        h.expectAt((s, e) -> "call " + hex(h.ahead.offset()), 5, a -> a.call(h.ahead));
        for (int target : new int[] {0, 3, 0x40}) {
            h.expect("call " + hex(target), 5, a -> a.callRel32(target));
        }
        h.expect("call " + hex(0x100000), 5, a -> a.callRel32(0x100000));
        for (Gpr r : ALL) {
            h.expect("call " + r.name(8), a -> a.call(r));
            h.expect("jmp " + r.name(8), a -> a.jmp(r));
        }
        for (Mem m : sampleMems(h)) {
            h.expectAt((s, e) -> "call " + mem(8, m, e) + comment(m, e), a -> a.call(m));
            h.expectAt((s, e) -> "jmp " + mem(8, m, e) + comment(m, e), a -> a.jmp(m));
        }
        verify(h);
    }

    // ---- atomics ------------------------------------------------------------------------------------

    @Test
    void lockedOperations() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        List<Mem> mems = sampleMems(h);
        for (int size : SIZES) {
            for (Gpr r : ALL) {
                Mem m = mems.get(r.enc() % mems.size());
                h.expectAt((s, e) -> "lock xadd " + mem(size, m, e) + "," + r.name(size) + comment(m, e),
                        a -> a.lockXadd(size, m, r));
                h.expectAt((s, e) -> "lock cmpxchg " + mem(size, m, e) + "," + r.name(size) + comment(m, e),
                        a -> a.lockCmpxchg(size, m, r));
                h.expectAt((s, e) -> "lock add " + mem(size, m, e) + "," + r.name(size) + comment(m, e),
                        a -> a.lockAdd(size, m, r));
            }
            for (AluOp op : AluOp.values()) {
                if (op == AluOp.CMP) {
                    continue;
                }
                for (Mem m : mems) {
                    Gpr r = ALL[(op.ordinal() * 3 + 1) % 16];
                    h.expectAt((s, e) -> "lock " + op.mnemonic() + " " + mem(size, m, e) + "," + r.name(size)
                            + comment(m, e), a -> a.lockAlu(op, size, m, r));
                    for (int v : immValues(size)) {
                        h.expectAt((s, e) -> "lock " + op.mnemonic() + " " + mem(size, m, e) + "," + imm(size, v)
                                + comment(m, e), a -> a.lockAluImm(op, size, m, v));
                    }
                }
            }
        }
        verify(h);
    }
}
