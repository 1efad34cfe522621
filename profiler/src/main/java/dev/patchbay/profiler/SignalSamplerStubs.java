/*
 * The signal sampler's machine code, generated with codegen's assembler (no Java runs in
 * signal context; DESIGN.md invariant 3): the handler for SignalSamplerLayout.SIGNAL, and
 * two helpers Java calls through Native.call.
 *
 * Handler, a C function handler(sig, info, ucontext). It uses only caller-saved registers,
 * touches only the target table, the ring named by the signal, the Store's vmctx (in a slab
 * that is never unmapped) and the interrupted thread's own stack inside the guest call's
 * bounds, so it cannot fault:
 *   1. si_code must be SI_QUEUE and the si_value index below MAX_TARGETS, else FOREIGN++.
 *   2. The slot's ring; an empty slot (sampler closed) is NOT_SAMPLED++.
 *   3. The thread must be running that Store's guest call: the vmctx's IN_GUEST word equals
 *      this thread's pointer (fs:[0]); else NOT_IN_GUEST++ (Java, a hostcall, idle).
 *   4. The PC must lie in one of the ring's code ranges, else OUTSIDE_CODE++.
 *   5. A full ring (head - tail == capacity) is DROPS++; otherwise the slot at head gets
 *      the PC, [RSP] and [RSP + 8] (in bounds), and the bounded RBP walk (in 3b: no SP
 *      words, the walk from LAST_EXIT_FP, and EXIT_FLAG in DEPTH), then HEAD is bumped
 *      (x86 keeps the stores in order, so the consumer that sees the new HEAD sees the slot).
 *
 * sendSample(tgid, tid, sig, siginfo) -> rt_tgsigqueueinfo's result (0 or -errno): the
 * syscall with a siginfo whose si_value carries the target index, aimed at one thread.
 * threadPointer() -> fs:[0], the value the entry trampoline stores in IN_GUEST.
 */
package dev.patchbay.profiler;

import dev.patchbay.codegen.isa.x64.AluOp;
import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.isa.x64.Cond;
import dev.patchbay.codegen.isa.x64.Gpr;
import dev.patchbay.codegen.isa.x64.Mem;
import dev.patchbay.codegen.isa.x64.ShiftOp;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.vm.VmctxLayout;

import static dev.patchbay.profiler.SignalSamplerLayout.*;

/** Generates the sampler's signal handler and its two small helpers. */
final class SignalSamplerStubs {
    private SignalSamplerStubs() {}

    /** ucontext_t: uc_mcontext.gregs at 40; RBP 10, RSP 15, RIP 16 (glibc x86-64). */
    static final int UC_RBP = 40 + 8 * 10, UC_RSP = 40 + 8 * 15, UC_RIP = 40 + 8 * 16;
    static final int SYS_RT_TGSIGQUEUEINFO = 297;

    private static Mem m(Gpr base, int disp) { return Mem.base(base, disp); }

    /** The handler; `table` is the target table's address. */
    static byte[] handler(long table) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Gpr info = Gpr.RSI, uc = Gpr.RDX, tab = Gpr.R8, ring = Gpr.R9, vm = Gpr.R10, pc = Gpr.R11;
        Label foreign = buf.newLabel(), notSampled = buf.newLabel(), notInGuest = buf.newLabel(), notInCall = buf.newLabel(),
            outside = buf.newLabel(), drop = buf.newLabel();

        a.movImm(tab, table);
        a.lockAluImm(AluOp.ADD, 8, m(tab, T_HANDLED), 1);
        // 1. Ours: queued by this process with an index, not a pointer.
        a.aluImm(AluOp.CMP, 4, m(info, SI_CODE), SI_QUEUE);
        a.jcc(Cond.NE, foreign, false);
        a.load(4, Gpr.RAX, m(info, SI_VALUE));
        a.aluImm(AluOp.CMP, 4, Gpr.RAX, MAX_TARGETS);
        a.jcc(Cond.AE, foreign, false);
        // 2. The ring of that slot.
        a.load(8, ring, Mem.baseIndex(tab, Gpr.RAX, 8, T_SLOTS));
        a.test(8, ring, ring);
        a.jcc(Cond.E, notSampled, false);
        // 3. This thread runs that Store's guest code.
        a.load(8, vm, m(ring, VMCTX));
        a.loadThreadPointer(Gpr.RCX);
        a.alu(AluOp.CMP, 8, Gpr.RCX, m(vm, VmctxLayout.IN_GUEST));
        a.jcc(Cond.NE, notInGuest, false);
        a.load(8, pc, m(uc, UC_RIP));
        record(buf, a, false, outside, drop);
        // 3b. Or it is in a hostcall of that Store's guest code: its own exit frame is in
        // LAST_EXIT_FP/PC (VmctxLayout.EXIT_THREAD says whose it is).
        buf.bind(notInGuest);
        a.alu(AluOp.CMP, 8, Gpr.RCX, m(vm, VmctxLayout.EXIT_THREAD));
        a.jcc(Cond.NE, notInCall, false);
        a.aluImm(AluOp.CMP, 8, m(vm, VmctxLayout.LAST_EXIT_FP), 0);
        a.jcc(Cond.E, notInCall, false);
        a.load(8, pc, m(vm, VmctxLayout.LAST_EXIT_PC));
        record(buf, a, true, outside, drop);

        buf.bind(drop);
        a.lockAluImm(AluOp.ADD, 8, m(ring, DROPS), 1);
        a.ret();
        buf.bind(outside);
        a.lockAluImm(AluOp.ADD, 8, m(ring, OUTSIDE_CODE), 1);
        a.ret();
        buf.bind(notInCall);
        a.lockAluImm(AluOp.ADD, 8, m(ring, NOT_IN_GUEST), 1);
        a.store(8, m(ring, LAST_MISS_TP), Gpr.RCX);
        a.load(4, Gpr.RAX, m(info, SI_VALUE + 4));
        a.store(8, m(ring, LAST_MISS_TID), Gpr.RAX);
        a.ret();
        buf.bind(notSampled);
        a.lockAluImm(AluOp.ADD, 8, m(tab, T_NOT_SAMPLED), 1);
        a.ret();
        buf.bind(foreign);
        a.lockAluImm(AluOp.ADD, 8, m(tab, T_FOREIGN), 1);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    /**
     * Steps 4 and 5 for the PC in R11: the range check, then the slot. In a hostcall
     * (`exit`), the PC is the guest's return address from LAST_EXIT_PC, the walk starts at
     * LAST_EXIT_FP, SP0/SP1 are 0 and DEPTH carries EXIT_FLAG. Expects RCX free, RDX the
     * ucontext, R9 the ring, R10 the vmctx; ends with ret.
     */
    private static void record(CodeBuffer buf, Assembler a, boolean exit, Label outside, Label drop) {
        Gpr uc = Gpr.RDX, tab = Gpr.R8, ring = Gpr.R9, vm = Gpr.R10, pc = Gpr.R11;
        Label inCode = buf.newLabel(), rangeLoop = buf.newLabel(), rangeNext = buf.newLabel(), rangesOk = buf.newLabel(),
            loOk = buf.newLabel(), walk = buf.newLabel(), walkEnd = buf.newLabel();
        // 4. The PC is in one of the Store's code ranges.
        a.load(8, Gpr.RCX, m(ring, NRANGES));
        a.aluImm(AluOp.CMP, 8, Gpr.RCX, MAX_RANGES);
        a.jcc(Cond.BE, rangesOk, true);
        a.movImm32(Gpr.RCX, MAX_RANGES);
        buf.bind(rangesOk);
        a.lea(8, Gpr.RDI, m(ring, RANGES));
        buf.bind(rangeLoop);
        a.test(8, Gpr.RCX, Gpr.RCX);
        a.jcc(Cond.E, outside, false);
        a.alu(AluOp.CMP, 8, pc, m(Gpr.RDI, 0));
        a.jcc(Cond.B, rangeNext, true);
        a.alu(AluOp.CMP, 8, pc, m(Gpr.RDI, 8));
        a.jcc(Cond.B, inCode, false);
        buf.bind(rangeNext);
        a.aluImm(AluOp.ADD, 8, Gpr.RDI, 16);
        a.aluImm(AluOp.SUB, 8, Gpr.RCX, 1);
        a.jmp(rangeLoop, true);

        // 5. Record: reserve the slot at HEAD, or count a drop.
        buf.bind(inCode);
        a.load(8, Gpr.RAX, m(ring, HEAD));
        a.mov(8, Gpr.RCX, Gpr.RAX);
        a.alu(AluOp.SUB, 8, Gpr.RCX, m(ring, TAIL));
        a.alu(AluOp.CMP, 8, Gpr.RCX, m(ring, CAPACITY));
        a.jcc(Cond.AE, drop, false);
        a.mov(8, Gpr.RCX, Gpr.RAX);
        a.alu(AluOp.AND, 8, Gpr.RCX, m(ring, MASK));
        a.shiftImm(ShiftOp.SHL, 8, Gpr.RCX, SLOT_SHIFT);
        a.lea(8, Gpr.RDI, Mem.baseIndex(ring, Gpr.RCX, 1, SLOTS_AT));
        a.store(8, m(Gpr.RDI, S_PC), pc);
        // Bounds of the call's stack: lo = max(RSP, STACK_FLOOR - slack) in RSI, hi = ENTRY_FP in R8.
        a.load(8, Gpr.RSI, m(uc, UC_RSP));
        a.load(8, Gpr.RCX, m(vm, VmctxLayout.STACK_FLOOR));
        a.aluImm(AluOp.SUB, 8, Gpr.RCX, VmctxLayout.GUEST_STACK_SLACK);
        a.alu(AluOp.CMP, 8, Gpr.RSI, Gpr.RCX);
        a.jcc(Cond.AE, loOk, true);
        a.mov(8, Gpr.RSI, Gpr.RCX);
        buf.bind(loOk);
        a.load(8, tab, m(vm, VmctxLayout.ENTRY_FP));
        if (exit) {
            // RSP is deep in host code; the guest's frames start at its exit frame.
            a.storeImm(8, m(Gpr.RDI, S_SP0), 0);
            a.storeImm(8, m(Gpr.RDI, S_SP1), 0);
            a.load(8, Gpr.RCX, m(vm, VmctxLayout.LAST_EXIT_FP));
        } else {
            // [RSP] and [RSP + 8], when both lie below ENTRY_FP (RSP itself is at or above lo).
            Label noSp = buf.newLabel(), spDone = buf.newLabel();
            a.load(8, Gpr.RCX, m(uc, UC_RSP));
            a.alu(AluOp.CMP, 8, Gpr.RCX, Gpr.RSI);
            a.jcc(Cond.B, noSp, true);
            a.lea(8, pc, m(Gpr.RCX, 16));
            a.alu(AluOp.CMP, 8, pc, tab);
            a.jcc(Cond.A, noSp, true);
            a.load(8, pc, m(Gpr.RCX, 0));
            a.store(8, m(Gpr.RDI, S_SP0), pc);
            a.load(8, pc, m(Gpr.RCX, 8));
            a.store(8, m(Gpr.RDI, S_SP1), pc);
            a.jmp(spDone, true);
            buf.bind(noSp);
            a.storeImm(8, m(Gpr.RDI, S_SP0), 0);
            a.storeImm(8, m(Gpr.RDI, S_SP1), 0);
            buf.bind(spDone);
            a.load(8, Gpr.RCX, m(uc, UC_RBP));
        }
        a.zero(Gpr.RDX);
        buf.bind(walk);
        a.aluImm(AluOp.CMP, 8, Gpr.RDX, MAX_DEPTH);
        a.jcc(Cond.AE, walkEnd, true);
        a.alu(AluOp.CMP, 8, Gpr.RCX, Gpr.RSI);
        a.jcc(Cond.B, walkEnd, true);
        a.alu(AluOp.CMP, 8, Gpr.RCX, tab);
        a.jcc(Cond.AE, walkEnd, true);
        a.testImm(8, Gpr.RCX, 7);
        a.jcc(Cond.NE, walkEnd, true);
        a.load(8, pc, m(Gpr.RCX, 8));
        a.store(8, Mem.baseIndex(Gpr.RDI, Gpr.RDX, 8, S_FRAMES), pc);
        a.aluImm(AluOp.ADD, 8, Gpr.RDX, 1);
        a.load(8, pc, m(Gpr.RCX, 0));
        a.alu(AluOp.CMP, 8, pc, Gpr.RCX);
        a.jcc(Cond.BE, walkEnd, true);
        a.mov(8, Gpr.RCX, pc);
        a.jmp(walk, true);
        buf.bind(walkEnd);
        if (exit) a.aluImm(AluOp.OR, 8, Gpr.RDX, (int) EXIT_FLAG);
        a.store(8, m(Gpr.RDI, S_DEPTH), Gpr.RDX);
        a.aluImm(AluOp.ADD, 8, Gpr.RAX, 1);
        a.store(8, m(ring, HEAD), Gpr.RAX);
        a.ret();
    }

    /** sendSample(tgid, tid, sig, siginfo): rt_tgsigqueueinfo, returning 0 or -errno. */
    static byte[] sendSample() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.mov(8, Gpr.R10, Gpr.RCX);
        a.movImm32(Gpr.RAX, SYS_RT_TGSIGQUEUEINFO);
        a.syscall();
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    /** threadPointer() -> fs:[0]. */
    static byte[] threadPointer() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.loadThreadPointer(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }
}
