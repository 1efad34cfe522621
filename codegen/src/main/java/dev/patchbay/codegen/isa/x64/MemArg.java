/*
 * A memory operand before register allocation: a base virtual register plus a displacement,
 * or a stack slot plus a displacement (resolved to an RBP-relative address once the frame
 * is laid out).
 */
package dev.patchbay.codegen.isa.x64;

final class MemArg {
    final int base;
    final int slot;
    final int disp;

    private MemArg(int base, int slot, int disp) {
        this.base = base;
        this.slot = slot;
        this.disp = disp;
    }

    static MemArg base(int vreg, int disp) { return new MemArg(vreg, -1, disp); }

    static MemArg slot(int slot, int disp) { return new MemArg(-1, slot, disp); }
}
