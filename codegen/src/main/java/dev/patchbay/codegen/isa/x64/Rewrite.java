/*
 * The post-allocation rewrite: LinearScan gives each vreg one location (a register or a
 * spill slot) for its whole life; this stage turns that into what emission encodes, in
 * regalloc2's shape. Per instruction (a Form): each vreg operand's physical operand (a
 * register, or the vreg's frame slot as a memory operand where the instruction's encoding
 * takes memory), the instruction's address as a physical memory operand, and the edits to
 * place before and after it: Reload (slot -> scratch register), Spill (register -> slot),
 * Move (register -> register, also across the classes and into fixed registers such as rcx
 * for a shift count or rax for a dividend), constants and the one address combination a
 * spilled base and index need. Block-edge moves (jump arguments), call arguments and
 * results, returns and entry parameters are parallel moves, sequenced here (ParallelMove)
 * into ordered edits. The frame (FrameLayout) is decided here too, since a spill slot's
 * memory operand is its RBP offset. Emission then encodes: it reads no allocation and makes
 * no spill or scratch decision.
 *
 * Invariants:
 * - Every register operand of a Form holds its vreg's value when the instruction runs: it
 *   is the vreg's own register, or a scratch register that a Reload or Move of this Form's
 *   `before` list loaded, after which no other edit of that list writes it.
 * - A memory operand is only ever the vreg's own spill slot (or, for an address, a slot
 *   or registers that hold the base and index), and only for an operand whose encoding
 *   takes memory; every other spilled operand is reloaded.
 * - No edit writes the register or slot of a vreg live through the instruction: edits
 *   write only the scratch registers (R10, R11, XMM14, XMM15), the locations of the
 *   instruction's own results (after it), the fixed registers it clobbers early (rax,
 *   rdx, rcx), argument and return registers and the outgoing argument area around calls
 *   and returns, and a jump target's parameters. The allocator keeps every vreg live
 *   through an instruction out of the registers it clobbers.
 * - The scratch registers are never allocatable (Abi.ALLOCATABLE, Abi.ALLOCATABLE_XMM), so
 *   a vreg never lives in one and a scratch value never outlives its instruction: a result
 *   computed in a scratch register is spilled or moved by this Form's `after` list.
 * - A jump whose moves are all empty has an empty `before` list: emission may thread
 *   branches through its block (Emit.planLayout).
 * - The edits reproduce, in the same order, the moves emission made itself before this
 *   stage existed, so the code did not change (EmissionDigest compares builds byte for
 *   byte); where an instruction reads a spilled vreg twice the second read uses the
 *   register of the first.
 * Tests: every filetest (byte-exact disassembly), RewriteTest (the invariants above on
 * every Form of every filetest and both peer corpora under every plan, with all registers
 * and with three GPRs and two XMM registers), the peer suites, the differential fuzzer,
 * DebuggerValuesTest.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.regalloc.LinearScan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

final class Rewrite {
    private static final int R10 = Abi.SCRATCH2.enc(), R11 = Abi.SCRATCH.enc();
    private static final int X14 = Abi.xmmReg(Abi.XSCRATCH), X15 = Abi.xmmReg(Abi.XSCRATCH2);
    private static final int RAX = Gpr.RAX.enc(), RCX = Gpr.RCX.enc(), RDX = Gpr.RDX.enc();
    private static final Edit[] NO_EDITS = {};
    private static final int[] NO_INTS = {};
    private static final Operand[] NO_OPERANDS = {};

    /** One instruction, rewritten: edits around it and its physical operands. */
    static final class Form {
        final Edit[] before;
        final Edit[] after;
        private final int[] vregs;
        private final Operand[] ops;
        /** The instruction's MemArg as a physical memory operand, or null if it has none. */
        final Mem addr;
        /** A commutative instruction's sources are taken in the other order (b first). */
        final boolean swapped;
        /** ALU / ALU_I: three registers, encoded as `lea` instead of a move and the op. */
        final boolean threeAddress;
        /**
         * Scratch registers a `before` edit loaded with a fixed input that the expansion
         * then overwrites (so it is not the vreg's operand): OVF_CARRY's carry, bmask's
         * value, copysign's two values, a GPR-computed bitselect's first value.
         */
        private final int[] temps;

        private Form(Edit[] before, Edit[] after, int[] vregs, Operand[] ops, Mem addr, boolean swapped, boolean threeAddress,
                     int[] temps) {
            this.before = before;
            this.after = after;
            this.vregs = vregs;
            this.ops = ops;
            this.addr = addr;
            this.swapped = swapped;
            this.threeAddress = threeAddress;
            this.temps = temps;
        }

        /** The k-th scratch register loaded for the expansion (see `temps`). */
        int temp(int k) { return temps[k]; }

        /** The physical operand of vreg v in this instruction. */
        Operand op(int v) {
            for (int i = 0; i < vregs.length; i++) if (vregs[i] == v) return ops[i];
            throw new IllegalStateException("vreg " + v + " has no operand in this instruction");
        }

        boolean hasOp(int v) {
            for (int vr : vregs) if (vr == v) return true;
            return false;
        }
    }

    /**
     * The rewritten function: one Form per VCode instruction, the frame, and where each vreg
     * lives. A Form is made when asked for (the last one is kept, since emission asks for
     * each instruction's as it encodes it and its helpers ask again): it depends only on
     * its instruction, the allocation and the frame, so asking twice gives the same Form.
     * Made up front, the Forms of a 200k-instruction function were a million objects that
     * lived through emission and that every young collection copied.
     */
    static final class Result {
        final FrameLayout frame;
        private final Rewrite rw;
        private final LinearScan.Result alloc;
        private int lastInst = -1;
        private Form last;

        private Result(Rewrite rw) {
            this.rw = rw;
            this.frame = rw.frame;
            this.alloc = rw.alloc;
        }

        Form form(int inst) {
            if (inst != lastInst) {
                last = rw.form(rw.vc.insts.get(inst));
                lastInst = inst;
            }
            return last;
        }

        /** True if vreg v was given a location (it is defined or used). */
        boolean hasLocation(int v) { return v < alloc.loc.length && alloc.loc[v] != LinearScan.Result.UNUSED; }

        /** True if vreg v lives in a spill slot. */
        boolean onStack(int v) { return v >= 0 && v < alloc.loc.length && alloc.loc[v] < 0 && alloc.loc[v] != LinearScan.Result.UNUSED; }

        /** For the value table: v's register (allocator number), or its slot's RBP offset. */
        boolean inRegister(int v) { return alloc.loc[v] >= 0; }

        int where(int v) { return inRegister(v) ? alloc.loc[v] : frame.spillOffset(alloc.spillSlot(v)); }

        int[] liveRanges(int v) { return alloc.liveRanges(v); }
    }

    private final VCode vc;
    private final LinearScan.Result alloc;
    private final FrameLayout frame;

    // The Form being built.
    private final List<Edit> before = new ArrayList<>(), after = new ArrayList<>();
    private int[] vregs = new int[8];
    private Operand[] ops = new Operand[8];
    private int nops;
    private Mem addr;
    private boolean swapped, threeAddress;
    private final int[] temps = new int[2];
    private int ntemps;

    private Rewrite(VCode vc, LinearScan.Result alloc) {
        this.vc = vc;
        this.alloc = alloc;
        this.frame = new FrameLayout(vc, alloc);
    }

    static Result run(VCode vc, LinearScan.Result alloc) {
        return new Result(new Rewrite(vc, alloc));
    }

    private Form form(MInst m) {
        before.clear();
        after.clear();
        nops = 0;
        ntemps = 0;
        addr = null;
        swapped = false;
        threeAddress = false;
        inst(m);
        return new Form(before.isEmpty() ? NO_EDITS : before.toArray(NO_EDITS), after.isEmpty() ? NO_EDITS : after.toArray(NO_EDITS),
            nops == 0 ? NO_INTS : Arrays.copyOf(vregs, nops), nops == 0 ? NO_OPERANDS : Arrays.copyOf(ops, nops), addr, swapped,
            threeAddress, ntemps == 0 ? NO_INTS : Arrays.copyOf(temps, ntemps));
    }

    // ---- locations ----

    private boolean unused(int v) { return alloc.loc[v] == LinearScan.Result.UNUSED; }

    private boolean inReg(int v) { return alloc.loc[v] >= 0; }

    private int reg(int v) { return alloc.loc[v]; }

    private Mem slot(int v) { return slotOperand(v).mem(); }

    /** Per spill slot, its frame operand, made once (Mem and Operand are immutable). */
    private Operand[] slotOps = new Operand[16];

    private Operand slotOperand(int v) {
        int s = alloc.spillSlot(v);
        if (s >= slotOps.length) slotOps = Arrays.copyOf(slotOps, Math.max(s + 1, 2 * slotOps.length));
        Operand o = slotOps[s];
        if (o == null) o = slotOps[s] = Operand.mem(Mem.base(Gpr.RBP, frame.spillOffset(s)));
        return o;
    }

    private long loc(int v) {
        if (unused(v)) throw new IllegalStateException("vreg " + v + " has no location");
        return inReg(v) ? ParallelMove.regNum(reg(v)) : ParallelMove.stack(frame.spillOffset(alloc.spillSlot(v)));
    }

    private boolean isF(int v) { return vc.isFloat != null && vc.isFloat[v]; }

    // ---- operands ----

    private Operand find(int v) {
        for (int i = 0; i < nops; i++) if (vregs[i] == v) return ops[i];
        return null;
    }

    private void put(int v, Operand o) {
        for (int i = 0; i < nops; i++) {
            if (vregs[i] == v) {
                ops[i] = o;
                return;
            }
        }
        if (nops == vregs.length) {
            vregs = Arrays.copyOf(vregs, nops * 2);
            ops = Arrays.copyOf(ops, nops * 2);
        }
        vregs[nops] = v;
        ops[nops++] = o;
    }

    /** v as a register or its slot: for an operand whose encoding takes memory. */
    private Operand rm(int v) {
        Operand o = find(v);
        if (o != null) return o;
        o = inReg(v) ? Operand.reg(reg(v)) : slotOperand(v);
        put(v, o);
        return o;
    }

    /** v in a register: its own, or `scratch` after a Reload. */
    private int useR(int v, int scratch) {
        Operand o = find(v);
        if (o != null && o.isReg()) return o.reg();
        int r = inReg(v) ? reg(v) : reload(v, scratch);
        put(v, Operand.reg(r));
        return r;
    }

    /** Reloads spilled v into r (no operand recorded: an address's base or index). */
    private int reload(int v, int r) {
        before.add(new Edit.Reload(r, slot(v)));
        return r;
    }

    /** v's register if it is one, else r after a Reload; for an address. */
    private int addrReg(int v, int r) { return inReg(v) ? reg(v) : reload(v, r); }

    /** Edits that put v's value in register r before the instruction. */
    private void moveIn(int r, int v) {
        if (inReg(v)) {
            if (reg(v) != r) before.add(new Edit.Move(r, reg(v)));
        } else {
            before.add(new Edit.Reload(r, slot(v)));
        }
    }

    /** Scratch register r holds a fixed input of the expansion (Form.temp). */
    private int temp(int r) {
        temps[ntemps++] = r;
        return r;
    }

    /** v's result is computed in scratch register r whatever v's location, then moved there. */
    private void inScratch(int v, int r) {
        put(v, Operand.reg(r));
        commit(v, r);
    }

    /** v's result is computed in register r: after the instruction, r goes to v's location. */
    private void commit(int v, int r) {
        if (unused(v)) return;
        if (inReg(v)) {
            if (reg(v) != r) after.add(new Edit.Move(reg(v), r));
        } else {
            after.add(new Edit.Spill(slot(v), r));
        }
    }

    /** v is computed in its own register, or in `scratch` and then spilled. */
    private int defR(int v, int scratch) {
        int d = !unused(v) && inReg(v) ? reg(v) : scratch;
        put(v, Operand.reg(d));
        commit(v, d);
        return d;
    }

    /**
     * The register to compute dst = a op b in (emission moves a into it first): dst's own,
     * unless that holds b or a register of the address `keep` while a is elsewhere, when R11
     * is used and moved to dst after.
     */
    private int twoAddr(int dst, int a, int b, Mem keep) {
        int d = inReg(dst) ? reg(dst) : R11;
        boolean aInD = inReg(a) && reg(a) == d;
        boolean kept = keep != null && (keep.base() != null && keep.base().enc() == d || keep.index() != null && keep.index().enc() == d);
        if (!aInD && ((b >= 0 && inReg(b) && reg(b) == d) || kept)) d = R11;
        rm(a);
        if (b >= 0) rm(b);
        put(dst, Operand.reg(d));
        commit(dst, d);
        return d;
    }

    /** A float two-address result: the register to compute in, with a moved into it before. */
    private int xTwoAddr(int dst, int a, int d) {
        moveIn(d, a);
        put(dst, Operand.reg(d));
        commit(dst, d);
        return d;
    }

    /**
     * The physical address of m: a spilled base or index is reloaded into s1; when both are
     * spilled, the index goes into s2 and an lea combines them into s1, so s2 is free again.
     */
    private Mem address(MemArg m, int s1, int s2) {
        int disp = m.slot >= 0 ? -frame.slotOffsets[m.slot] + m.disp : m.disp;
        if (m.index < 0) return Mem.base(m.slot >= 0 ? Gpr.RBP : Gpr.fromEnc(addrReg(m.base, s1)), disp);
        boolean baseSpilled = m.slot < 0 && !inReg(m.base), indexSpilled = !inReg(m.index);
        if (baseSpilled && indexSpilled && m.index != m.base) {
            reload(m.base, s1);
            reload(m.index, s2);
            before.add(new Edit.Lea(s1, Mem.baseIndex(Gpr.fromEnc(s1), Gpr.fromEnc(s2), m.scale, 0)));
            return Mem.base(Gpr.fromEnc(s1), disp);
        }
        Gpr base = m.slot >= 0 ? Gpr.RBP : Gpr.fromEnc(addrReg(m.base, s1));
        Gpr index = m.index == m.base ? base : Gpr.fromEnc(addrReg(m.index, s1));
        return Mem.baseIndex(base, index, m.scale, disp);
    }

    /** A compare's operands: cmp reg, r/m; cmp mem, reg; both spilled: a through R11; test in registers. */
    private void compare(MInst.Cmp c) {
        int a = c.a(), b = c.b();
        if (c.testZero()) {
            useR(a, R11);
        } else if (c.and()) {
            // test a, imm / test a, b: both in registers (a through R11, b through R10).
            useR(a, R11);
            if (!c.hasImm()) useR(b, R10);
        } else if (c.hasImm()) {
            rm(a);
        } else if (!inReg(a) && !inReg(b)) {
            useR(a, R11);
            rm(b);
        } else {
            rm(a);
            rm(b);
        }
    }

    // ---- instructions: the same moves, in the same order, that emission used to make ----

    private void inst(MInst m0) {
        switch (m0.kind()) {
            case PARAMS: params((MInst.Params) m0); return;
            case MOV: {
                MInst.Mov m = (MInst.Mov) m0;
                if (!unused(m.dst())) ParallelMove.copy(before, loc(m.dst()), loc(m.a()));
                return;
            }
            case MOV_IMM: {
                MInst.MovImm m = (MInst.MovImm) m0;
                if (unused(m.dst())) return;
                ParallelMove pm = new ParallelMove();
                pm.addConst(loc(m.dst()), m.imm());
                pm.sequence(before);
                return;
            }
            case ALU: {
                MInst.Alu m = (MInst.Alu) m0;
                int a = m.a(), b = m.b(), dst = m.dst();
                if (m.op() == AluOp.ADD && inReg(dst) && inReg(a) && inReg(b) && reg(dst) != reg(a) && reg(dst) != reg(b)) {
                    threeAddress = true;
                    rm(a);
                    rm(b);
                    defR(dst, R11);
                    return;
                }
                if (Emit.commutative(m.op()) && inReg(b) && inReg(dst) && reg(b) == reg(dst)) {
                    swapped = true;
                    a = m.b();
                    b = m.a();
                }
                twoAddr(dst, a, b, null);
                return;
            }
            case ALU_I: {
                MInst.AluImm m = (MInst.AluImm) m0;
                if ((m.op() == AluOp.ADD || m.op() == AluOp.SUB && m.imm() != Integer.MIN_VALUE) && inReg(m.dst()) && inReg(m.a())
                        && reg(m.dst()) != reg(m.a())) {
                    threeAddress = true;
                    rm(m.a());
                    defR(m.dst(), R11);
                    return;
                }
                twoAddr(m.dst(), m.a(), -1, null);
                return;
            }
            case ALU_M: {
                MInst.AluMem m = (MInst.AluMem) m0;
                addr = address(m.mem(), R10, R11);
                twoAddr(m.dst(), m.a(), -1, addr);
                return;
            }
            case IMUL: {
                MInst.Imul m = (MInst.Imul) m0;
                int a = m.a(), b = m.b();
                if (inReg(b) && inReg(m.dst()) && reg(b) == reg(m.dst())) {
                    swapped = true;
                    a = m.b();
                    b = m.a();
                }
                twoAddr(m.dst(), a, b, null);
                return;
            }
            case IMUL_I: {
                MInst.ImulImm m = (MInst.ImulImm) m0;
                useR(m.a(), R10);
                defR(m.dst(), R11);
                return;
            }
            case UNARY: {
                MInst.Unary m = (MInst.Unary) m0;
                switch (m.op()) {
                    case SUB: case XOR: twoAddr(m.dst(), m.a(), -1, null); return;
                    case CMP: rm(m.a()); defR(m.dst(), R11); return;
                    default: moveIn(temp(R11), m.a()); defR(m.dst(), R10); return; // SBB: a is negated in R11
                }
            }
            case BSWAP: twoAddr(((MInst.Bswap) m0).dst(), ((MInst.Bswap) m0).a(), -1, null); return;
            case EXT: {
                MInst.Ext m = (MInst.Ext) m0;
                defR(m.dst(), R11);
                rm(m.a());
                return;
            }
            case SHIFT: {
                MInst.Shift m = (MInst.Shift) m0;
                moveIn(RCX, m.count());
                int d = inReg(m.dst()) ? reg(m.dst()) : R11;
                if (d == RCX) d = R11;
                rm(m.a());
                put(m.dst(), Operand.reg(d));
                commit(m.dst(), d);
                return;
            }
            case SHIFT_I: twoAddr(((MInst.ShiftImm) m0).dst(), ((MInst.ShiftImm) m0).a(), -1, null); return;
            case MULHI: {
                MInst.MulHi m = (MInst.MulHi) m0;
                moveIn(RAX, m.a());
                useR(m.b(), R11);
                commit(m.dst(), RDX);
                return;
            }
            case MUL_OVF_WIDE: {
                MInst.MulOvfWide m = (MInst.MulOvfWide) m0;
                moveIn(RAX, m.a());
                useR(m.b(), R11);
                commit(m.dst(), RAX);
                inScratch(m.flag(), R10);
                return;
            }
            case DIV: {
                MInst.Div m = (MInst.Div) m0;
                useR(m.b(), R11);
                rm(m.a());
                commit(m.dst(), m.rem() ? RDX : RAX);
                return;
            }
            case SETCC: {
                MInst.SetCC m = (MInst.SetCC) m0;
                compare(m.cmp());
                defR(m.dst(), R11);
                return;
            }
            case SELECT: {
                MInst.Select m = (MInst.Select) m0;
                compare(m.cmp());
                defR(m.dst(), R11);
                rm(m.ifTrue());
                rm(m.ifFalse());
                return;
            }
            case OVF: {
                MInst.Ovf m = (MInst.Ovf) m0;
                int a = m.a(), b = m.b();
                boolean comm = m.op() == null || m.op() == AluOp.ADD;
                if (comm && inReg(b) && inReg(m.dst()) && reg(b) == reg(m.dst())) {
                    swapped = true;
                    a = m.b();
                    b = m.a();
                }
                twoAddr(m.dst(), a, b, null);
                if (m.trap() == null) defR(m.flag(), R10);
                return;
            }
            case OVF_CARRY: {
                MInst.OvfCarry m = (MInst.OvfCarry) m0;
                // The carry is negated in R11 (setting CF) before a moves into the result register.
                moveIn(temp(R11), m.carry());
                twoAddr(m.dst(), m.a(), m.b(), null);
                defR(m.flag(), R10);
                return;
            }
            case BITCOUNT: {
                MInst.BitCount m = (MInst.BitCount) m0;
                useR(m.a(), R10);
                defR(m.dst(), R11);
                return;
            }
            case LOAD: {
                MInst.Load m = (MInst.Load) m0;
                addr = address(m.mem(), R11, R10);
                defR(m.dst(), isF(m.dst()) ? X14 : R11);
                return;
            }
            case STORE: {
                MInst.Store m = (MInst.Store) m0;
                addr = address(m.mem(), R11, R10);
                useR(m.value(), isF(m.value()) ? X14 : R10);
                return;
            }
            case STORE_I: addr = address(((MInst.StoreImm) m0).mem(), R11, R10); return;
            case LEA: {
                MInst.Lea m = (MInst.Lea) m0;
                addr = address(m.mem(), R11, R10);
                defR(m.dst(), R11);
                return;
            }
            case FUNC_ADDR: defR(((MInst.FuncAddr) m0).dst(), R11); return;
            case GET_FP: case GET_SP: case GET_RA: defR(((MInst.FrameValue) m0).dst(), R11); return;
            case SITE: case TRAP: case DEBUGTRAP: return;
            case CALL: call((MInst.Call) m0); return;
            case TRAP_IF: compare(((MInst.TrapIf) m0).cmp()); return;
            case BRANCH: compare(((MInst.Branch) m0).cmp()); return;
            case JUMP: {
                MInst.Jump m = (MInst.Jump) m0;
                VCode.VBlock target = vc.blocks.get(m.targets()[0]);
                ParallelMove pm = new ParallelMove();
                for (int i = 0; i < m.args().length; i++) {
                    int p = target.params[i];
                    if (unused(p)) continue;
                    if (m.args()[i] < 0) pm.addConst(loc(p), m.consts()[i]);
                    else pm.add(loc(p), loc(m.args()[i]));
                }
                pm.sequence(before);
                return;
            }
            case BR_TABLE: useR(((MInst.BrTable) m0).index(), R10); return;
            case RET: ret((MInst.Ret) m0); return;
            default:
                floatInst(m0);
        }
    }

    private void params(MInst.Params m) {
        Abi.ArgLocs locs = Abi.argLocs(m.sig());
        ParallelMove pm = new ParallelMove();
        int n = m.sig().params.size();
        for (int i = 0; i < n; i++) {
            int v = m.vregs()[i];
            if (unused(v)) continue;
            if (!locs.onStack(i)) pm.add(loc(v), ParallelMove.regNum(locs.reg(i)));
        }
        if (locs.retArea != null) pm.add(loc(m.vregs()[n]), ParallelMove.reg(locs.retArea));
        pm.sequence(before);
        for (int i = 0; i < n; i++) {
            int v = m.vregs()[i];
            if (!locs.onStack(i) || unused(v)) continue;
            ParallelMove.copy(before, loc(v), ParallelMove.stack(16 + locs.stackOffsets[i]));
        }
    }

    private void call(MInst.Call m) {
        Abi.ArgLocs locs = Abi.argLocs(m.sig());
        for (int i = 0; i < m.args().length; i++) {
            if (!locs.onStack(i)) continue;
            Mem dst = Mem.base(Gpr.RSP, locs.stackOffsets[i]);
            int a = m.args()[i];
            before.add(new Edit.Spill(dst, inReg(a) ? reg(a) : reload(a, R11)));
        }
        ParallelMove pm = new ParallelMove();
        for (int i = 0; i < m.args().length; i++) {
            if (!locs.onStack(i)) pm.add(ParallelMove.regNum(locs.reg(i)), loc(m.args()[i]));
        }
        if (m.target() >= 0) pm.add(ParallelMove.reg(Gpr.RAX), loc(m.target()));
        pm.sequence(before);
        ParallelMove res = new ParallelMove();
        for (int i = 0; i < m.results().length; i++) {
            if (locs.retRegs[i] < 0 || unused(m.results()[i])) continue;
            res.add(loc(m.results()[i]), ParallelMove.regNum(locs.retRegs[i]));
        }
        res.sequence(after);
        for (int i = 0; i < m.results().length; i++) {
            int v = m.results()[i];
            if (locs.retRegs[i] >= 0 || unused(v)) continue;
            Mem from = Mem.base(Gpr.RSP, locs.stackBytes + locs.retOffsets[i]);
            int d = inReg(v) ? reg(v) : isF(v) ? X14 : R11;
            after.add(new Edit.Reload(d, from));
            commit(v, d);
        }
    }

    private void ret(MInst.Ret m) {
        int n = m.values().length;
        Abi.ArgLocs locs = Abi.argLocs(m.sig());
        if (locs.retArea != null) {
            Gpr area = Gpr.fromEnc(addrReg(m.retArea(), R10));
            for (int i = 0; i < n; i++) {
                if (locs.retRegs[i] >= 0) continue;
                int v = m.values()[i];
                before.add(new Edit.Spill(Mem.base(area, locs.retOffsets[i]), inReg(v) ? reg(v) : reload(v, R11)));
            }
        }
        ParallelMove pm = new ParallelMove();
        for (int i = 0; i < n; i++) if (locs.retRegs[i] >= 0) pm.add(ParallelMove.regNum(locs.retRegs[i]), loc(m.values()[i]));
        pm.sequence(before);
    }

    // ---- scalar floats (FloatEmit encodes them) ----

    private void floatInst(MInst m0) {
        switch (m0.kind()) {
            case F_CONST: {
                // In a register: materialized there. Spilled: the bits go through R11.
                MInst.FConst m = (MInst.FConst) m0;
                defR(m.dst(), R11);
                return;
            }
            case F_ARITH: {
                MInst.FArith m = (MInst.FArith) m0;
                if (m.b() < 0) {
                    defR(m.dst(), X14);
                    rm(m.a());
                    return;
                }
                int a = m.a(), b = m.b();
                int d = inReg(m.dst()) ? reg(m.dst()) : X14;
                if (a != b && inReg(b) && reg(b) == d) {
                    if (FloatEmit.commutative(m.op())) {
                        swapped = true;
                        a = m.b();
                        b = m.a();
                    } else {
                        d = X14;
                    }
                }
                xTwoAddr(m.dst(), a, d);
                rm(b);
                return;
            }
            case F_BITWISE: {
                MInst.FBitwise m = (MInst.FBitwise) m0;
                int a = m.a(), b = m.b();
                int d = inReg(m.dst()) ? reg(m.dst()) : X14;
                if (a != b && inReg(b) && reg(b) == d) {
                    if (m.op() != Assembler.BitwiseOp.ANDN) {
                        swapped = true;
                        a = m.b();
                        b = m.a();
                    } else {
                        d = X14;
                    }
                }
                xTwoAddr(m.dst(), a, d);
                // The 16-byte memory form would read past an 8-byte slot: reload into a register.
                useR(b, X15);
                return;
            }
            case F_ROUND: {
                MInst.FRound m = (MInst.FRound) m0;
                defR(m.dst(), X14);
                useR(m.a(), X15);
                return;
            }
            case F_CVT: {
                MInst.FCvt m = (MInst.FCvt) m0;
                switch (m.op()) {
                    case PROMOTE: case DEMOTE: defR(m.dst(), X14); useR(m.a(), X15); return;
                    case FROM_SINT: case FROM_UINT: useR(m.a(), R11); defR(m.dst(), X14); return;
                    default: useR(m.a(), X14); defR(m.dst(), R11); return; // to an integer, computed in X14
                }
            }
            case F_CMP: {
                MInst.FCmp m = (MInst.FCmp) m0;
                boolean swap = FloatEmit.flags(m.cc()).swapped();
                useR(swap ? m.b() : m.a(), X14);
                useR(swap ? m.a() : m.b(), X15);
                defR(m.dst(), R11);
                return;
            }
            case F_BRANCH: {
                MInst.FBranch m = (MInst.FBranch) m0;
                boolean swap = FloatEmit.flags(m.cc()).swapped();
                useR(swap ? m.b() : m.a(), X14);
                useR(swap ? m.a() : m.b(), X15);
                return;
            }
            case F_MINMAX: {
                MInst.FMinMax m = (MInst.FMinMax) m0;
                moveIn(X14, m.a());
                useR(m.b(), X15);
                inScratch(m.dst(), X14);
                return;
            }
            case F_FMA: {
                MInst.FFma m = (MInst.FFma) m0;
                moveIn(X14, m.a());
                useR(m.b(), X15);
                rm(m.c());
                inScratch(m.dst(), X14);
                return;
            }
            case F_SIGN: {
                MInst.FSign m = (MInst.FSign) m0;
                switch (m.op()) {
                    case NEG: moveIn(X14, m.a()); break;
                    case ABS: useR(m.a(), X15); break;
                    default: moveIn(temp(R11), m.a()); moveIn(temp(R10), m.b()); break; // COPYSIGN, in GPRs
                }
                inScratch(m.dst(), X14);
                return;
            }
            case F_SELECT: {
                MInst.FSelect m = (MInst.FSelect) m0;
                compare(m.cmp());
                rm(m.ifFalse());
                rm(m.ifTrue());
                inScratch(m.dst(), X14);
                return;
            }
            case F_BITSELECT: {
                // b ^ ((a ^ b) & c). With b and c both spilled there is no third scratch
                // register of the class: computed in R11 and R10, with c read from its slot.
                MInst.FBitselect m = (MInst.FBitselect) m0;
                if (!inReg(m.b()) && !inReg(m.c()) && m.b() != m.c()) {
                    moveIn(temp(R11), m.a());
                    useR(m.b(), R10);
                    rm(m.c());
                } else {
                    moveIn(X14, m.a());
                    useR(m.b(), X15);
                    useR(m.c(), X15);
                }
                inScratch(m.dst(), X14);
                return;
            }
            default:
                throw new AssertionError(m0.kind());
        }
    }
}
