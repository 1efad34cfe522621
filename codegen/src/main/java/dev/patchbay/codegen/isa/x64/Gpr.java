// Problem: the encoder and its callers need one vocabulary for the sixteen x86-64 general-purpose
// registers, including the hardware number split across ModRM and REX and the Intel names each
// register has at every operand size.
// Approach: an enum in hardware-number order, so the ordinal is the 4-bit encoding. Only the
// REX-era byte names (spl, bpl, sil, dil) are given for encodings 4..7: the encoder never emits
// the legacy ah/ch/dh/bh, whose use would forbid a REX prefix.
package dev.patchbay.codegen.isa.x64;

/**
 * The sixteen x86-64 general-purpose registers in hardware-number order, with their names at every
 * operand size.
 */
public enum Gpr {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15;

    /** values() copies its array on every call; the encoder looks registers up per operand. */
    private static final Gpr[] BY_ENC = values();

    private static final String[] LOW8_QWORD = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    private static final String[] LOW8_DWORD = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    private static final String[] LOW8_WORD = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
    private static final String[] LOW8_BYTE = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};

    /** Hardware register number 0..15. */
    public int enc() {
        return ordinal();
    }

    /** True when the register number does not fit in 3 bits and a REX.R/X/B bit is required. */
    public boolean needsRex() {
        return enc() >= 8;
    }

    /** Intel-syntax name for an operand of {@code sizeBytes} (1, 2, 4 or 8). */
    public String name(int sizeBytes) {
        int e = enc();
        if (e >= 8) {
            switch (sizeBytes) {
                case 1: return "r" + e + "b";
                case 2: return "r" + e + "w";
                case 4: return "r" + e + "d";
                case 8: return "r" + e;
                default: break;
            }
        } else {
            switch (sizeBytes) {
                case 1: return LOW8_BYTE[e];
                case 2: return LOW8_WORD[e];
                case 4: return LOW8_DWORD[e];
                case 8: return LOW8_QWORD[e];
                default: break;
            }
        }
        throw new IllegalArgumentException("register size must be 1, 2, 4 or 8 bytes, got " + sizeBytes
                + " for " + this);
    }

    /** Register with hardware number {@code enc} (0..15). */
    public static Gpr fromEnc(int enc) {
        if (enc < 0 || enc > 15) {
            throw new IllegalArgumentException("GPR encoding must be 0..15, got " + enc);
        }
        return BY_ENC[enc];
    }
}
