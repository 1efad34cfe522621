// Problem: scalar float code names the sixteen SSE registers, whose hardware number is split
// across ModRM and REX (or VEX) exactly like a GPR's, and the register allocator needs one
// number space for both classes.
// Approach: an enum in hardware-number order, so the ordinal is the 4-bit encoding; the
// allocator's unified number of xmmN is 16 + N (see Abi.xmmReg).
package dev.patchbay.codegen.isa.x64;

/** The sixteen SSE registers xmm0..xmm15 in hardware-number order. */
public enum Xmm {
    XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7,
    XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14, XMM15;

    /** values() copies its array on every call; the encoder looks registers up per operand. */
    private static final Xmm[] BY_ENC = values();

    /** Hardware register number 0..15. */
    public int enc() {
        return ordinal();
    }

    /** True when the register number needs a REX.R/X/B bit (or VEX's inverted one). */
    public boolean needsRex() {
        return enc() >= 8;
    }

    /** The Intel-syntax name, as objdump prints it. */
    public String regName() {
        return "xmm" + enc();
    }

    /** Register with hardware number {@code enc} (0..15). */
    public static Xmm fromEnc(int enc) {
        if (enc < 0 || enc > 15) {
            throw new IllegalArgumentException("XMM encoding must be 0..15, got " + enc);
        }
        return BY_ENC[enc];
    }

    @Override
    public String toString() {
        return regName();
    }
}
