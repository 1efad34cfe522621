// Problem: the eight classic two-operand ALU instructions share one encoding scheme and differ only
// in a 3-bit selector, which appears both in the opcode (op*8 + form) and as a ModRM /digit.
// Approach: an enum in selector order, so the ordinal is the selector; the assembler derives every
// opcode from it instead of keeping eight parallel tables.
package dev.patchbay.codegen.isa.x64;

/**
 * The eight classic two-operand ALU instructions, in the order of their 3-bit selector, from which
 * the assembler derives every opcode form.
 */
public enum AluOp {
    ADD, OR, ADC, SBB, AND, SUB, XOR, CMP;

    /** The /digit in 0x80/0x81/0x83 and the opcode row in op*8 + {0,1,2,3}. */
    public int digit() {
        return ordinal();
    }

    /** The mnemonics, made once: the assembler names the op in every size check it makes. */
    private static final String[] MNEMONICS = new String[values().length];

    static {
        for (AluOp op : values()) MNEMONICS[op.ordinal()] = op.name().toLowerCase(java.util.Locale.ROOT);
    }

    public String mnemonic() {
        return MNEMONICS[ordinal()];
    }
}
