// Problem: label fixups are where silent miscompilation hides (a wrong pcAfter, a rel8 that
// wrapped, a label never bound), so they need direct checks independent of any ISA.
// Approach: drive CodeBuffer with raw bytes and a toy one/two-byte padding table, and assert
// exact byte contents and the precise failure modes.
package dev.patchbay.codegen.machinst;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodeBufferTest {
    private static final byte[][] TOY_NOPS = {{(byte) 0x90}, {0x66, (byte) 0x90}};

    /** Emits a toy branch: one opcode byte then a zeroed field of {@code size} bytes bound to {@code l}. */
    private static int branch(CodeBuffer b, Label l, int size) {
        b.put1(size == 1 ? 0xEB : 0xE9);
        int field = b.offset();
        if (size == 1) {
            b.put1(0);
        } else {
            b.put4(0);
        }
        b.useLabelRel(l, field, size, field + size);
        return field;
    }

    private static int rel32At(CodeBuffer b, int at) {
        return b.get1(at) | b.get1(at + 1) << 8 | b.get1(at + 2) << 16 | b.get1(at + 3) << 24;
    }

    @Test
    void littleEndianPutsAndPatches() {
        CodeBuffer b = new CodeBuffer(1); // forces several regrowths
        b.put1(0xAB);
        b.put2(0x1234);
        b.put4(0xDEADBEEF);
        b.put8(0x0102030405060708L);
        b.put1(-1);
        assertEquals(16, b.offset());
        assertArrayEquals(new byte[] {(byte) 0xAB, 0x34, 0x12, (byte) 0xEF, (byte) 0xBE, (byte) 0xAD, (byte) 0xDE,
            8, 7, 6, 5, 4, 3, 2, 1, (byte) 0xFF}, b.bytes());
        b.patch1(0, 0x11);
        b.patch4(3, 0x55667788);
        assertEquals(0x11, b.get1(0));
        assertEquals(0x88, b.get1(3));
        assertEquals(0x55, b.get1(6));
        byte[] copy = b.bytes();
        b.patch1(0, 0x22);
        assertEquals(0x11, copy[0], "bytes() must return a copy");
    }

    @Test
    void rangeChecks() {
        CodeBuffer b = new CodeBuffer();
        assertThrows(IllegalArgumentException.class, () -> b.put1(256));
        assertThrows(IllegalArgumentException.class, () -> b.put1(-129));
        assertThrows(IllegalArgumentException.class, () -> b.put2(0x10000));
        b.put4(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.patch4(1, 0));
        assertTrue(e.getMessage().contains("offset 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.get1(4));
        assertThrows(IllegalArgumentException.class, () -> b.patch1(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CodeBuffer(0));
    }

    @Test
    void backwardRel8AndRel32ResolveImmediately() {
        CodeBuffer b = new CodeBuffer();
        Label top = b.newLabel();
        b.bind(top);
        int f8 = branch(b, top, 1);
        assertEquals(0xFE, b.get1(f8), "jmp to itself is rel8 -2");
        int f32 = branch(b, top, 4);
        assertEquals(-7, rel32At(b, f32));
        assertTrue(b.isBound(top));
        assertEquals(0, b.labelOffset(top));
        b.finish();
    }

    @Test
    void forwardRel8AndRel32ResolveAtBind() {
        CodeBuffer b = new CodeBuffer();
        Label end = b.newLabel();
        int f8 = branch(b, end, 1);
        int f32 = branch(b, end, 4);
        for (int i = 0; i < 10; i++) {
            b.put1(0x90);
        }
        assertEquals(0, b.get1(f8), "unresolved before bind");
        assertFalse(b.isBound(end));
        b.bind(end);
        assertEquals(b.offset() - (f8 + 1), b.get1(f8));
        assertEquals(b.offset() - (f32 + 4), rel32At(b, f32));
        assertEquals(b.offset(), end.offset());
        b.finish();
    }

    @Test
    void rel8EdgesFitExactly() {
        CodeBuffer b = new CodeBuffer();
        Label top = b.newLabel();
        b.bind(top);
        for (int i = 0; i < 126; i++) {
            b.put1(0x90);
        }
        int f = branch(b, top, 1); // target - pcAfter = 0 - 128
        assertEquals(0x80, b.get1(f));
        Label fwd = b.newLabel();
        int g = branch(b, fwd, 1);
        for (int i = 0; i < 127; i++) {
            b.put1(0x90);
        }
        b.bind(fwd);
        assertEquals(0x7F, b.get1(g));
    }

    @Test
    void rel8OutOfRangeBackwardThrows() {
        CodeBuffer b = new CodeBuffer();
        Label top = b.newLabel();
        b.bind(top);
        for (int i = 0; i < 127; i++) {
            b.put1(0x90);
        }
        b.put1(0xEB);
        int field = b.offset();
        b.put1(0);
        BranchRangeException e = assertThrows(BranchRangeException.class,
                () -> b.useLabelRel(top, field, 1, field + 1));
        assertEquals(top.id(), e.labelId());
        assertEquals(field, e.fieldOffset());
        assertEquals(-129, e.distance());
    }

    @Test
    void rel8OutOfRangeForwardThrowsAtBindAndLeavesLabelUnbound() {
        CodeBuffer b = new CodeBuffer();
        Label far = b.newLabel();
        int field = branch(b, far, 1);
        for (int i = 0; i < 128; i++) {
            b.put1(0x90);
        }
        byte[] before = b.bytes();
        BranchRangeException e = assertThrows(BranchRangeException.class, () -> b.bind(far));
        assertEquals(128, e.distance());
        assertEquals(field, e.fieldOffset());
        assertTrue(e.getMessage().contains("L" + far.id()), e.getMessage());
        assertFalse(far.isBound());
        assertArrayEquals(before, b.bytes());
    }

    @Test
    void bindingTwiceThrows() {
        CodeBuffer b = new CodeBuffer();
        Label l = b.newLabel();
        b.bind(l);
        b.put1(0x90);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.bind(l));
        assertTrue(e.getMessage().contains("already bound"), e.getMessage());
    }

    @Test
    void finishRejectsUsedButUnboundLabel() {
        CodeBuffer b = new CodeBuffer();
        Label unused = b.newLabel();
        Label missing = b.newLabel();
        branch(b, missing, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, b::finish);
        assertTrue(e.getMessage().contains("L" + missing.id()), e.getMessage());
        assertFalse(unused.isBound());
        b.bind(missing);
        b.finish(); // an unused unbound label is harmless
    }

    @Test
    void rejectsForeignLabelsAndBadFields() {
        CodeBuffer a = new CodeBuffer();
        CodeBuffer b = new CodeBuffer();
        Label foreign = a.newLabel();
        assertThrows(IllegalArgumentException.class, () -> b.bind(foreign));
        b.put4(0);
        Label l = b.newLabel();
        assertThrows(IllegalArgumentException.class, () -> b.useLabelRel(l, 0, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> b.useLabelRel(l, 2, 4, 6));
        assertThrows(IllegalArgumentException.class, () -> b.useLabelRel(foreign, 0, 4, 4));
        assertThrows(IllegalStateException.class, () -> b.labelOffset(l));
    }

    @Test
    void nopPaddingIsGreedyAndAligns() {
        CodeBuffer b = new CodeBuffer();
        b.putNop(5, TOY_NOPS);
        assertArrayEquals(new byte[] {0x66, (byte) 0x90, 0x66, (byte) 0x90, (byte) 0x90}, b.bytes());
        b.alignTo(8, TOY_NOPS);
        assertEquals(8, b.offset());
        b.alignTo(8, TOY_NOPS);
        assertEquals(8, b.offset(), "already aligned: no padding");
        b.put1(0xCC);
        b.alignTo(4, TOY_NOPS);
        assertEquals(12, b.offset());
        assertThrows(IllegalArgumentException.class, () -> b.alignTo(3, TOY_NOPS));
        assertThrows(IllegalArgumentException.class, () -> b.alignTo(0, TOY_NOPS));
        assertThrows(IllegalArgumentException.class, () -> b.putNop(-1, TOY_NOPS));
        assertThrows(IllegalArgumentException.class, () -> b.putNop(1, new byte[][] {{0x66, (byte) 0x90}}));
    }

    /**
     * The fused entry site's forms, on compiled code: the on form (`jmp rel32; nop`) must land
     * on the first byte of its stub, which starts with the same stack-limit `cmp` that the
     * prologue runs right before the site, and the stub's last jump must come back to the
     * instruction after the site. The off form (`jb rel32`) is the bytes in the code and
     * reaches the stack-overflow island, which stores the trap code into the vmctx. A stub
     * target one byte off (as a lost attempt had it) crashed the JVM in FaultTest.
     */
    @Test
    void fusedEntrySiteOnFormLandsOnItsStub() {
        String clif = "function %callee(i64) -> i64 {\n"
            + "block0(v0: i64):\n    return v0\n}\n"
            + "function %f(i64) -> i64 {\n    fn0 = colocated %callee(i64) -> i64\n"
            + "block0(v0: i64):\n    v1 = call fn0(v0)\n    return v1\n}\n"
            + "function %g(i64) -> i64 {\n    ss0 = explicit_slot 70000\n"
            + "block0(v0: i64):\n    stack_store v0, ss0\n    v1 = stack_load.i64 ss0\n    return v1\n}\n";
        java.util.List<dev.patchbay.codegen.ir.Function> fns = dev.patchbay.codegen.clif.ClifParser.parse("t.clif", clif).functions();
        dev.patchbay.codegen.CompileOptions opts = dev.patchbay.codegen.CompileOptions.builder()
            .plan(dev.patchbay.codegen.instrument.InstrumentationPlan.of(dev.patchbay.codegen.instrument.SiteKind.EPOCH)
                .withEpochMode(dev.patchbay.codegen.instrument.EpochMode.FUSED))
            .build();
        CompiledModule m = dev.patchbay.codegen.Compiler.compile(fns, opts);
        byte[] code = m.code();

        CodeBuffer cb = new CodeBuffer();
        new dev.patchbay.codegen.isa.x64.Assembler(cb).alu(dev.patchbay.codegen.isa.x64.AluOp.CMP, 8,
            dev.patchbay.codegen.isa.x64.Gpr.R11,
            dev.patchbay.codegen.isa.x64.Mem.base(dev.patchbay.codegen.isa.x64.Abi.VMCTX, dev.patchbay.codegen.vm.VmctxLayout.STACK_LIMIT));
        byte[] cmp = cb.bytes();

        int entrySites = 0;
        for (PatchSite s : m.patchSites) {
            if (!s.irLocation.endsWith("(entry)")) continue;
            entrySites++;
            byte[] on = s.onBytes(), off = s.offBytes();
            assertEquals(6, on.length);
            assertEquals(6, off.length);
            for (int i = 0; i < 6; i++) assertEquals(off[i], code[s.offset + i], "the code holds the off form");
            // off: jb rel32 to the island
            assertEquals(0x0F, off[0] & 0xFF);
            assertEquals(0x82, off[1] & 0xFF);
            int island = s.offset + 6 + le32(off, 2);
            // the island starts with mov qword [vmctx + TRAP_CODE], imm32 (REX.W+B C7 /0)
            assertEquals(0x49, code[island] & 0xFF, "island at " + island);
            assertEquals(0xC7, code[island + 1] & 0xFF, "island at " + island);
            // on: jmp rel32; nop
            assertEquals(0xE9, on[0] & 0xFF);
            assertEquals(0x90, on[5] & 0xFF);
            int stub = s.offset + 5 + le32(on, 1);
            byte[] atStub = java.util.Arrays.copyOfRange(code, stub, stub + cmp.length);
            assertArrayEquals(cmp, atStub, "the on form must land on the stub's first byte (stub at " + stub + ")");
            byte[] before = java.util.Arrays.copyOfRange(code, s.offset - cmp.length, s.offset);
            assertArrayEquals(cmp, before, "the site follows the prologue's own stack-limit cmp");
            // stub: cmp (n bytes); jb rel32 (6) to the same island; call rel32 (5); jmp rel32 (5) back after the site
            int jb = stub + cmp.length;
            assertEquals(0x0F, code[jb] & 0xFF);
            assertEquals(0x82, code[jb + 1] & 0xFF);
            assertEquals(island, jb + 6 + le32(code, jb + 2), "the stub's own check goes to the same island");
            int call = jb + 6;
            assertEquals(0xE8, code[call] & 0xFF);
            int jmp = call + 5;
            assertEquals(0xE9, code[jmp] & 0xFF);
            assertEquals(s.offset + 6, jmp + 5 + le32(code, jmp + 1), "the stub returns right after the site");
        }
        assertEquals(2, entrySites, "%f (a call) and %g (a big frame) have entry sites, %callee none");
    }

    /** A toy relaxable jmp: E9 rel32, short form EB rel8. */
    private static void relaxableJmp(CodeBuffer b, Label l) {
        int start = b.offset();
        branch(b, l, 4);
        b.relaxableBranch(start, 0xEB, l);
    }

    private static void filler(CodeBuffer b, int n) {
        for (int i = 0; i < n; i++) b.put1(0xCC);
    }

    @Test
    void relaxShortensWhatReachesAndKeepsWhatDoesNot() {
        CodeBuffer b = new CodeBuffer();
        Label near = b.newLabel(), far = b.newLabel();
        relaxableJmp(b, near); // [0, 5)
        relaxableJmp(b, far);  // [5, 10)
        filler(b, 10);
        b.bind(near);          // 20
        filler(b, 200);
        b.bind(far);           // 220
        assertEquals(1, b.relax());
        // jmp near: EB, rel8 = 12 - 2 (the second branch stays long: 5 bytes, 10 filler)
        assertEquals(0xEB, b.get1(0));
        assertEquals(5 + 10, b.get1(1));
        assertEquals(0xE9, b.get1(2));
        assertEquals(17, near.offset());
        assertEquals(217, far.offset());
        assertEquals(217 - 7, rel32At(b, 3));
        assertEquals(217, b.offset());
    }

    /** Marks (frame rows live outside the buffer) move with the code through relax(). */
    @Test
    void relaxMovesMarks() {
        CodeBuffer b = new CodeBuffer();
        Label near = b.newLabel();
        int atStart = b.mark();  // 0
        relaxableJmp(b, near);   // [0, 5) becomes [0, 2)
        int afterJmp = b.mark(); // 5 becomes 2
        filler(b, 10);
        b.bind(near);
        int atLabel = b.mark();  // 15 becomes 12
        assertEquals(1, b.relax());
        assertEquals(0, b.markOffset(atStart));
        assertEquals(2, b.markOffset(afterJmp));
        assertEquals(12, b.markOffset(atLabel));
        assertEquals(near.offset(), b.markOffset(atLabel));
    }

    /**
     * The fixpoint starts from all short: the outer branch reaches only once the inner one
     * is short too, which a pass that judged each branch by the long layout would miss.
     */
    @Test
    void relaxFindsShortFormsThatOnlyFitTogether() {
        CodeBuffer b = new CodeBuffer();
        Label outer = b.newLabel(), inner = b.newLabel();
        relaxableJmp(b, outer);   // [0, 5)
        filler(b, 118);
        relaxableJmp(b, inner);   // [123, 128)
        b.bind(inner);            // 128
        b.bind(outer);            // 128: rel8 from 2 would be 126 after both shrink (3 + 3 bytes)
        assertEquals(2, b.relax());
        assertEquals(0xEB, b.get1(0));
        assertEquals(120 - 2 + 2, b.get1(1)); // outer at 0: target 122, rel 120
        assertEquals(122, outer.offset());
        assertEquals(122, inner.offset());
        assertEquals(0xEB, b.get1(120));
        assertEquals(0, b.get1(121));
    }

    @Test
    void relaxKeepsAlignmentAndMovesLabelsFixupsAndMetadata() {
        CodeBuffer b = new CodeBuffer();
        Label loop = b.newLabel(), before = b.newLabel(), pendingAtRelax = b.newLabel();
        relaxableJmp(b, loop);             // [0, 5) -> 2 bytes
        b.put1(0xE8);                      // a call to a module symbol
        b.put4(0);
        b.addSymbolRef(6, "sym");
        b.addCallReturn("callee");         // 10, and 7 once the jmp is short
        b.bind(before);                    // 10, before the padding
        b.addTrap(null);
        b.alignTo(16, TOY_NOPS);           // 10 -> 16
        b.bind(loop);                      // 16, after it
        CodeBuffer.Site site = b.addPatchSite(dev.patchbay.codegen.instrument.SiteKind.EPOCH, "hook", null, "here");
        filler(b, 5);                      // the site's 5 bytes
        b.put1(0x8D);                      // an instruction with a rel32 to a label bound only after relax()
        int field = b.offset();
        b.put4(0);
        b.useLabelRel(pendingAtRelax, field, 4, field + 4);
        assertEquals(1, b.relax());
        assertEquals(7, b.callReturns().get(0).offset());
        assertEquals(3, b.symbolRefs().get(0).field());
        assertEquals(7, before.offset(), "a label bound before the padding stays before it");
        assertEquals(7, b.traps().get(0).offset);
        assertEquals(16, loop.offset(), "what was aligned stays aligned");
        for (int i = 7; i < 16; i++) assertTrue(b.get1(i) == 0x90 || b.get1(i) == 0x66, "padding at " + i);
        assertEquals(16, site.offset());
        assertEquals(16 - 2, b.get1(1), "the short jmp reaches the aligned label");
        b.bind(pendingAtRelax);
        assertEquals(26, pendingAtRelax.offset());
        assertEquals(26 - 26, rel32At(b, 22));
        b.setForms(site, new byte[] {1, 2, 3, 4, 5}, new byte[] {(byte) 0xCC, (byte) 0xCC, (byte) 0xCC, (byte) 0xCC, (byte) 0xCC});
        assertThrows(IllegalStateException.class, () -> b.setForms(site, new byte[5], new byte[5]),
            "the off form must be what the code holds");
        b.finish();
    }

    @Test
    void relaxRunsOnceAndLeavesLaterBranchesLong() {
        CodeBuffer b = new CodeBuffer();
        Label l = b.newLabel();
        b.bind(l);
        relaxableJmp(b, l);
        assertEquals(1, b.relax());
        assertThrows(IllegalStateException.class, b::relax);
        relaxableJmp(b, l); // registered after relax(): stays long
        assertEquals(0xE9, b.get1(2));
        assertEquals(0 - 7, rel32At(b, 3));
        assertEquals(0xEB, b.get1(0));
        assertEquals(0xFE, b.get1(1));
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
