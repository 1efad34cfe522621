// Problem: shifts and rotates share opcodes (C0/C1/D2/D3) and differ only in the ModRM /digit,
// whose values are not contiguous (RCL/RCR and the SAL alias are deliberately left out).
// Approach: an enum carrying its /digit explicitly.
package dev.patchbay.codegen.isa.x64;

/** The x86-64 shift and rotate instructions, each with the ModRM {@code /digit} that selects it. */
public enum ShiftOp {
    ROL(0), ROR(1), SHL(4), SHR(5), SAR(7);

    private final int digit;

    ShiftOp(int digit) {
        this.digit = digit;
    }

    public int digit() {
        return digit;
    }

    public String mnemonic() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
