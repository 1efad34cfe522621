/*
 * A machine instruction over virtual registers: the unit that lowering produces, the
 * register allocator reads, and emission turns into bytes.
 *
 * Problem solved: one mutable class with ~30 fields let any stage set or read any field
 * for any kind (a stale `imm` on a LOAD, an `origin` patched in after the fact, a site's
 * kind carried as a string). Each kind is now a record holding exactly its operands, built
 * once by lowering and never changed.
 *
 * Invariants:
 * - Immutable: a record is complete when lowering constructs it; nothing later writes it.
 * - `uses()` / `defs()` derive the allocator's operand lists from the record's components,
 *   so they can never disagree with what emission reads. Uses keep one fixed order per
 *   kind (compare operands, then value operands, then lists, then the address's base and
 *   index), duplicates included: the allocator's intervals depend on it.
 * - Fixed-register needs (division in rdx:rax, shift counts in cl, calls) never appear as
 *   operands. Each kind instead names the physical registers it clobbers: `earlyClobber`
 *   happens before its inputs are read (inputs and values live across may not use them),
 *   `lateClobber` after (only values live across may not use them). The Rewrite moves
 *   values into and out of the fixed registers (Move edits).
 * - `kind()` is the record's one K, so emission can switch on it (Java 17 has no pattern
 *   switch) and cast to the record it names.
 * Tested by every filetest (byte-identical output) and RegallocTest/LinearScanTest through
 * VCodeAllocInput.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.Arrays;

sealed interface MInst {
    enum K {
        PARAMS, MOV, MOV_IMM, ALU, ALU_I, ALU_M, IMUL, IMUL_I, UNARY, BSWAP, EXT, SHIFT, SHIFT_I,
        MULHI, DIV, MUL_OVF_WIDE, SETCC, SELECT, OVF, OVF_CARRY, BITCOUNT, LOAD, STORE, STORE_I, LEA,
        FUNC_ADDR, GET_FP, GET_SP, GET_RA, SITE, CALL, TRAP, TRAP_IF, DEBUGTRAP, BRANCH, JUMP, BR_TABLE, RET,
        F_CONST, F_ARITH, F_BITWISE, F_ROUND, F_CVT, F_CMP, F_BRANCH, F_MINMAX, F_FMA, F_SIGN, F_SELECT, F_BITSELECT,
    }

    /** The conversions F_CVT performs; `intSize` is the integer side's width in bytes. */
    enum CvtOp { PROMOTE, DEMOTE, FROM_SINT, FROM_UINT, TO_SINT, TO_UINT, TO_SINT_SAT, TO_UINT_SAT }

    /** The sign-bit operations F_SIGN performs. */
    enum SignOp { NEG, ABS, COPYSIGN }

    enum BitOp { CLZ, CTZ, POPCNT }

    K kind();

    int[] uses();

    int[] defs();

    default long earlyClobber() { return 0; }

    default long lateClobber() { return 0; }

    /** Branch targets as vcode block ids; null for an instruction that does not branch. */
    default int[] targets() { return null; }

    /** No effect but its results: no memory access, trap, call, site or control flow. */
    default boolean isPure() { return false; }

    default boolean isTerminator() {
        K k = kind();
        return k == K.BRANCH || k == K.F_BRANCH || k == K.JUMP || k == K.BR_TABLE || k == K.RET || k == K.TRAP;
    }

    // ---- operand list helpers ----

    private static int[] of(int... vs) {
        int n = 0;
        for (int v : vs) if (v >= 0) n++;
        if (n == vs.length) return vs;
        int[] r = new int[n];
        n = 0;
        for (int v : vs) if (v >= 0) r[n++] = v;
        return r;
    }

    private static int[] withMem(MemArg m, int... vs) {
        return of(concat(vs, new int[] {m.base, m.index}));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static int[] one(int d) { return new int[] {d}; }

    /**
     * A comparison feeding flags to its user (SETCC, SELECT, TRAP_IF, BRANCH): `cmp a, b`,
     * `cmp a, imm` when `hasImm`, or `test a, a` when `testZero`, at `size` bytes; with
     * `and`, `test a, b` or `test a, imm` instead of the cmp (the flags of a & b against 0).
     */
    record Cmp(Cond cc, int size, int a, int b, boolean hasImm, int imm, boolean testZero, boolean and) {
        static Cmp regs(Cond cc, int size, int a, int b) { return new Cmp(cc, size, a, b, false, 0, false, false); }

        static Cmp imm(Cond cc, int size, int a, int imm) { return new Cmp(cc, size, a, -1, true, imm, false, false); }

        static Cmp zero(Cond cc, int size, int a) { return new Cmp(cc, size, a, -1, false, 0, true, false); }

        /** `test a, b`: a & b against 0. */
        static Cmp testRegs(Cond cc, int size, int a, int b) { return new Cmp(cc, size, a, b, false, 0, false, true); }

        /** `test a, imm`: a & imm against 0. */
        static Cmp testImm(Cond cc, int size, int a, int imm) { return new Cmp(cc, size, a, -1, true, imm, false, true); }
    }

    /** Entry-block parameters arrive in ABI locations: defines `vregs` (the return-area pointer last, if any). */
    record Params(int[] vregs, Signature sig) implements MInst {
        public K kind() { return K.PARAMS; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return vregs; }
    }

    record Mov(int dst, int a) implements MInst {
        public K kind() { return K.MOV; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    record MovImm(int dst, long imm) implements MInst {
        public K kind() { return K.MOV_IMM; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a op b. */
    record Alu(AluOp op, int size, int dst, int a, int b) implements MInst {
        public K kind() { return K.ALU; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a op imm. */
    record AluImm(AluOp op, int size, int dst, int a, long imm) implements MInst {
        public K kind() { return K.ALU_I; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a op [mem]; `trap` non-null if the access may fault. */
    record AluMem(AluOp op, int size, int dst, int a, MemArg mem, TrapCode trap) implements MInst {
        public K kind() { return K.ALU_M; }
        public int[] uses() { return withMem(mem, a); }
        public int[] defs() { return one(dst); }
    }

    record Imul(int size, int dst, int a, int b) implements MInst {
        public K kind() { return K.IMUL; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    record ImulImm(int size, int dst, int a, long imm) implements MInst {
        public K kind() { return K.IMUL_I; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /**
     * dst = op a: SUB is neg, XOR is not, CMP is iabs, SBB is bmask (a tested at `extFrom`
     * bytes).
     */
    record Unary(AluOp op, int size, int extFrom, int dst, int a) implements MInst {
        public K kind() { return K.UNARY; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = bswap a (size 4 or 8). */
    record Bswap(int size, int dst, int a) implements MInst {
        public K kind() { return K.BSWAP; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a extended from `from` bytes to 64 bits. */
    record Ext(int from, boolean signed, int dst, int a) implements MInst {
        public K kind() { return K.EXT; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a shifted by count (through cl). */
    record Shift(ShiftOp op, int size, int dst, int a, int count) implements MInst {
        public K kind() { return K.SHIFT; }
        public int[] uses() { return new int[] {a, count}; }
        public int[] defs() { return one(dst); }
        public long earlyClobber() { return Abi.mask(Gpr.RCX); }
        public boolean isPure() { return true; }
    }

    record ShiftImm(ShiftOp op, int size, int dst, int a, long amount) implements MInst {
        public K kind() { return K.SHIFT_I; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = high half of a*b, 64-bit, signed or unsigned. */
    record MulHi(boolean signed, int dst, int a, int b) implements MInst {
        public K kind() { return K.MULHI; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public long earlyClobber() { return Abi.mask(Gpr.RAX, Gpr.RDX); }
        public boolean isPure() { return true; }
    }

    /** dst = a / b or a % b at `size`; `typeBytes` is the IR type's width (the overflow check's negation). */
    record Div(boolean signed, boolean rem, int typeBytes, int size, boolean checkZero, boolean checkOverflow,
               int dst, int a, int b) implements MInst {
        public K kind() { return K.DIV; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public long earlyClobber() { return Abi.mask(Gpr.RAX, Gpr.RDX); }
    }

    /** dst = a * b with overflow flag `flag` at 64 bits (one-operand mul). */
    record MulOvfWide(int dst, int flag, int a, int b) implements MInst {
        public K kind() { return K.MUL_OVF_WIDE; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return new int[] {dst, flag}; }
        public long earlyClobber() { return Abi.mask(Gpr.RAX, Gpr.RDX); }
        public boolean isPure() { return true; }
    }

    /** dst = (compare) ? 1 : 0. */
    record SetCC(Cmp cmp, int dst) implements MInst {
        public K kind() { return K.SETCC; }
        public int[] uses() { return of(cmp.a(), cmp.b()); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = (compare) ? ifTrue : ifFalse. */
    record Select(Cmp cmp, int size, int dst, int ifTrue, int ifFalse) implements MInst {
        public K kind() { return K.SELECT; }
        public int[] uses() { return of(cmp.a(), cmp.b(), ifTrue, ifFalse); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /**
     * dst, flag = a op b (op null: imul), flag from `cc` after the op at `size`. With `trap`
     * set there is no flag result: the instruction traps when `cc` holds.
     */
    record Ovf(AluOp op, int size, Cond cc, TrapCode trap, int dst, int flag, int a, int b) implements MInst {
        public K kind() { return K.OVF; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return flag >= 0 ? new int[] {dst, flag} : one(dst); }
        public boolean isPure() { return trap == null; }
    }

    /** dst, flag = a op b op carry at size (adc/sbb chains). */
    record OvfCarry(AluOp op, int size, Cond cc, int dst, int flag, int a, int b, int carry) implements MInst {
        public K kind() { return K.OVF_CARRY; }
        public int[] uses() { return new int[] {a, b, carry}; }
        public int[] defs() { return new int[] {dst, flag}; }
        public boolean isPure() { return true; }
    }

    /** dst = bsr/bsf/popcnt a with zero handling per `op`, for a type of `typeBits`. */
    record BitCount(BitOp op, int size, int typeBits, int dst, int a) implements MInst {
        public K kind() { return K.BITCOUNT; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    record Load(int size, boolean signed, MemArg mem, TrapCode trap, int dst) implements MInst {
        public K kind() { return K.LOAD; }
        public int[] uses() { return withMem(mem); }
        public int[] defs() { return one(dst); }
    }

    record Store(int size, MemArg mem, TrapCode trap, int value) implements MInst {
        public K kind() { return K.STORE; }
        public int[] uses() { return withMem(mem, value); }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    record StoreImm(int size, MemArg mem, TrapCode trap, long imm) implements MInst {
        public K kind() { return K.STORE_I; }
        public int[] uses() { return withMem(mem); }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    record Lea(int size, int dst, MemArg mem) implements MInst {
        public K kind() { return K.LEA; }
        public int[] uses() { return withMem(mem); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    record FuncAddr(String callee, boolean inModule, int dst) implements MInst {
        public K kind() { return K.FUNC_ADDR; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = the frame pointer (GET_FP), stack pointer (GET_SP) or return address (GET_RA). */
    record FrameValue(K kind, int dst) implements MInst {
        public FrameValue {
            if (kind != K.GET_FP && kind != K.GET_SP && kind != K.GET_RA) throw new IllegalArgumentException(kind.name());
        }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /**
     * A patch site (or, for EPOCH in a comparison mode, the check in its place).
     * `blockInsts` is the block's instruction count (FUEL mode charges it); `origin` the IR
     * call it replaces, for the site's location.
     */
    record Site(SiteKind siteKind, String callee, boolean inModule, int blockInsts, Inst origin) implements MInst {
        public K kind() { return K.SITE; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /** A call: direct to `callee` when `target` is -1, else indirect through vreg `target`. */
    record Call(Signature sig, int target, String callee, boolean inModule, int[] args, int[] results, long lateClobber)
            implements MInst {
        public K kind() { return K.CALL; }
        public int[] uses() { return target >= 0 ? concat(one(target), args) : args; }
        public int[] defs() { return results; }
    }

    record Trap(TrapCode trap) implements MInst {
        public K kind() { return K.TRAP; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    record TrapIf(Cmp cmp, TrapCode trap) implements MInst {
        public K kind() { return K.TRAP_IF; }
        public int[] uses() { return of(cmp.a(), cmp.b()); }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /** int3, for debuggers. */
    record DebugTrap() implements MInst {
        public K kind() { return K.DEBUGTRAP; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /** Branch to targets[0] if the compare holds, else targets[1]. */
    record Branch(Cmp cmp, int[] targets) implements MInst {
        public K kind() { return K.BRANCH; }
        public int[] uses() { return of(cmp.a(), cmp.b()); }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /**
     * Jump to targets[0] passing `args`; an argument that is -1 passes `consts[i]` (moved
     * straight into the parameter's location).
     */
    record Jump(int[] args, long[] consts, int[] targets) implements MInst {
        public K kind() { return K.JUMP; }
        public int[] uses() { return of(args); }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /** targets[0] is the default; targets[1 + i] is entry i. */
    record BrTable(int index, int[] targets) implements MInst {
        public K kind() { return K.BR_TABLE; }
        public int[] uses() { return one(index); }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /** Returns `values`; those past the return registers go to the area `retArea` points at (-1: none). */
    record Ret(int[] values, int retArea, Signature sig) implements MInst {
        public K kind() { return K.RET; }
        public int[] uses() { return retArea >= 0 ? concat(one(retArea), values) : values; }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    // ---- scalar floats: operands of these are vregs of the XMM class, except the integer side of F_CVT and F_CMP's result ----

    /** dst = the float with these bits (`single`: the low 32 of them). */
    record FConst(boolean single, int dst, long bits) implements MInst {
        public K kind() { return K.F_CONST; }
        public int[] uses() { return Inst.NO_VALUES; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a op b (sqrt: dst = sqrt a, b is -1). */
    record FArith(Assembler.SseOp op, boolean single, int dst, int a, int b) implements MInst {
        public K kind() { return K.F_ARITH; }
        public int[] uses() { return b >= 0 ? new int[] {a, b} : one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a op b on all bits; ANDN is ~a & b. */
    record FBitwise(Assembler.BitwiseOp op, int dst, int a, int b) implements MInst {
        public K kind() { return K.F_BITWISE; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a rounded by SSE4.1 mode (0 nearest even, 1 floor, 2 ceil, 3 trunc). */
    record FRound(boolean single, int mode, int dst, int a) implements MInst {
        public K kind() { return K.F_ROUND; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /**
     * A conversion; `single` is the float side's width (for PROMOTE, the source's), `intSize`
     * the integer side's bytes. The trapping TO_ forms trap bad_toint on NaN and int_ovf out
     * of range (not pure).
     */
    record FCvt(CvtOp op, boolean single, int intSize, int dst, int a) implements MInst {
        public K kind() { return K.F_CVT; }
        public int[] uses() { return one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return op != CvtOp.TO_SINT && op != CvtOp.TO_UINT; }
    }

    /** dst (a GPR) = a cc b ? 1 : 0. */
    record FCmp(dev.patchbay.codegen.ir.FloatCC cc, boolean single, int dst, int a, int b) implements MInst {
        public K kind() { return K.F_CMP; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /**
     * Branch to targets[0] if a cc b, else to targets[1]: ucomis and the jcc (two for eq and
     * ne, which also test the parity flag), with no boolean in a register.
     */
    record FBranch(dev.patchbay.codegen.ir.FloatCC cc, boolean single, int a, int b, int[] targets) implements MInst {
        public K kind() { return K.F_BRANCH; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return Inst.NO_VALUES; }
    }

    /** dst = fmin/fmax a, b with Cranelift's semantics: canonical NaN if either is NaN, -0 below +0. */
    record FMinMax(boolean max, boolean single, int dst, int a, int b) implements MInst {
        public K kind() { return K.F_MINMAX; }
        public int[] uses() { return new int[] {a, b}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = a * b + c, rounded once (FMA3). */
    record FFma(boolean single, int dst, int a, int b, int c) implements MInst {
        public K kind() { return K.F_FMA; }
        public int[] uses() { return new int[] {a, b, c}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = -a, |a|, or a with b's sign (b is -1 unless COPYSIGN); every other bit moves unchanged. */
    record FSign(SignOp op, boolean single, int dst, int a, int b) implements MInst {
        public K kind() { return K.F_SIGN; }
        public int[] uses() { return b >= 0 ? new int[] {a, b} : one(a); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = (integer compare) ? ifTrue : ifFalse, on floats. */
    record FSelect(Cmp cmp, int dst, int ifTrue, int ifFalse) implements MInst {
        public K kind() { return K.F_SELECT; }
        public int[] uses() { return of(cmp.a(), cmp.b(), ifTrue, ifFalse); }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }

    /** dst = (a & c) | (b & ~c), on all bits. */
    record FBitselect(int dst, int c, int a, int b) implements MInst {
        public K kind() { return K.F_BITSELECT; }
        public int[] uses() { return new int[] {c, a, b}; }
        public int[] defs() { return one(dst); }
        public boolean isPure() { return true; }
    }
}
