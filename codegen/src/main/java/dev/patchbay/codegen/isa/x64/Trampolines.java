/*
 * The generated trampolines that connect host and guest code. There is no hand-assembled
 * byte array anywhere: every trampoline is emitted here through the Assembler.
 *
 * Entry trampoline, one per signature: `long entry(vmctx, fn, args)`. It saves the host's
 * callee-saved registers, pins vmctx in R15, records the host RSP and its own RBP in the
 * vmctx (saving the previous values, so guest → host → guest reentry nests), sets the
 * stack limit on the outermost entry (rsp - STACK_SIZE, but never below STACK_FLOOR), loads the arguments from the `args` buffer (8 bytes
 * per value) into their ABI locations, calls the guest, stores the results back into the
 * buffer and returns EntryStatus.OK through the common unwind path.
 *
 *   entry frame:  [rbp-8..-40] rbx r12 r13 r14 r15   [rbp-48] previous HOST_SP
 *                 [rbp-56] previous ENTRY_FP          [rbp-64] previous IN_GUEST
 *
 * IN_GUEST (see VmctxLayout) holds the thread pointer while guest code runs: the entry
 * trampoline sets it once HOST_SP, ENTRY_FP and STACK_LIMIT are in place, and the unwind
 * path restores the previous value (0, or the outer call's after a guest → host → guest
 * reentry, whose exit trampoline cleared it) before anything else. The exit and hook
 * trampolines clear it around their call out and set it again on return. Before writing
 * stack arguments below the host's RSP, the entry trampoline checks them against
 * STACK_LIMIT and traps stk_ovf (an overlong argument list used to run off the stack).
 *
 * Trap stub: generated code records the trap code in the vmctx and jumps here with the
 * trapping PC in R11; the stub records the backtrace, then unwinds with status
 * EntryStatus.TRAP (EntryStatus.INTERRUPTED if the safepoint stub set
 * VmctxLayout.STUB_INTERRUPT, which the stub clears). Unwinding
 * restores RSP from vmctx.HOST_SP, which drops every guest frame at once, restores the
 * saved vmctx fields and the host registers, and returns to the caller of the entry
 * trampoline.
 *
 * Exit trampolines, one per import (hostcall): called by guest code with the import's
 * signature. They record the last guest FP and PC in the vmctx (so the host can walk
 * the guest stack), then EXIT_THREAD (so the signal sampler can too), spill the arguments
 * to an 8-byte-per-value buffer on the stack, and
 * call the runtime's dispatcher as dispatch(vmctx, importIndex, args, guestPc) through
 * an ABS64 relocation (the buffer's layout is vm/HostcallBuffer). The dispatcher stores the
 * results in the buffer, one slot each, and returns 0; the trampoline moves them to the
 * return registers and, past those, to the caller's return area. The dispatcher returns
 * non-zero when the hostcall threw: the trampoline then traps with host_error at
 * the guest call site, and the runtime attaches the Java exception as the Trap's cause.
 *
 * Hook trampolines, one per site kind, use the preserve_all convention: they save the
 * flags and every caller-saved GPR, align the stack, and call the hook pointer stored in
 * the vmctx as hook(vmctx, return address, guest RBP). The return address identifies the
 * site. A hook returns 0 to resume; any other value means it set a trap code and the
 * guest must unwind, with the site as the trapping PC. In a module whose code uses XMM
 * registers (floats), the hook trampolines also save the sixteen XMM registers (movaps into
 * a 272-byte area on the aligned stack) and MXCSR (stmxcsr), and restore them after the
 * hook, since a hook may be a Java upcall, which uses XMM registers as it likes. Not
 * fxsave64: it also saves the x87 and MMX state, which no guest uses, and cost about 90 ns
 * more per hit than this on the build machine (ProfilerBenchmark, floats=true). Integer-only modules keep the trampolines without it (their bytes unchanged).
 * The unwind path does not restore: the guest's frames are dropped.
 *
 * The profile kinds' trampolines run on every call of a profiled function, so they save the
 * flags the cheap way: lahf + seto al into a stack slot, restored by add al, 0x7f (which
 * sets OF exactly when al was 1) then sahf (SF, ZF, AF, PF, CF). pushfq/popfq costs about
 * 20 cycles (popfq is microcoded), more than the rest of the trampoline. The two ways
 * differ only in DF, TF, AC and IF, which neither guest code nor a C-ABI hook changes
 * (the ABI keeps DF clear across calls). The epoch trampoline keeps pushfq/popfq.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.machinst.UnwindRange;
import dev.patchbay.codegen.vm.EntryStatus;
import dev.patchbay.codegen.vm.HostcallBuffer;
import dev.patchbay.codegen.vm.VmctxLayout;

final class Trampolines {
    // Call frame rows (UnwindRange) are recorded as the code is emitted, so they follow
    // exactly the pushes, pops and RSP loads below.

    static final Gpr[] HOST_SAVED = {Gpr.RBX, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};
    private static final Gpr[] HOOK_SAVED = {
        Gpr.RAX, Gpr.RCX, Gpr.RDX, Gpr.RSI, Gpr.RDI, Gpr.R8, Gpr.R9, Gpr.R10, Gpr.R11,
    };

    private final CodeBuffer buf;
    private final Assembler asm;
    private final Label unwind;
    private final Label trapStubLabel;
    private final java.util.List<UnwindRange> frames = new java.util.ArrayList<>();
    private java.util.List<UnwindRange.Row> rows;

    /** The module's code uses XMM registers: the hook trampolines save the SSE state (see the header). */
    private final boolean saveXmm;

    Trampolines(CodeBuffer buf, Assembler asm, boolean saveXmm) {
        this.buf = buf;
        this.asm = asm;
        this.saveXmm = saveXmm;
        this.unwind = buf.newLabel();
        this.trapStubLabel = buf.newLabel();
    }

    private static Mem vm(int off) { return Mem.base(Abi.VMCTX, off); }

    /** The call frame rows of every trampoline emitted so far, in code order. */
    java.util.List<UnwindRange> unwind() { return java.util.List.copyOf(frames); }

    private void beginRows() { rows = new java.util.ArrayList<>(); }

    /** A row from the current offset on. */
    private void row(boolean cfaFromRbp, int cfaOffset, int savedRbp) {
        rows.add(new UnwindRange.Row(buf.offset(), cfaFromRbp, cfaOffset, savedRbp));
    }

    /** The usual frame: CFA = RBP + 16, the caller's RBP at CFA - 16. */
    private void rbpFrame() { row(true, 16, -16); }

    private void endRows(UnwindRange.Kind kind, String name, int start) {
        frames.add(new UnwindRange(kind, name, start, buf.offset(), rows));
        rows = null;
    }

    /** Emits the trap stub followed by the shared unwind path. Returns the stub's offset. */
    int trapStub() {
        int at = buf.offset();
        buf.bind(trapStubLabel);
        beginRows();
        // Jumped to with RBP the frame pointer of the code that trapped (or of the entry
        // trampoline, on the way out of a call): the stub runs in that frame until RSP is
        // reloaded from HOST_SP.
        rbpFrame();
        backtrace();
        // TRAP, or INTERRUPTED when the safepoint stub marked this unwind as its own.
        asm.load(8, Gpr.RAX, vm(VmctxLayout.STUB_INTERRUPT));
        asm.storeImm(8, vm(VmctxLayout.STUB_INTERRUPT), 0);
        asm.aluImm(AluOp.ADD, 4, Gpr.RAX, EntryStatus.TRAP);
        buf.bind(unwind);
        asm.load(8, Gpr.RSP, vm(VmctxLayout.HOST_SP));
        // RSP is the entry trampoline's, below its 24-byte save area, the host registers and RBP.
        int cfa = 24 + 8 * HOST_SAVED.length + 16;
        row(false, cfa, -16);
        asm.load(8, Gpr.RCX, Mem.base(Gpr.RSP, 16));
        asm.store(8, vm(VmctxLayout.IN_GUEST), Gpr.RCX);
        asm.load(8, Gpr.RCX, Mem.base(Gpr.RSP, 0));
        asm.store(8, vm(VmctxLayout.HOST_SP), Gpr.RCX);
        asm.load(8, Gpr.RCX, Mem.base(Gpr.RSP, 8));
        asm.store(8, vm(VmctxLayout.ENTRY_FP), Gpr.RCX);
        asm.aluImm(AluOp.ADD, 8, Gpr.RSP, 24);
        cfa -= 24;
        row(false, cfa, -16);
        for (int i = HOST_SAVED.length - 1; i >= 0; i--) {
            asm.pop(HOST_SAVED[i]);
            cfa -= 8;
            row(false, cfa, -16);
        }
        asm.pop(Gpr.RBP);
        row(false, 8, 0);
        asm.ret();
        endRows(UnwindRange.Kind.TRAP_STUB, "patchbay:trap_stub", at);
        return at;
    }

    /**
     * Walks the RBP chain from the trapping frame and records return addresses in the
     * vmctx. The guest can overwrite saved RBPs, and the trap stub also runs after a fault
     * at a garbage PC, so nothing on the chain is trusted: a frame pointer is followed
     * only while it lies in the call's stack, [max(RSP, STACK_FLOOR - GUEST_STACK_SLACK),
     * ENTRY_FP), is 8-aligned and each frame is strictly above the one before, for at
     * most BT_MAX entries. Memory in that range is this thread's mapped stack, so the
     * walk never faults (a fault here would re-enter this stub, forever) and always ends.
     * Uses RAX, RCX, RDX, RSI, RDI, R8: the trap path owns every register but R15 and RBP.
     */
    private void backtrace() {
        Label loop = buf.newLabel(), done = buf.newLabel();
        Gpr lo = Gpr.RSI, entry = Gpr.RDI, ret = Gpr.R8;
        asm.store(8, vm(VmctxLayout.BT_PCS), Gpr.R11);
        asm.movImm32(Gpr.RCX, 1);
        asm.mov(8, Gpr.RDX, Gpr.RBP);
        // lo = max(RSP, STACK_FLOOR - slack), unsigned; a floor below the slack wraps to a
        // huge lo, which only stops the walk.
        asm.load(8, lo, vm(VmctxLayout.STACK_FLOOR));
        asm.aluImm(AluOp.SUB, 8, lo, VmctxLayout.GUEST_STACK_SLACK);
        asm.alu(AluOp.CMP, 8, lo, Gpr.RSP);
        asm.cmov(Cond.B, 8, lo, Gpr.RSP);
        asm.load(8, entry, vm(VmctxLayout.ENTRY_FP));
        buf.bind(loop);
        asm.aluImm(AluOp.CMP, 8, Gpr.RCX, VmctxLayout.BT_MAX);
        asm.jcc(Cond.AE, done, true);
        asm.alu(AluOp.CMP, 8, Gpr.RDX, lo);
        asm.jcc(Cond.B, done, true);
        asm.alu(AluOp.CMP, 8, Gpr.RDX, entry);
        asm.jcc(Cond.AE, done, true);
        asm.testImm(8, Gpr.RDX, 7);
        asm.jcc(Cond.NE, done, true);
        asm.load(8, Gpr.RAX, Mem.base(Gpr.RDX, 0));
        asm.alu(AluOp.CMP, 8, Gpr.RAX, entry);
        asm.jcc(Cond.AE, done, true);
        asm.alu(AluOp.CMP, 8, Gpr.RAX, Gpr.RDX);
        asm.jcc(Cond.BE, done, true);
        asm.load(8, ret, Mem.base(Gpr.RDX, 8));
        asm.store(8, Mem.baseIndex(Abi.VMCTX, Gpr.RCX, 8, VmctxLayout.BT_PCS), ret);
        asm.aluImm(AluOp.ADD, 8, Gpr.RCX, 1);
        asm.mov(8, Gpr.RDX, Gpr.RAX);
        asm.jmp(loop, true);
        buf.bind(done);
        asm.store(8, vm(VmctxLayout.BT_COUNT), Gpr.RCX);
    }

    /** IN_GUEST = 0: the thread is about to run code that may reach Java (see VmctxLayout.IN_GUEST). */
    private void leaveGuest() {
        asm.storeImm(8, vm(VmctxLayout.IN_GUEST), 0);
    }

    /** IN_GUEST = this thread's pointer, through `scratch`: back in guest code. */
    private void reenterGuest(Gpr scratch) {
        asm.loadThreadPointer(scratch);
        asm.store(8, vm(VmctxLayout.IN_GUEST), scratch);
    }

    /** Emits the preserve_all trampoline for a site kind. Returns its offset. */
    int hook(SiteKind kind) {
        if (kind == SiteKind.PROFILE_ENTRY || kind == SiteKind.PROFILE_EXIT) return profileHook(kind);
        NopUnits.align(buf, 16);
        int at = buf.offset();
        beginRows();
        row(false, 8, 0);
        asm.pushfq();
        row(false, 16, 0);
        asm.push(Gpr.RBP);
        row(false, 24, -24);
        asm.mov(8, Gpr.RBP, Gpr.RSP);
        row(true, 24, -24);
        for (Gpr g : HOOK_SAVED) asm.push(g);
        asm.aluImm(AluOp.AND, 8, Gpr.RSP, -16);
        saveSse();
        Label unwind = buf.newLabel();
        callVmctxHook(kind, 16, unwind);
        restoreSse();
        asm.lea(8, Gpr.RSP, Mem.base(Gpr.RBP, -8 * HOOK_SAVED.length));
        for (int i = HOOK_SAVED.length - 1; i >= 0; i--) asm.pop(HOOK_SAVED[i]);
        asm.pop(Gpr.RBP);
        row(false, 16, 0);
        asm.popfq();
        row(false, 8, 0);
        asm.ret();
        // The hook asked to unwind (it set the trap code): the trapping PC is the site.
        buf.bind(unwind);
        row(true, 24, -24);
        asm.load(8, Gpr.R11, Mem.base(Gpr.RBP, 16));
        asm.aluImm(AluOp.SUB, 8, Gpr.R11, 5);
        asm.load(8, Gpr.RBP, Mem.base(Gpr.RBP, 0));
        // RBP is the guest's again: from here on this is the trap stub's frame, the guest's.
        rbpFrame();
        asm.jmp(trapStubLabel, false);
        endRows(UnwindRange.Kind.HOOK_TRAMPOLINE, "patchbay:hook_trampoline:" + kind.name().toLowerCase(java.util.Locale.ROOT), at);
        return at;
    }

    /** Bytes of the SSE save area: sixteen XMM registers, then MXCSR, padded to keep RSP 16-aligned. */
    static final int SSE_AREA_BYTES = 16 * 16 + 16;

    /** With RSP 16-aligned: the XMM registers and MXCSR into a fresh area at RSP (leaves RSP aligned). */
    private void saveSse() {
        if (!saveXmm) return;
        asm.aluImm(AluOp.SUB, 8, Gpr.RSP, SSE_AREA_BYTES);
        for (Xmm x : Xmm.values()) asm.movapsStore(Mem.base(Gpr.RSP, 16 * x.enc()), x);
        asm.stmxcsr(Mem.base(Gpr.RSP, 16 * 16));
    }

    /** Restores what saveSse saved; RSP is restored from RBP afterwards. */
    private void restoreSse() {
        if (!saveXmm) return;
        asm.ldmxcsr(Mem.base(Gpr.RSP, 16 * 16));
        for (Xmm x : Xmm.values()) asm.movapsLoad(x, Mem.base(Gpr.RSP, 16 * x.enc()));
    }

    /**
     * Calls the kind's hook pointer from the vmctx, if one is set, as hook(vmctx, return
     * address at [rbp+returnAddressDisp], guest RBP at [rbp]) with RSP already aligned; a
     * non-zero result jumps to `unwind`. Falls through when the hook returns 0 or none is set.
     */
    private void callVmctxHook(SiteKind kind, int returnAddressDisp, Label unwind) {
        Label skip = buf.newLabel();
        asm.load(8, Gpr.RAX, vm(VmctxLayout.hook(kind.ordinal())));
        asm.test(8, Gpr.RAX, Gpr.RAX);
        asm.jcc(Cond.E, skip, true);
        asm.mov(8, Gpr.RDI, Abi.VMCTX);
        asm.load(8, Gpr.RSI, Mem.base(Gpr.RBP, returnAddressDisp));
        asm.load(8, Gpr.RDX, Mem.base(Gpr.RBP, 0));
        // A hook may be a Java upcall: while it runs, a fault on this thread is not the guest's.
        leaveGuest();
        asm.call(Gpr.RAX);
        reenterGuest(Gpr.RCX);
        asm.test(4, Gpr.RAX, Gpr.RAX);
        // The SSE restore lies between here and `unwind`, out of a rel8's reach.
        asm.jcc(Cond.NE, unwind, !saveXmm);
        buf.bind(skip);
    }

    /**
     * The profile kinds' trampoline: preserve_all like hook(), with the arithmetic flags
     * saved by lahf/seto instead of pushfq (see the header).
     *
     *   frame: [rbp+8] return address (the site's end)  [rbp] guest RBP
     *          [rbp-8] RAX  [rbp-16] flags (AH = lahf, AL = OF)  [rbp-24..-80] RCX..R11
     */
    private int profileHook(SiteKind kind) {
        NopUnits.align(buf, 16);
        int at = buf.offset();
        beginRows();
        row(false, 8, 0);
        asm.push(Gpr.RBP);
        row(false, 16, -16);
        asm.mov(8, Gpr.RBP, Gpr.RSP);
        rbpFrame();
        asm.push(Gpr.RAX);
        asm.lahf();
        asm.setcc(Cond.O, Gpr.RAX);
        asm.push(Gpr.RAX);
        for (int i = 1; i < HOOK_SAVED.length; i++) asm.push(HOOK_SAVED[i]);
        asm.aluImm(AluOp.AND, 8, Gpr.RSP, -16);
        saveSse();
        Label unwind = buf.newLabel();
        callVmctxHook(kind, 8, unwind);
        restoreSse();
        asm.lea(8, Gpr.RSP, Mem.base(Gpr.RBP, -8 * (HOOK_SAVED.length + 1)));
        for (int i = HOOK_SAVED.length - 1; i >= 1; i--) asm.pop(HOOK_SAVED[i]);
        asm.pop(Gpr.RAX);
        asm.aluImm(AluOp.ADD, 1, Gpr.RAX, 0x7F);
        asm.sahf();
        asm.pop(Gpr.RAX);
        asm.pop(Gpr.RBP);
        row(false, 8, 0);
        asm.ret();
        buf.bind(unwind);
        rbpFrame();
        asm.load(8, Gpr.R11, Mem.base(Gpr.RBP, 8));
        asm.aluImm(AluOp.SUB, 8, Gpr.R11, 5);
        asm.load(8, Gpr.RBP, Mem.base(Gpr.RBP, 0));
        rbpFrame();
        asm.jmp(trapStubLabel, false);
        endRows(UnwindRange.Kind.HOOK_TRAMPOLINE, "patchbay:hook_trampoline:" + kind.name().toLowerCase(java.util.Locale.ROOT), at);
        return at;
    }

    /** Emits the exit trampoline of an import. Returns {offset, offset of the dispatcher relocation}. */
    int[] exit(int importIndex, String name, Signature sig) {
        NopUnits.align(buf, 16);
        int at = buf.offset();
        Abi.ArgLocs locs = Abi.argLocs(sig);
        beginRows();
        row(false, 8, 0);
        asm.push(Gpr.RBP);
        row(false, 16, -16);
        asm.mov(8, Gpr.RBP, Gpr.RSP);
        rbpFrame();
        asm.load(8, Gpr.RAX, Mem.base(Gpr.RBP, 0));
        asm.store(8, vm(VmctxLayout.LAST_EXIT_FP), Gpr.RAX);
        asm.load(8, Gpr.RAX, Mem.base(Gpr.RBP, 8));
        asm.store(8, vm(VmctxLayout.LAST_EXIT_PC), Gpr.RAX);
        asm.loadThreadPointer(Gpr.RAX);
        asm.store(8, vm(VmctxLayout.EXIT_THREAD), Gpr.RAX);
        int n = sig.params.size(), nr = sig.returns.size();
        // The value buffer (HostcallBuffer), then the caller's return-area pointer when
        // results go beyond the return registers: the dispatcher call clobbers its register.
        int slots = HostcallBuffer.slots(n, nr);
        int areaSave = HostcallBuffer.slot(slots);
        int frame = (areaSave + (locs.retArea != null ? 8 : 0) + 15) & ~15;
        asm.aluImm(AluOp.SUB, 8, Gpr.RSP, frame);
        if (locs.retArea != null) asm.store(8, Mem.base(Gpr.RSP, areaSave), locs.retArea);
        for (int i = 0; i < n; i++) {
            Mem slot = Mem.base(Gpr.RSP, HostcallBuffer.slot(i));
            if (locs.regs[i] != null) {
                asm.store(8, slot, locs.regs[i]);
            } else if (locs.xmms[i] != null) {
                asm.movsStore(false, slot, locs.xmms[i]);
            } else {
                asm.load(8, Gpr.RAX, Mem.base(Gpr.RBP, 16 + locs.stackOffsets[i]));
                asm.store(8, slot, Gpr.RAX);
            }
        }
        asm.mov(8, Gpr.RDI, Abi.VMCTX);
        asm.movImm32(Gpr.RSI, importIndex);
        asm.mov(8, Gpr.RDX, Gpr.RSP);
        asm.load(8, Gpr.RCX, Mem.base(Gpr.RBP, 8));
        asm.movImm(Gpr.RAX, 0x7FFF_FFFF_FFFF_FFFFL);
        int reloc = buf.offset() - 8;
        leaveGuest();
        asm.call(Gpr.RAX);
        reenterGuest(Gpr.RCX);
        Label err = buf.newLabel();
        asm.test(4, Gpr.RAX, Gpr.RAX);
        asm.jcc(Cond.NE, err, true);
        asm.storeImm(8, vm(VmctxLayout.EXIT_THREAD), 0);
        asm.storeImm(8, vm(VmctxLayout.LAST_EXIT_FP), 0);
        // Results from their slots: those past the return registers into the caller's
        // return area first (through R11 and R10, which no result uses), then the registers.
        if (locs.retArea != null) {
            asm.load(8, Gpr.R11, Mem.base(Gpr.RSP, areaSave));
            for (int i = 0; i < nr; i++) {
                if (locs.retRegs[i] >= 0) continue;
                asm.load(8, Gpr.R10, Mem.base(Gpr.RSP, HostcallBuffer.slot(i)));
                asm.store(8, Mem.base(Gpr.R11, locs.retOffsets[i]), Gpr.R10);
            }
        }
        for (int i = 0; i < nr; i++) {
            int r = locs.retRegs[i];
            Mem slot = Mem.base(Gpr.RSP, HostcallBuffer.slot(i));
            if (r >= 0 && Abi.isXmmReg(r)) asm.movsLoad(false, Abi.xmm(r), slot);
            else if (r >= 0) asm.load(8, Gpr.fromEnc(r), slot);
        }
        asm.mov(8, Gpr.RSP, Gpr.RBP);
        asm.pop(Gpr.RBP);
        row(false, 8, 0);
        asm.ret();
        buf.bind(err);
        rbpFrame();
        asm.storeImm(8, vm(VmctxLayout.EXIT_THREAD), 0);
        asm.storeImm(8, vm(VmctxLayout.LAST_EXIT_FP), 0);
        asm.storeImm(8, vm(VmctxLayout.TRAP_CODE), dev.patchbay.codegen.ir.TrapCode.HOST_ERROR.code());
        asm.load(8, Gpr.R11, Mem.base(Gpr.RBP, 8));
        asm.load(8, Gpr.RBP, Mem.base(Gpr.RBP, 0));
        rbpFrame();
        asm.jmp(trapStubLabel, false);
        endRows(UnwindRange.Kind.EXIT_TRAMPOLINE, "patchbay:exit_trampoline:" + name, at);
        return new int[] {at, reloc};
    }

    /** Emits an entry trampoline for a signature. Returns its offset. */
    int entry(Signature sig) {
        NopUnits.align(buf, 16);
        int at = buf.offset();
        Abi.ArgLocs locs = Abi.argLocs(sig);
        beginRows();
        row(false, 8, 0);
        asm.push(Gpr.RBP);
        row(false, 16, -16);
        asm.mov(8, Gpr.RBP, Gpr.RSP);
        // RBP-based to the end: every way out jumps to the unwind path or the trap stub.
        rbpFrame();
        for (Gpr g : HOST_SAVED) asm.push(g);
        asm.aluImm(AluOp.SUB, 8, Gpr.RSP, 24);
        asm.mov(8, Abi.VMCTX, Gpr.RDI);
        asm.load(8, Gpr.RAX, vm(VmctxLayout.HOST_SP));
        asm.store(8, Mem.base(Gpr.RSP, 0), Gpr.RAX);
        asm.load(8, Gpr.RCX, vm(VmctxLayout.ENTRY_FP));
        asm.store(8, Mem.base(Gpr.RSP, 8), Gpr.RCX);
        asm.load(8, Gpr.RCX, vm(VmctxLayout.IN_GUEST));
        asm.store(8, Mem.base(Gpr.RSP, 16), Gpr.RCX);
        asm.store(8, vm(VmctxLayout.HOST_SP), Gpr.RSP);
        asm.store(8, vm(VmctxLayout.ENTRY_FP), Gpr.RBP);
        Label nested = buf.newLabel();
        asm.test(8, Gpr.RAX, Gpr.RAX);
        asm.jcc(Cond.NE, nested, true);
        asm.mov(8, Gpr.RAX, Gpr.RSP);
        asm.alu(AluOp.SUB, 8, Gpr.RAX, vm(VmctxLayout.STACK_SIZE));
        // Never below the floor (unsigned compare also catches rsp - size wrapping below 0).
        asm.alu(AluOp.CMP, 8, Gpr.RAX, vm(VmctxLayout.STACK_FLOOR));
        asm.cmov(Cond.B, 8, Gpr.RAX, vm(VmctxLayout.STACK_FLOOR));
        asm.store(8, vm(VmctxLayout.STACK_LIMIT), Gpr.RAX);
        buf.bind(nested);
        // In guest code from here (the range fields above are written first).
        reenterGuest(Gpr.RCX);
        asm.mov(8, Gpr.R12, Gpr.RDX);
        asm.mov(8, Gpr.RBX, Gpr.RSI);
        int out = (locs.stackBytes + locs.retAreaBytes + 15) & ~15;
        Label overflow = buf.newLabel();
        if (out > 0) {
            // The stack arguments and the return area are written before the guest's own
            // stack check: check them here, or a long argument list runs off the stack.
            asm.lea(8, Gpr.RAX, Mem.base(Gpr.RSP, -out));
            asm.alu(AluOp.CMP, 8, Gpr.RAX, vm(VmctxLayout.STACK_LIMIT));
            asm.jcc(Cond.B, overflow, false);
            asm.aluImm(AluOp.SUB, 8, Gpr.RSP, out);
        }
        int n = sig.params.size();
        for (int i = 0; i < n; i++) {
            if (!locs.onStack(i)) continue;
            asm.load(8, Gpr.RAX, Mem.base(Gpr.R12, 8 * i));
            asm.store(8, Mem.base(Gpr.RSP, locs.stackOffsets[i]), Gpr.RAX);
        }
        for (int i = 0; i < n; i++) {
            if (locs.regs[i] != null) asm.load(8, locs.regs[i], Mem.base(Gpr.R12, 8 * i));
            else if (locs.xmms[i] != null) asm.movsLoad(false, locs.xmms[i], Mem.base(Gpr.R12, 8 * i));
        }
        if (locs.retArea != null) asm.lea(8, locs.retArea, Mem.base(Gpr.RSP, locs.stackBytes));
        asm.call(Gpr.RBX);
        int nr = sig.returns.size();
        for (int i = 0; i < nr; i++) {
            int r = locs.retRegs[i];
            if (r >= 0 && Abi.isXmmReg(r)) {
                asm.movsStore(false, Mem.base(Gpr.R12, 8 * i), Abi.xmm(r));
            } else if (r >= 0) {
                asm.store(8, Mem.base(Gpr.R12, 8 * i), Gpr.fromEnc(r));
            } else {
                asm.load(8, Gpr.R11, Mem.base(Gpr.RSP, locs.stackBytes + locs.retOffsets[i]));
                asm.store(8, Mem.base(Gpr.R12, 8 * i), Gpr.R11);
            }
        }
        asm.movImm32(Gpr.RAX, EntryStatus.OK);
        asm.jmp(unwind, false);
        if (out > 0) {
            buf.bind(overflow);
            asm.storeImm(8, vm(VmctxLayout.TRAP_CODE), dev.patchbay.codegen.ir.TrapCode.STACK_OVERFLOW.code());
            asm.lea(8, Gpr.R11, Mem.rip(overflow, 0));
            asm.jmp(trapStubLabel, false);
        }
        endRows(UnwindRange.Kind.ENTRY_TRAMPOLINE, "patchbay:entry_trampoline", at);
        return at;
    }
}
