// Problem: expected disassembly has to be spelled exactly the way GNU objdump spells Intel syntax
// (size keywords, hex immediates masked to the operand size, "+0x0" for forced displacements,
// RIP-relative operands with a trailing target comment).
// Approach: a handful of formatting functions that model objdump's printer. They are written from
// objdump's observable output, not from the encoder, so they check it rather than echo it.
package dev.patchbay.codegen.isa.x64;

final class IntelSyntax {
    private IntelSyntax() {}

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Immediate as objdump prints it: the value as an unsigned number of the operand's width. */
    static String imm(int size, long v) {
        long masked = size == 8 ? v : v & ((1L << (8 * size)) - 1);
        return hex(masked);
    }

    static String ptr(int size) {
        switch (size) {
            case 1: return "BYTE PTR";
            case 2: return "WORD PTR";
            case 4: return "DWORD PTR";
            case 8: return "QWORD PTR";
            default: throw new IllegalArgumentException("size " + size);
        }
    }

    static String reg(Gpr r, int size) {
        return r.name(size);
    }

    /** "QWORD PTR [rax+0x8]" for an instruction ending at {@code end}. */
    static String mem(int size, Mem m, int end) {
        return ptr(size) + " " + addr(m, end);
    }

    /** The bracketed address alone, as in lea or fxsave64. */
    static String addr(Mem m, int end) {
        if (m.isRipRelative()) {
            long disp = ripDisp(m, end);
            return "[rip+" + hex(disp) + "]";
        }
        StringBuilder sb = new StringBuilder("[").append(m.base().name(8));
        if (m.index() != null) {
            sb.append('+').append(m.index().name(8)).append('*').append(m.scale());
        }
        // objdump shows a displacement whenever the encoding carries one; RBP and R13 always do.
        boolean hasDisp = m.disp() != 0 || m.base() == Gpr.RBP || m.base() == Gpr.R13;
        if (hasDisp) {
            long d = m.disp();
            sb.append(d < 0 ? "-" : "+").append(hex(Math.abs(d)));
        }
        return sb.append(']').toString();
    }

    /** objdump appends "# <absolute target>" after the operands of a RIP-relative instruction. */
    static String comment(Mem m, int end) {
        if (!m.isRipRelative()) {
            return "";
        }
        return " # " + hex(end + ripDisp(m, end));
    }

    private static long ripDisp(Mem m, int end) {
        return (long) m.target().offset() + m.disp() - end;
    }
}
