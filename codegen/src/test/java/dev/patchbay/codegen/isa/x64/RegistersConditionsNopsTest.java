// Problem: the small vocabularies (register names and numbers, condition codes, NOP table) are
// used everywhere, so a slip there would surface far away.
// Approach: pin them against the Intel/objdump spellings and encodings directly.
package dev.patchbay.codegen.isa.x64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.codegen.machinst.CodeBuffer;
import org.junit.jupiter.api.Test;

class RegistersConditionsNopsTest {
    @Test
    void registerNumbersAndNames() {
        assertEquals(16, Gpr.values().length);
        for (Gpr g : Gpr.values()) {
            assertEquals(g.ordinal(), g.enc());
            assertEquals(g.enc() >= 8, g.needsRex());
            assertEquals(g, Gpr.fromEnc(g.enc()));
        }
        assertEquals("al", Gpr.RAX.name(1));
        assertEquals("spl", Gpr.RSP.name(1));
        assertEquals("bpl", Gpr.RBP.name(1));
        assertEquals("sil", Gpr.RSI.name(1));
        assertEquals("dil", Gpr.RDI.name(1));
        assertEquals("r8b", Gpr.R8.name(1));
        assertEquals("r15b", Gpr.R15.name(1));
        assertEquals("bx", Gpr.RBX.name(2));
        assertEquals("r12w", Gpr.R12.name(2));
        assertEquals("esp", Gpr.RSP.name(4));
        assertEquals("r9d", Gpr.R9.name(4));
        assertEquals("rdi", Gpr.RDI.name(8));
        assertEquals("r13", Gpr.R13.name(8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gpr.RAX.name(3));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gpr.fromEnc(16));
    }

    @Test
    void conditionCodes() {
        String[] suffixes = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
        for (Cond c : Cond.values()) {
            assertEquals(c.ordinal(), c.enc());
            assertEquals(suffixes[c.enc()], c.suffix());
            assertEquals(c, c.invert().invert());
            assertTrue(c.invert() != c);
        }
        assertEquals(Cond.NE, Cond.E.invert());
        assertEquals(Cond.AE, Cond.B.invert());
        assertEquals(Cond.GE, Cond.L.invert());
        assertEquals(Cond.LE, Cond.G.invert());
        assertEquals(0x4, Cond.E.enc());
        assertEquals(0xC, Cond.L.enc());
        assertEquals(0xF, Cond.G.enc());
    }

    @Test
    void nopTable() {
        assertEquals(9, NopUnits.MAX_UNIT);
        assertEquals(9, NopUnits.X64_NOP_UNITS.length);
        for (int i = 0; i < 9; i++) {
            assertEquals(i + 1, NopUnits.X64_NOP_UNITS[i].length);
            assertArrayEquals(NopUnits.X64_NOP_UNITS[i], NopUnits.unit(i + 1));
        }
        assertArrayEquals(new byte[] {0x0F, 0x1F, 0x44, 0x00, 0x00}, NopUnits.PATCH_SITE_OFF);
        assertArrayEquals(NopUnits.PATCH_SITE_OFF, NopUnits.unit(5));
        assertThrows(IllegalArgumentException.class, () -> NopUnits.unit(0));
        assertThrows(IllegalArgumentException.class, () -> NopUnits.unit(10));
    }

    @Test
    void nopFillIsGreedyLargestFirst() {
        CodeBuffer b = new CodeBuffer();
        NopUnits.fill(b, 21);
        byte[] want = new byte[21];
        System.arraycopy(NopUnits.unit(9), 0, want, 0, 9);
        System.arraycopy(NopUnits.unit(9), 0, want, 9, 9);
        System.arraycopy(NopUnits.unit(3), 0, want, 18, 3);
        assertArrayEquals(want, b.bytes());
    }

    @Test
    void emissionIgnoresWritesToThePublishedTable() {
        byte saved = NopUnits.X64_NOP_UNITS[0][0];
        NopUnits.X64_NOP_UNITS[0][0] = (byte) 0xCC;
        try {
            CodeBuffer b = new CodeBuffer();
            NopUnits.fill(b, 1);
            assertEquals(0x90, b.get1(0));
        } finally {
            NopUnits.X64_NOP_UNITS[0][0] = saved;
        }
    }
}
