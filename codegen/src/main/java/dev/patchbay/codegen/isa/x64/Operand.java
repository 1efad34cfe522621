/*
 * A physical operand, what the post-allocation Rewrite hands emission in place of a vreg:
 * a register (the allocator's number: GPRs 0..15, xmmN as Abi.XMM_BASE + N) or a memory
 * operand (a frame slot), the latter only where the instruction's encoding takes memory.
 */
package dev.patchbay.codegen.isa.x64;

record Operand(int reg, Mem mem) {
    /** One operand per register number: a function's Rewrite asks for one per operand. */
    private static final Operand[] REGS = new Operand[Abi.XMM_BASE + 16];

    static {
        for (int r = 0; r < REGS.length; r++) REGS[r] = new Operand(r, null);
    }

    static Operand reg(int r) { return r >= 0 && r < REGS.length ? REGS[r] : new Operand(r, null); }

    static Operand mem(Mem m) { return new Operand(-1, m); }

    boolean isReg() { return mem == null; }

    /** The GPR; an error if this is memory or an XMM register (a Rewrite that broke its promise). */
    Gpr gpr() {
        if (mem != null || Abi.isXmmReg(reg)) throw new IllegalStateException("not a GPR operand: " + this);
        return Gpr.fromEnc(reg);
    }

    Xmm xmm() {
        if (mem != null || !Abi.isXmmReg(reg)) throw new IllegalStateException("not an XMM operand: " + this);
        return Abi.xmm(reg);
    }

    boolean isGpr() { return mem == null && !Abi.isXmmReg(reg); }

    /** True if this is register r (an allocator number). */
    boolean is(int r) { return mem == null && reg == r; }
}
