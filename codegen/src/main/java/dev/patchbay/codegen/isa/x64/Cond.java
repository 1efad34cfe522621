// Problem: Jcc, SETcc and CMOVcc all take the same 4-bit condition field, and code generators need
// to negate a condition to flip a branch.
// Approach: an enum in encoding order, so the ordinal is the field value; negation is flipping the
// low bit, which is how the hardware pairs every condition with its complement. Suffixes are the
// spellings objdump prints, which keeps disassembly checks exact.
package dev.patchbay.codegen.isa.x64;

/**
 * The x86-64 condition codes of Jcc, SETcc and CMOVcc, in encoding order; negating a condition
 * flips its low bit.
 */
public enum Cond {
    O("o"), NO("no"), B("b"), AE("ae"), E("e"), NE("ne"), BE("be"), A("a"),
    S("s"), NS("ns"), P("p"), NP("np"), L("l"), GE("ge"), LE("le"), G("g");

    private final String suffix;

    Cond(String suffix) {
        this.suffix = suffix;
    }

    /** The 4-bit condition code (tttn) used in 0x70+cc, 0x0F 0x80+cc, 0x0F 0x90+cc, 0x0F 0x40+cc. */
    public int enc() {
        return ordinal();
    }

    /** The complementary condition: true exactly when this one is false. */
    public Cond invert() {
        return values()[ordinal() ^ 1];
    }

    /** Mnemonic suffix as objdump prints it, e.g. "e" for je/sete/cmove. */
    public String suffix() {
        return suffix;
    }
}
