// Problem: a checker that never fails proves nothing; the objdump harness must itself be shown to
// catch wrong text, wrong boundaries and non-NOP padding.
// Approach: feed it deliberately wrong expectations and require a failure for each.
package dev.patchbay.codegen.isa.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ObjdumpHarnessSelfTest {
    @BeforeEach
    void requireObjdump() {
        assumeTrue(ObjdumpHarness.available(), "objdump not on PATH; skipping disassembly checks");
    }

    @Test
    void acceptsCorrectExpectations() throws Exception {
        ObjdumpHarness h = new ObjdumpHarness();
        h.expect("add rax,rcx", 3, a -> a.alu(AluOp.ADD, 8, Gpr.RAX, Gpr.RCX));
        h.expectNops(a -> a.nop(12));
        assertEquals(3, h.verify());
    }

    @Test
    void catchesWrongText() {
        ObjdumpHarness h = new ObjdumpHarness();
        h.expect("add rax,rdx", a -> a.alu(AluOp.ADD, 8, Gpr.RAX, Gpr.RCX));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, h::verify);
        assertTrue(e.getMessage().contains("add rax,rcx"), e.getMessage());
    }

    @Test
    void catchesWrongBoundaries() {
        ObjdumpHarness h = new ObjdumpHarness();
        h.expect("ret", a -> {
            a.ret();
            a.ret();
        });
        assertThrows(AssertionFailedError.class, h::verify);
    }

    @Test
    void catchesLongerThanShortestEncoding() {
        ObjdumpHarness h = new ObjdumpHarness();
        h.expect("add eax,0x1", 3, a -> a.aluImm(AluOp.ADD, 4, Gpr.RAX, 1));
        h.expect("add eax,0x1", 2, a -> a.aluImm(AluOp.ADD, 4, Gpr.RAX, 1));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, h::verify);
        assertTrue(e.getMessage().contains("shortest"), e.getMessage());
    }

    @Test
    void catchesNonNopPadding() {
        ObjdumpHarness h = new ObjdumpHarness();
        h.expectNops(Assembler::int3);
        assertThrows(AssertionFailedError.class, h::verify);
    }

    @Test
    void shapesAbstractOperands() {
        assertEquals("add QWORD PTR m,imm", ObjdumpHarness.shape("add QWORD PTR [rax+0x8],0x1"));
        assertEquals("mov r64,QWORD PTR m", ObjdumpHarness.shape("mov r9,QWORD PTR [rip+0x10] # 0x20"));
        assertEquals("mov r8,r8", ObjdumpHarness.shape("mov sil,r15b"));
    }
}
