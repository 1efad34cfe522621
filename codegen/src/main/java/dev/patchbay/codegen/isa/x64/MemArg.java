/*
 * A memory operand before register allocation: a base virtual register plus a displacement,
 * or a stack slot plus a displacement (resolved to an RBP-relative address once the frame
 * is laid out). Only an `lea` computing arithmetic (x*3 + 1 and the like, see Lower) also
 * has a scaled index: emission reads a spilled index through the second scratch register,
 * which only LEA leaves free.
 */
package dev.patchbay.codegen.isa.x64;

final class MemArg {
    final int base;
    final int slot;
    final int disp;
    /** Index vreg, or -1; scaled by `scale` (1, 2, 4 or 8). */
    final int index;
    final int scale;

    private MemArg(int base, int slot, int disp, int index, int scale) {
        this.base = base;
        this.slot = slot;
        this.disp = disp;
        this.index = index;
        this.scale = scale;
    }

    static MemArg base(int vreg, int disp) { return new MemArg(vreg, -1, disp, -1, 1); }

    static MemArg slot(int slot, int disp) { return new MemArg(-1, slot, disp, -1, 1); }

    /** [base + index*scale + disp], for LEA only. */
    static MemArg baseIndex(int base, int index, int scale, int disp) {
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) throw new IllegalArgumentException("scale " + scale);
        return new MemArg(base, -1, disp, index, scale);
    }
}
