// Problem: illegal operand combinations must be refused at the call that makes them, with a
// message that names the operands, instead of producing bytes that decode as something else.
// Approach: one assertion per rejected combination, checking the exception type and that the
// message carries the offending values; plus the short-branch range behaviour of the Assembler.
package dev.patchbay.codegen.isa.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.codegen.machinst.BranchRangeException;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AssemblerValidationTest {
    private final CodeBuffer buf = new CodeBuffer();
    private final Assembler asm = new Assembler(buf);

    private void rejects(Executable call, String... mentions) {
        int before = buf.offset();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention " + m);
        }
        assertEquals(before, buf.offset(), "a rejected instruction must not emit bytes");
    }

    @Test
    void rejectsUnsupportedSizes() {
        rejects(() -> asm.imul(1, Gpr.RAX, Gpr.RCX), "imul", "size 1", "RAX", "RCX");
        rejects(() -> asm.imulImm(1, Gpr.RAX, Gpr.RCX, 3), "imul", "size 1");
        rejects(() -> asm.bswap(2, Gpr.RDX), "bswap", "size 2", "RDX");
        rejects(() -> asm.alu(AluOp.ADD, 3, Gpr.RAX, Gpr.RCX), "add", "size 3");
        rejects(() -> asm.alu(AluOp.SUB, 16, Gpr.RAX, Mem.base(Gpr.RSP, 8)), "sub", "size 16");
        rejects(() -> asm.cmov(Cond.E, 1, Gpr.RAX, Gpr.RCX), "cmove", "size 1");
        rejects(() -> asm.popcnt(1, Gpr.RAX, Gpr.RCX), "popcnt", "size 1");
        rejects(() -> asm.lzcnt(1, Gpr.RAX, Gpr.RCX), "lzcnt");
        rejects(() -> asm.lea(2, Gpr.RAX, Mem.base(Gpr.RAX, 0)), "lea", "size 2");
        rejects(() -> asm.cwdCdqCqo(1), "cwd", "size 1");
        rejects(() -> asm.movzx(4, 8, Gpr.RAX, Gpr.RCX), "movzx", "4", "8", "RAX", "RCX");
        rejects(() -> asm.movzx(2, 2, Gpr.RAX, Gpr.RCX), "movzx");
        rejects(() -> asm.movsx(4, 4, Gpr.RAX, Gpr.RCX), "movsx");
        rejects(() -> asm.movsx(2, 1, Gpr.RAX, Mem.base(Gpr.RAX, 0)), "movsx");
        rejects(() -> asm.lockXadd(0, Mem.base(Gpr.RAX, 0), Gpr.RCX), "xadd", "size 0");
    }

    @Test
    void rejectsOutOfRangeImmediates() {
        rejects(() -> asm.aluImm(AluOp.ADD, 1, Gpr.RAX, 256), "256", "8 bits");
        rejects(() -> asm.aluImm(AluOp.ADD, 1, Gpr.RAX, -129), "-129");
        rejects(() -> asm.aluImm(AluOp.OR, 2, Mem.base(Gpr.RAX, 0), 0x10000), "65536", "16 bits");
        rejects(() -> asm.storeImm(1, Mem.base(Gpr.RAX, 0), 300), "300");
        rejects(() -> asm.testImm(2, Gpr.RAX, -40000), "-40000");
        rejects(() -> asm.imulImm(2, Gpr.RAX, Gpr.RCX, 70000), "70000");
        rejects(() -> asm.shiftImm(ShiftOp.SHL, 4, Gpr.RAX, 32), "32", "0..31");
        rejects(() -> asm.shiftImm(ShiftOp.SHL, 8, Gpr.RAX, 64), "64", "0..63");
        rejects(() -> asm.shiftImm(ShiftOp.SAR, 1, Gpr.RAX, -1), "-1");
    }

    @Test
    void rejectsIllegalOperands() {
        rejects(() -> Mem.baseIndex(Gpr.RAX, Gpr.RSP, 1, 0), "RSP", "index");
        rejects(() -> Mem.baseIndex(Gpr.RAX, Gpr.RCX, 3, 0), "scale", "3");
        rejects(() -> Mem.base(null, 0), "base");
        rejects(() -> Mem.rip(null, 0), "label");
        rejects(() -> asm.lockAluImm(AluOp.CMP, 4, Mem.base(Gpr.RAX, 0), 1), "lock cmp");
        rejects(() -> asm.lockAlu(AluOp.CMP, 4, Mem.base(Gpr.RAX, 0), Gpr.RCX), "lock cmp");
        rejects(() -> asm.alu(AluOp.ADD, 8, Gpr.RAX, (Gpr) null), "null");
        rejects(() -> asm.push(null), "push");
        rejects(() -> asm.callRel32(-1), "-1");
        rejects(() -> asm.nop(-1), "-1");
        rejects(() -> asm.align(12), "12");
        rejects(() -> new Assembler(null), "null");
    }

    @Test
    void shortBranchToFarBoundLabelThrowsBeforeEmitting() {
        Label top = buf.newLabel();
        buf.bind(top);
        asm.nop(126);
        asm.jmp(top, true); // exactly -128: still fits
        int before = buf.offset();
        BranchRangeException e = assertThrows(BranchRangeException.class, () -> asm.jcc(Cond.NE, top, true));
        assertEquals(-130, e.distance());
        assertEquals(before, buf.offset());
        asm.jcc(Cond.NE, top, false); // the caller's fallback
        assertEquals(before + 6, buf.offset());
    }

    @Test
    void shortBranchToFarForwardLabelThrowsAtBind() {
        Label out = buf.newLabel();
        asm.jmp(out, true);
        asm.nop(128);
        assertThrows(BranchRangeException.class, () -> buf.bind(out));
    }

    @Test
    void ripRelativeFixupAccountsForTrailingImmediate() {
        Label data = buf.newLabel();
        asm.storeImm(4, Mem.rip(data, 0), 0x11223344); // C7 05 disp32 imm32: 10 bytes
        buf.bind(data);
        byte[] b = buf.bytes();
        int disp = (b[2] & 0xFF) | (b[3] & 0xFF) << 8 | (b[4] & 0xFF) << 16 | (b[5] & 0xFF) << 24;
        assertEquals(0, disp, "label bound right after the instruction: displacement 0");
        assertEquals(10, b.length);
    }
}
