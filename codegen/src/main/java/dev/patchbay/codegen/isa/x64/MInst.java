/*
 * A machine instruction over virtual registers: the unit that lowering produces, the
 * register allocator reads, and emission turns into bytes. One class with named operand
 * fields keeps lowering and emission readable; `uses()` / `defs()` derive the operand
 * lists the allocator needs from those fields, so they can never disagree.
 *
 * Fixed-register needs (division in rdx:rax, shift counts in cl, calls) never appear as
 * operands. Each instruction instead names the physical registers it clobbers: `early`
 * clobbers happen before its inputs are read (inputs and values live across may not use
 * them), `late` clobbers happen after (only values live across may not use them). Emission
 * moves values into and out of the fixed registers itself.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.Arrays;

final class MInst {
    enum K {
        /** Entry-block parameters arrive in ABI locations: defines `list`. */
        PARAMS,
        MOV, MOV_IMM,
        /** dst = a ALU b | imm | [mem]. */
        ALU, ALU_I, ALU_M,
        IMUL, IMUL_I,
        /** dst = NEG/NOT a. */
        UNARY,
        /** dst = bswap a (size 4 or 8). */
        BSWAP,
        /** dst = extend a from `extFrom` bytes to 64 bits. */
        EXT,
        SHIFT, SHIFT_I,
        /** dst = high half of a*b, 64-bit, signed or unsigned. */
        MULHI,
        /** dst = a / b or a % b. */
        DIV,
        /** dst = a * b with overflow flag dst2 at 64 bits (mul/imul one-operand). */
        MUL_OVF_WIDE,
        /** dst = (compare) ? 1 : 0. */
        SETCC,
        /** dst = (compare) ? c : d. */
        SELECT,
        /** dst, dst2 = a op b, flag from `cc` after the op (add/sub/imul at size). */
        OVF,
        /** dst, dst2 = a op b op carry(c) at size (adc/sbb chains). */
        OVF_CARRY,
        /** dst = bsr/bsf/popcnt/lzcnt/tzcnt a with zero handling per `bitOp`. */
        BITCOUNT,
        LOAD, STORE, STORE_I, LEA,
        FUNC_ADDR,
        GET_FP, GET_SP, GET_RA,
        /** A patch site (or the comparison-mode sequence in its place). */
        SITE,
        CALL,
        TRAP, TRAP_IF,
        /** int3, for debuggers. */
        DEBUGTRAP,
        BRANCH, JUMP, BR_TABLE, RET,
    }

    enum BitOp { CLZ, CTZ, POPCNT }

    final K k;
    int size = 8;
    int dst = -1, dst2 = -1;
    int a = -1, b = -1, c = -1, d = -1;
    long imm;
    AluOp alu;
    ShiftOp shift;
    /** Compare for SETCC / SELECT / BRANCH / TRAP_IF: cmp a, b|imm (or test a,a when testZero). */
    Cond cc;
    boolean cmpImm;
    boolean testZero;
    int cmpSize = 8;
    boolean signed;
    boolean rem;
    int extFrom;
    BitOp bitOp;
    /** Width in bytes of the IR type, for ops whose checks depend on it (division overflow). */
    int typeBytes;
    boolean checkZero, checkOverflow;
    MemArg mem;
    TrapCode trap;
    /** Call args / return values / jump args / entry params / br_table index list. */
    int[] list = Inst.NO_VALUES;
    /** JUMP: per argument whose `list` entry is -1, the constant it passes (moved straight into the parameter). */
    long[] consts;
    /** Call results. */
    int[] results = Inst.NO_VALUES;
    Signature sig;
    /** Direct callee name (CALL) or function for FUNC_ADDR; null for indirect calls. */
    String callee;
    boolean calleeInModule;
    /** Branch targets as vcode block ids. */
    int[] targets;
    long earlyClobber, lateClobber;
    /** The IR instruction this came from, for metadata (patch sites, trap sites). */
    Inst origin;
    String siteKind;

    MInst(K k) { this.k = k; }

    int[] uses() {
        int[] u = new int[4 + list.length + 2];
        int n = 0;
        if (a >= 0) u[n++] = a;
        if (b >= 0) u[n++] = b;
        if (c >= 0) u[n++] = c;
        if (d >= 0) u[n++] = d;
        if (k != K.PARAMS) for (int v : list) if (v >= 0) u[n++] = v;
        if (mem != null && mem.base >= 0) u[n++] = mem.base;
        if (mem != null && mem.index >= 0) u[n++] = mem.index;
        return Arrays.copyOf(u, n);
    }

    int[] defs() {
        if (k == K.PARAMS) return list;
        if (k == K.CALL) return results;
        if (dst2 >= 0) return new int[] {dst, dst2};
        if (dst >= 0) return new int[] {dst};
        return Inst.NO_VALUES;
    }

    /** No effect but its results: no memory access, trap, call, site or control flow. */
    boolean isPure() {
        switch (k) {
            case MOV: case MOV_IMM: case ALU: case ALU_I: case IMUL: case IMUL_I: case UNARY: case BSWAP:
            case EXT: case SHIFT: case SHIFT_I: case MULHI: case MUL_OVF_WIDE: case SETCC: case SELECT:
            case OVF_CARRY: case BITCOUNT: case LEA: case FUNC_ADDR: case GET_FP: case GET_SP: case GET_RA:
                return true;
            case OVF:
                return trap == null;
            default:
                return false;
        }
    }

    boolean isTerminator() {
        return k == K.BRANCH || k == K.JUMP || k == K.BR_TABLE || k == K.RET || k == K.TRAP;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(k.name());
        if (dst >= 0) sb.append(" d=v").append(dst);
        if (dst2 >= 0) sb.append(",v").append(dst2);
        if (a >= 0) sb.append(" a=v").append(a);
        if (b >= 0) sb.append(" b=v").append(b);
        if (c >= 0) sb.append(" c=v").append(c);
        if (d >= 0) sb.append(" d'=v").append(d);
        if (list.length > 0) sb.append(" list=").append(Arrays.toString(list));
        if (results.length > 0) sb.append(" res=").append(Arrays.toString(results));
        if (targets != null) sb.append(" ->").append(Arrays.toString(targets));
        return sb.toString();
    }
}
