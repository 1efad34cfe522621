/*
 * A memory operand before register allocation: [base + index*scale + disp], where the base
 * is a virtual register or a stack slot (resolved to an RBP-relative address once the frame
 * is laid out) and the index, if any, is a virtual register. Lowering builds the largest
 * mode an address's definitions fill (Lower.address); emission reads spilled base and index
 * registers through the scratch registers (Emit.mem).
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
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) throw new IllegalArgumentException("scale " + scale);
        this.base = base;
        this.slot = slot;
        this.disp = disp;
        this.index = index;
        this.scale = scale;
    }

    static MemArg base(int vreg, int disp) { return new MemArg(vreg, -1, disp, -1, 1); }

    static MemArg slot(int slot, int disp) { return new MemArg(-1, slot, disp, -1, 1); }

    /** [base + index*scale + disp]. */
    static MemArg baseIndex(int base, int index, int scale, int disp) {
        return new MemArg(base, -1, disp, index, scale);
    }

    /** [slot + index*scale + disp]: a stack slot's address plus a scaled register. */
    static MemArg slotIndex(int slot, int index, int scale, int disp) {
        return new MemArg(-1, slot, disp, index, scale);
    }

    /** m with its base and index vregs replaced (the slot, scale and displacement kept). */
    static MemArg rebuild(MemArg m, int base, int index) {
        return new MemArg(base, m.slot, m.disp, index, m.scale);
    }
}
