/*
 * Emission of the scalar float instructions (MInst's F_* kinds) for one function, with
 * Cranelift's semantics where x86 differs:
 *
 * - fmin/fmax: minss/maxss return the second operand when either is NaN and treat -0 and
 *   +0 as equal. So a NaN operand (parity after ucomis) gives the canonical NaN, equal
 *   operands give a | b (fmin: -0 if either is) or a & b (fmax), and only ordered unequal
 *   operands reach minss/maxss.
 * - fcvt_to_{s,u}int[_sat]: the value is truncated first (roundss), and the truncated
 *   value is compared with the range's bounds, which are powers of two and so exact in
 *   both widths. NaN traps bad_toint (sat: 0); out of range traps int_ovf (sat: the
 *   bound). u64 above 2^63 converts value - 2^63 and sets bit 63 again.
 * - fcvt_from_uint.u64: a value with bit 63 set is halved with its low bit kept (so the
 *   one rounding is the right one), converted, and doubled.
 * - fcmp: ucomis sets ZF, PF, CF (all three for unordered); eq needs ZF and not PF, ne ZF
 *   or PF, and lt/le (and ugt/uge) swap the operands so that unordered fails (passes) them.
 * - cvtsi2ss/sd write only the low lane: the destination is zeroed first (pxor), so the
 *   result never waits on the register's last writer.
 *
 * Operands come from the Rewrite's Form (Emit.op): registers, a slot where the encoding
 * takes memory, and XMM14/XMM15 or R10/R11 where the Rewrite reloaded an operand or
 * computes a result to spill. Temporaries of an expansion (XMM15 for a constant, R10 for
 * its bits) are registers the Rewrite left free for that instruction. Nothing here keeps a
 * value in a scratch register past one instruction.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.Label;

final class FloatEmit {
    private static final Xmm X14 = Abi.XSCRATCH, X15 = Abi.XSCRATCH2;
    private static final Gpr R10 = Abi.SCRATCH2, R11 = Abi.SCRATCH;

    private final Emit e;
    private final Assembler asm;

    FloatEmit(Emit e, Assembler asm) {
        this.e = e;
        this.asm = asm;
    }

    void inst(MInst m0) {
        switch (m0.kind()) {
            case F_CONST: fconst((MInst.FConst) m0); return;
            case F_ARITH: arith((MInst.FArith) m0); return;
            case F_BITWISE: bitwise((MInst.FBitwise) m0); return;
            case F_ROUND: {
                MInst.FRound m = (MInst.FRound) m0;
                asm.rounds(m.single(), m.mode(), e.x(m.dst()), e.x(m.a()));
                return;
            }
            case F_CVT: cvt((MInst.FCvt) m0); return;
            case F_CMP: cmp((MInst.FCmp) m0); return;
            case F_MINMAX: minMax((MInst.FMinMax) m0); return;
            case F_FMA: {
                // a is in the result's register (a Move edit).
                MInst.FFma m = (MInst.FFma) m0;
                Xmm d = e.x(m.dst()), b = e.x(m.b());
                Operand c = e.op(m.c());
                if (c.isReg()) asm.vfmadd213(m.single(), d, b, c.xmm());
                else asm.vfmadd213(m.single(), d, b, c.mem());
                return;
            }
            case F_SIGN: sign((MInst.FSign) m0); return;
            case F_SELECT: {
                MInst.FSelect m = (MInst.FSelect) m0;
                e.compare(m.cmp());
                Label skip = e.buf.newLabel();
                Xmm d = e.x(m.dst());
                // Moves leave the flags alone.
                e.xmovIn(d, m.ifFalse());
                asm.jccRelaxable(m.cmp().cc().invert(), skip);
                e.xmovIn(d, m.ifTrue());
                e.buf.bind(skip);
                return;
            }
            case F_BITSELECT: {
                // b ^ ((a ^ b) & c), a in the result's register (a Move edit). With b in a
                // GPR (b and c both spilled) in GPRs instead: a in temp 0, c read from its slot.
                MInst.FBitselect m = (MInst.FBitselect) m0;
                Xmm d = e.x(m.dst());
                if (e.op(m.b()).isGpr()) {
                    Gpr t = Emit.gpr(e.form().temp(0)), b = e.g(m.b());
                    Mem c = e.op(m.c()).mem();
                    asm.alu(AluOp.XOR, 8, t, b);
                    asm.alu(AluOp.AND, 8, t, c);
                    asm.alu(AluOp.XOR, 8, t, b);
                    asm.movToXmm(8, d, t);
                    return;
                }
                asm.bitwise(Assembler.BitwiseOp.XOR, d, e.x(m.b()));
                asm.bitwise(Assembler.BitwiseOp.AND, d, e.x(m.c()));
                asm.bitwise(Assembler.BitwiseOp.XOR, d, e.x(m.b()));
                return;
            }
            default:
                throw new AssertionError(m0.kind());
        }
    }

    /** x = the float with these bits, through R10 (xorps for 0). */
    private void loadConst(Xmm x, long bits) {
        if (bits == 0) {
            asm.bitwise(Assembler.BitwiseOp.XOR, x, x);
        } else {
            asm.movImm(R10, bits);
            asm.movToXmm(8, x, R10);
        }
    }

    private static long bitsOf(boolean single, double v) {
        return single ? Float.floatToRawIntBits((float) v) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(v);
    }

    private void fconst(MInst.FConst m) {
        long bits = m.single() ? m.bits() & 0xFFFF_FFFFL : m.bits();
        Operand d = e.op(m.dst());
        if (d.isGpr()) asm.movImm(d.gpr(), bits); // spilled: the bits go through a GPR (a Spill edit)
        else loadConst(d.xmm(), bits);
    }

    static boolean commutative(Assembler.SseOp op) {
        return op == Assembler.SseOp.ADD || op == Assembler.SseOp.MUL;
    }

    private void arith(MInst.FArith m) {
        // Binary: the first source is already in d (a Move edit).
        Xmm d = e.x(m.dst());
        Operand b = e.op(m.b() < 0 ? m.a() : e.form().swapped ? m.a() : m.b());
        if (b.isReg()) asm.sse(m.op(), m.single(), d, b.xmm());
        else asm.sse(m.op(), m.single(), d, b.mem());
    }

    private void bitwise(MInst.FBitwise m) {
        // The first source is already in d (a Move edit); the second is a register (the
        // 16-byte memory form would read past an 8-byte slot).
        asm.bitwise(m.op(), e.x(m.dst()), e.x(e.form().swapped ? m.a() : m.b()));
    }

    private void sign(MInst.FSign m) {
        boolean single = m.single();
        long sign = single ? 0x8000_0000L : Long.MIN_VALUE;
        Xmm d = e.x(m.dst());
        switch (m.op()) {
            case NEG:
                // a is in the result's register (a Move edit); XMM15 holds the sign mask.
                loadConst(X15, sign);
                asm.bitwise(Assembler.BitwiseOp.XOR, d, X15);
                return;
            case ABS:
                loadConst(d, sign);
                asm.bitwise(Assembler.BitwiseOp.ANDN, d, e.x(m.a()));
                return;
            default: {
                // In GPRs: a's magnitude, b's sign bit (their bits are in temps 0 and 1:
                // Move edits). Every other bit of a moves unchanged.
                Gpr ta = Emit.gpr(e.form().temp(0)), tb = Emit.gpr(e.form().temp(1));
                if (single) {
                    asm.aluImm(AluOp.AND, 4, ta, 0x7FFF_FFFF);
                    asm.aluImm(AluOp.AND, 4, tb, Integer.MIN_VALUE);
                } else {
                    asm.shiftImm(ShiftOp.SHL, 8, ta, 1);
                    asm.shiftImm(ShiftOp.SHR, 8, ta, 1);
                    asm.shiftImm(ShiftOp.SHR, 8, tb, 63);
                    asm.shiftImm(ShiftOp.SHL, 8, tb, 63);
                }
                asm.alu(AluOp.OR, 8, ta, tb);
                asm.movToXmm(8, d, ta);
            }
        }
    }

    private void minMax(MInst.FMinMax m) {
        boolean single = m.single();
        // a is in the result's register (a Move edit).
        Label ne = e.buf.newLabel(), nan = e.buf.newLabel(), done = e.buf.newLabel();
        Xmm d = e.x(m.dst()), y = e.x(m.b());
        asm.ucomis(single, d, y);
        asm.jccRelaxable(Cond.P, nan);
        asm.jccRelaxable(Cond.NE, ne);
        // Equal, so the same number or +0 and -0: the sign bits decide.
        asm.bitwise(m.max() ? Assembler.BitwiseOp.AND : Assembler.BitwiseOp.OR, d, y);
        asm.jmpRelaxable(done);
        e.buf.bind(ne);
        asm.sse(m.max() ? Assembler.SseOp.MAX : Assembler.SseOp.MIN, single, d, y);
        asm.jmpRelaxable(done);
        e.buf.bind(nan);
        loadConst(d, single ? 0x7FC0_0000L : 0x7FF8_0000_0000_0000L);
        e.buf.bind(done);
    }

    /**
     * How ucomis's flags decide a condition: compare the operands in the other order if
     * `swapped` (so that unordered fails lt/le and passes ugt/uge), then the condition holds
     * when `c` holds, and (`and`) or (otherwise) `also` holds if there is one (eq: ZF and
     * not PF; ne: not ZF or PF). The one statement of it, for fcmp's setcc and for the
     * branch a brif on an fcmp becomes (Emit, F_BRANCH).
     */
    record Flags(boolean swapped, Cond c, Cond also, boolean and) {}

    static Flags flags(dev.patchbay.codegen.ir.FloatCC cc) {
        switch (cc) {
            case EQ: return new Flags(false, Cond.E, Cond.NP, true);
            case NE: return new Flags(false, Cond.NE, Cond.P, false);
            case ORD: return new Flags(false, Cond.NP, null, false);
            case UNO: return new Flags(false, Cond.P, null, false);
            case ONE: return new Flags(false, Cond.NE, null, false);
            case UEQ: return new Flags(false, Cond.E, null, false);
            case GT: return new Flags(false, Cond.A, null, false);
            case GE: return new Flags(false, Cond.AE, null, false);
            case LT: return new Flags(true, Cond.A, null, false);
            case LE: return new Flags(true, Cond.AE, null, false);
            case ULT: return new Flags(false, Cond.B, null, false);
            case ULE: return new Flags(false, Cond.BE, null, false);
            case UGT: return new Flags(true, Cond.B, null, false);
            default: return new Flags(true, Cond.BE, null, false); // UGE
        }
    }

    private void cmp(MInst.FCmp m) {
        Flags fl = flags(m.cc());
        int a = fl.swapped() ? m.b() : m.a(), b = fl.swapped() ? m.a() : m.b();
        Xmm x = e.x(a), y = e.x(b);
        asm.ucomis(m.single(), x, y);
        Gpr d = e.g(m.dst());
        asm.setcc(fl.c(), d);
        if (fl.also() != null) {
            asm.setcc(fl.also(), R10);
            asm.alu(fl.and() ? AluOp.AND : AluOp.OR, 1, d, R10);
        }
        asm.movzx(1, 4, d, d);
    }

    private void cvt(MInst.FCvt m) {
        boolean single = m.single();
        switch (m.op()) {
            case PROMOTE: case DEMOTE: {
                asm.cvtFloat(m.op() == MInst.CvtOp.PROMOTE, e.x(m.dst()), e.x(m.a()));
                return;
            }
            case FROM_SINT: {
                Gpr src = e.g(m.a());
                Xmm d = e.x(m.dst());
                asm.pxor(d, d);
                asm.cvtsi2s(single, m.intSize(), d, src);
                return;
            }
            case FROM_UINT: {
                Gpr src = e.g(m.a());
                Xmm d = e.x(m.dst());
                Label big = e.buf.newLabel(), done = e.buf.newLabel();
                asm.pxor(d, d);
                asm.test(8, src, src);
                asm.jccRelaxable(Cond.S, big);
                asm.cvtsi2s(single, 8, d, src);
                asm.jmpRelaxable(done);
                e.buf.bind(big);
                asm.mov(8, R10, src);
                asm.aluImm(AluOp.AND, 4, R10, 1);
                if (src != R11) asm.mov(8, R11, src);
                asm.shiftImm(ShiftOp.SHR, 8, R11, 1);
                asm.alu(AluOp.OR, 8, R11, R10);
                asm.cvtsi2s(single, 8, d, R11);
                asm.sse(Assembler.SseOp.ADD, single, d, d);
                e.buf.bind(done);
                return;
            }
            default:
                toInt(m);
        }
    }

    private void toInt(MInst.FCvt m) {
        boolean single = m.single();
        boolean signed = m.op() == MInst.CvtOp.TO_SINT || m.op() == MInst.CvtOp.TO_SINT_SAT;
        boolean sat = m.op() == MInst.CvtOp.TO_SINT_SAT || m.op() == MInst.CvtOp.TO_UINT_SAT;
        int bits = 8 * m.intSize();
        Label nan = e.buf.newLabel(), under = e.buf.newLabel(), over = e.buf.newLabel(), done = e.buf.newLabel();
        asm.rounds(single, 3 | 8, X14, e.x(m.a()));
        asm.ucomis(single, X14, X14);
        branchOrTrap(sat, Cond.P, nan, TrapCode.BAD_CONVERSION_TO_INTEGER);
        double lo = signed ? -Math.pow(2, bits - 1) : 0, hi = Math.pow(2, signed ? bits - 1 : bits);
        loadConst(X15, bitsOf(single, lo));
        asm.ucomis(single, X14, X15);
        branchOrTrap(sat, Cond.B, under, TrapCode.INTEGER_OVERFLOW);
        loadConst(X15, bitsOf(single, hi));
        asm.ucomis(single, X14, X15);
        branchOrTrap(sat, Cond.AE, over, TrapCode.INTEGER_OVERFLOW);
        Gpr d = e.g(m.dst());
        if (!signed && bits == 64) {
            Label large = e.buf.newLabel();
            loadConst(X15, bitsOf(single, 0x1p63));
            asm.ucomis(single, X14, X15);
            asm.jccRelaxable(Cond.AE, large);
            asm.cvtts2si(single, 8, d, X14);
            asm.jmpRelaxable(done);
            e.buf.bind(large);
            asm.sse(Assembler.SseOp.SUB, single, X14, X15);
            asm.cvtts2si(single, 8, d, X14);
            asm.movImm(R10, Long.MIN_VALUE);
            asm.alu(AluOp.XOR, 8, d, R10);
        } else {
            // Range-checked, so a 64-bit conversion is exact for every narrower type.
            asm.cvtts2si(single, 8, d, X14);
        }
        if (sat) {
            asm.jmpRelaxable(done);
            e.buf.bind(nan);
            asm.zero(d);
            asm.jmpRelaxable(done);
            e.buf.bind(under);
            asm.movImm(d, signed ? -(1L << (bits - 1)) : 0);
            asm.jmpRelaxable(done);
            e.buf.bind(over);
            asm.movImm(d, signed ? (bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1) : (bits == 64 ? -1L : (1L << bits) - 1));
        }
        e.buf.bind(done);
    }

    private void branchOrTrap(boolean sat, Cond c, Label target, TrapCode code) {
        if (sat) asm.jccRelaxable(c, target);
        else e.conditionalTrap(c, code);
    }
}
