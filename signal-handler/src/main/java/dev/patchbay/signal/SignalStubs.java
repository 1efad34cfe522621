/*
 * The signal-handler module's machine code, process-wide and outside any guest module:
 * the SIGTRAP handler, the safepoint stub it redirects to, the SIGSEGV/SIGBUS handler
 * (see sigsegvHandler for how it tells guest faults from HotSpot's) and the registry
 * writer. No Java runs in signal context (DESIGN.md invariant 3), so these are generated
 * with codegen's assembler like every other piece of native code; they live here, not in
 * codegen, because this module owns the signals, the registries and their layouts
 * (LinuxSignalLayout, SiteRegistryLayout). Only the vmctx layout is shared with codegen.
 *
 * SIGTRAP handler, a C function handler(sig, info, ucontext):
 *   1. Only a kernel-raised trap (si_code == SI_KERNEL, i.e. an int3) can be ours.
 *   2. The candidate site is RIP - 1. Under the registry's seqlock, binary-search the
 *      regions for the one containing it, then that region's sorted site offsets.
 *   3. If it is a registered site and its first byte is 0xCC: push the site address on
 *      the guest stack as a return address and set RIP to the safepoint stub, so that
 *      when the stub returns, the thread re-executes the site in its new form. The guest
 *      keeps no data below RSP (invariant 6), so the push clobbers nothing.
 *   4. In a region but not a site, and the byte is 0xCC: the guest's own int3 (CLIF
 *      debugtrap). If R15 is a live vmctx (validated against the vmctx slabs, see
 *      liveVmctx), it becomes a `debug` Trap through the Store's trap stub, unless the
 *      vmctx's DEBUG_BREAKS is set: then it may be a debugger's breakpoint, and it goes to
 *      the safepoint stub as in 3 (the runtime tells the two apart).
 *   4b. A single-step trap (si_code TRAP_TRACE) with R15 a live vmctx: the end of a step
 *      over a breakpoint (STEP_STATE 1: write 0xCC back at STEP_WRITE), or a stray TF
 *      that a trampoline's pushfq copied; either way TF is cleared in the context.
 *   5. Anything else chains to the action that was installed before ours: SIG_IGN
 *      returns; SIG_DFL is reinstalled and the signal re-raised with tgkill, so the
 *      process dies exactly as it would have (exit 133, no hs_err); a handler is
 *      tail-called with the original (sig, info, ucontext).
 *
 * Registry publish: the writer side of the registry's seqlock, publish(registry, entries,
 * count). The window must hold no Java: Java can stop at a safepoint poll, and in
 * compiled code that poll is a SIGSEGV, which our SIGSEGV handler examines by reading the
 * registry; a reader facing an open window that can only close after the safepoint would
 * wait forever (and the safepoint waits for the reader). So Java prepares the entries
 * elsewhere and this stub, which no safepoint can stop, copies them in between the two
 * sequence bumps. x86 keeps stores in order, so plain stores suffice on this side.
 *
 * Safepoint stub: entered with the site address as its return address. It saves the
 * flags and every GPR the C ABI lets a callee clobber (plus RBX, which cpuid writes),
 * records the guest FP and PC in the vmctx, and calls the runtime's safepoint upcall
 * (vmctx, site, guest RBP). The owner rewrote code it is about to execute, through a
 * different mapping of the same pages. That is self-modifying code, which x86 cores since
 * the P6 detect by physical address (Intel SDM Vol 3A, 8.1.3), so no serialising
 * instruction is needed before the stub's `ret` to the site; cpuid would also cost a VM
 * exit under a hypervisor. The upcall runs Java, so IN_GUEST is 0 around it (see
 * VmctxLayout.IN_GUEST). A non-zero upcall status means "unwind": the runtime has set
 * the trap code, and the stub jumps to the Store's trap stub with the site as the
 * trapping PC. Around the upcall it also saves the SSE state (the sixteen XMM registers
 * and MXCSR, fxsave64 into 512 bytes of the aligned stack): guest code may hold floats
 * in any of them, and Java uses them freely. The stub is process-wide, so it saves them
 * for integer-only modules too; the cost (tens of nanoseconds) is small beside the
 * SIGTRAP and the upcall on this path, which runs only when an armed site is hit.
 * Before any of that, an interrupt aimed at the running call
 * (INTERRUPT_CALL == ACTIVE_CALL, non-zero) unwinds at once with no upcall: the stub sets
 * TRAP_CODE to INTERRUPT and STUB_INTERRUPT to 1, so the entry trampoline returns the
 * distinct EntryStatus.INTERRUPTED and the runtime knows, without inferring it, that it
 * still owes that interrupt's bookkeeping. Status STEP resumes by iretq with TF set (see
 * stepReturn). In a Store with a debugger (DEBUG_BREAKS set), the stub first copies the
 * guest's GPRs to the vmctx's SAFEPOINT_GPRS, where the debugger reads values at a stop.
 */
package dev.patchbay.signal;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.isa.x64.*;
import dev.patchbay.codegen.vm.VmctxLayout;

import static dev.patchbay.signal.LinuxSignalLayout.*;

/**
 * Generates the signal handlers, the safepoint stub and the registry writer; no Java runs in
 * signal context.
 */
final class SignalStubs {
    private SignalStubs() {}

    private static Mem m(Gpr base, int disp) { return Mem.base(base, disp); }

    /** The registry writer: publish(registry, entries, count) copies count entries inside the seqlock window. */
    public static byte[] registryPublish() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Gpr reg = Gpr.RDI, src = Gpr.RSI, count = Gpr.RDX, seq = Gpr.R8, dst = Gpr.R9, words = Gpr.RCX, tmp = Gpr.RAX;
        Label loop = buf.newLabel(), end = buf.newLabel();
        a.load(8, seq, m(reg, SiteRegistryLayout.SEQ));
        a.lea(8, tmp, m(seq, 1));
        a.store(8, m(reg, SiteRegistryLayout.SEQ), tmp);
        a.lea(8, dst, m(reg, SiteRegistryLayout.ENTRIES));
        a.mov(8, words, count);
        a.shiftImm(ShiftOp.SHL, 8, words, SiteRegistryLayout.ENTRY_SHIFT - 3);
        buf.bind(loop);
        a.test(8, words, words);
        a.jcc(Cond.E, end, true);
        a.load(8, tmp, m(src, 0));
        a.store(8, m(dst, 0), tmp);
        a.aluImm(AluOp.ADD, 8, src, 8);
        a.aluImm(AluOp.ADD, 8, dst, 8);
        a.aluImm(AluOp.SUB, 8, words, 1);
        a.jmp(loop, true);
        buf.bind(end);
        a.store(8, m(reg, SiteRegistryLayout.COUNT), count);
        a.aluImm(AluOp.ADD, 8, seq, 2);
        a.store(8, m(reg, SiteRegistryLayout.SEQ), seq);
        a.zero(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    private static final Gpr[] SAFEPOINT_SAVED = {
        Gpr.RAX, Gpr.RCX, Gpr.RDX, Gpr.RSI, Gpr.RDI, Gpr.R8, Gpr.R9, Gpr.R10, Gpr.R11,
    };

    /** Upcall status: resume at the site with the trap flag set, stepping the displaced instruction. */
    static final int STATUS_STEP = dev.patchbay.spi.SafepointHandler.STEP;

    /** The safepoint stub calling upcall(vmctx, site, guestFp, 0) -> status (0 resume, 2 step, else unwind). */
    public static byte[] safepointStub(long upcall) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Gpr vm = Abi.VMCTX;
        a.pushfq();
        a.push(Gpr.RBP);
        a.mov(8, Gpr.RBP, Gpr.RSP);
        for (Gpr g : SAFEPOINT_SAVED) a.push(g);
        // The guest's registers, for a debugger's values (VmctxLayout.SAFEPOINT_GPRS); only
        // in a Store with a debugger, so every other safepoint is as it was.
        Label noDebugger = buf.newLabel();
        a.aluImm(AluOp.CMP, 8, m(vm, VmctxLayout.DEBUG_BREAKS), 0);
        a.jcc(Cond.E, noDebugger, true);
        for (Gpr g : Gpr.values()) {
            if (g == Gpr.RSP || g == Gpr.RBP) continue;
            a.store(8, m(vm, VmctxLayout.SAFEPOINT_GPRS + 8 * g.enc()), g);
        }
        a.load(8, Gpr.RAX, m(Gpr.RBP, 0));
        a.store(8, m(vm, VmctxLayout.SAFEPOINT_GPRS + 8 * Gpr.RBP.enc()), Gpr.RAX);
        // The guest's RSP before the handler pushed the site address: above that push, the
        // pushfq and the push of RBP (a debugger unwinds a frame not set up yet from it).
        a.lea(8, Gpr.RAX, m(Gpr.RBP, 24));
        a.store(8, m(vm, VmctxLayout.SAFEPOINT_GPRS + 8 * Gpr.RSP.enc()), Gpr.RAX);
        buf.bind(noDebugger);
        // A due interrupt unwinds here, with no upcall: Java bookkeeping after the unwind.
        Label unwind = buf.newLabel(), interrupt = buf.newLabel(), upcallPath = buf.newLabel();
        a.load(8, Gpr.RAX, m(vm, VmctxLayout.INTERRUPT_CALL));
        a.test(8, Gpr.RAX, Gpr.RAX);
        a.jcc(Cond.E, upcallPath, true);
        a.alu(AluOp.CMP, 8, Gpr.RAX, m(vm, VmctxLayout.ACTIVE_CALL));
        a.jcc(Cond.E, interrupt, false);
        buf.bind(upcallPath);
        a.aluImm(AluOp.AND, 8, Gpr.RSP, -16);
        a.aluImm(AluOp.SUB, 8, Gpr.RSP, 512);
        a.fxsave64(m(Gpr.RSP, 0));
        a.load(8, Gpr.RAX, m(Gpr.RBP, 0));
        a.store(8, m(vm, VmctxLayout.LAST_EXIT_FP), Gpr.RAX);
        a.load(8, Gpr.RAX, m(Gpr.RBP, 16));
        a.store(8, m(vm, VmctxLayout.LAST_EXIT_PC), Gpr.RAX);
        a.mov(8, Gpr.RDI, vm);
        a.load(8, Gpr.RSI, m(Gpr.RBP, 16));
        a.load(8, Gpr.RDX, m(Gpr.RBP, 0));
        a.zero(Gpr.RCX);
        a.movImm(Gpr.RAX, upcall);
        // Java runs in the upcall: a fault on this thread meanwhile is HotSpot's, not the guest's.
        a.storeImm(8, m(vm, VmctxLayout.IN_GUEST), 0);
        a.call(Gpr.RAX);
        a.loadThreadPointer(Gpr.RCX);
        a.store(8, m(vm, VmctxLayout.IN_GUEST), Gpr.RCX);
        a.storeImm(8, m(vm, VmctxLayout.LAST_EXIT_FP), 0);
        Label notStep = buf.newLabel();
        a.aluImm(AluOp.CMP, 4, Gpr.RAX, STATUS_STEP);
        a.jcc(Cond.NE, notStep, true);
        // The upcall ran Java: the guest's XMM registers and MXCSR come back before the step too.
        a.fxrstor64(m(Gpr.RSP, 0));
        stepReturn(a, buf);
        buf.bind(notStep);
        a.test(4, Gpr.RAX, Gpr.RAX);
        a.jcc(Cond.NE, unwind, true);
        a.fxrstor64(m(Gpr.RSP, 0));
        a.lea(8, Gpr.RSP, m(Gpr.RBP, -8 * SAFEPOINT_SAVED.length));
        for (int i = SAFEPOINT_SAVED.length - 1; i >= 0; i--) a.pop(SAFEPOINT_SAVED[i]);
        a.pop(Gpr.RBP);
        a.popfq();
        a.ret();
        buf.bind(interrupt);
        a.storeImm(8, m(vm, VmctxLayout.TRAP_CODE), TrapCode.INTERRUPT.code());
        // Marks the unwind as this stub's own: the entry returns EntryStatus.INTERRUPTED.
        a.storeImm(8, m(vm, VmctxLayout.STUB_INTERRUPT), 1);
        buf.bind(unwind);
        a.load(8, Gpr.R11, m(Gpr.RBP, 16));
        a.load(8, Gpr.RBP, m(Gpr.RBP, 0));
        a.jmp(m(vm, VmctxLayout.TRAP_STUB));
        buf.finish();
        return buf.bytes();
    }

    /**
     * Resumes at the site with the trap flag set, to step over a breakpoint (the runtime has
     * put the displaced byte back and set STEP_STATE to 1). An iretq sets RFLAGS and RIP in
     * one instruction, so the single-step trap comes right after the displaced instruction:
     * one signal, where popfq followed by ret would trap after the ret too. Its frame is
     * built below RSP's new value, never below RSP (no red zone: a signal may arrive here).
     * Stub frame: [RBP] guest RBP, [RBP + 8] guest flags, [RBP + 16] the site, and the
     * guest's RSP at the site is RBP + 24.
     */
    private static void stepReturn(Assembler a, CodeBuffer buf) {
        int area = -8 * SAFEPOINT_SAVED.length - 40;
        a.lea(8, Gpr.RSP, m(Gpr.RBP, area));
        a.load(8, Gpr.RAX, m(Gpr.RBP, 16));
        a.store(8, m(Gpr.RSP, 0), Gpr.RAX);             // RIP: the site
        buf.putBytes(new byte[] {0x48, (byte) 0x8C, (byte) 0xC8}); // mov rax, cs
        a.store(8, m(Gpr.RSP, 8), Gpr.RAX);
        a.load(8, Gpr.RAX, m(Gpr.RBP, 8));
        a.aluImm(AluOp.OR, 8, Gpr.RAX, EFLAGS_TF);
        a.store(8, m(Gpr.RSP, 16), Gpr.RAX);            // RFLAGS with TF
        a.lea(8, Gpr.RAX, m(Gpr.RBP, 24));
        a.store(8, m(Gpr.RSP, 24), Gpr.RAX);            // RSP
        buf.putBytes(new byte[] {0x48, (byte) 0x8C, (byte) 0xD0}); // mov rax, ss
        a.store(8, m(Gpr.RSP, 32), Gpr.RAX);
        for (int i = 0; i < SAFEPOINT_SAVED.length; i++) a.load(8, SAFEPOINT_SAVED[i], m(Gpr.RBP, -8 * (i + 1)));
        a.load(8, Gpr.RBP, m(Gpr.RBP, 0));
        buf.putBytes(new byte[] {0x48, (byte) 0xCF});   // iretq
    }

    private static final Gpr[] HANDLER_SAVED = {Gpr.RBX, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};

    /** Registers the region search uses; the caller's own state lives in RBX and R12-R14. */
    private static final Gpr SEQ = Gpr.R8, LO = Gpr.R9, HI = Gpr.R10, REG = Gpr.R15;

    /**
     * Emits the seqlocked binary search of the registry (SiteRegistryLayout, base in R15)
     * for `pc`. On a hit it runs `onHit` with RCX + ENTRIES pointing at the region's entry
     * and SEQ holding the snapshot; `onHit` must re-check SEQ (jumping to `retry` if it
     * changed) before trusting what it read. A validated miss jumps to `miss`.
     */
    private static void regionSearch(Assembler a, CodeBuffer buf, Gpr pc, Label miss, java.util.function.Consumer<Label> onHit) {
        Label retry = buf.newLabel(), read = buf.newLabel(), search = buf.newLabel(), left = buf.newLabel(),
            right = buf.newLabel(), notFound = buf.newLabel();
        int e = SiteRegistryLayout.ENTRIES;
        buf.bind(retry);
        a.load(8, SEQ, m(REG, SiteRegistryLayout.SEQ));
        a.testImm(8, SEQ, 1);
        a.jcc(Cond.E, read, true);
        a.pause();
        a.jmp(retry, true);
        buf.bind(read);
        a.zero(LO);
        a.load(8, HI, m(REG, SiteRegistryLayout.COUNT));
        a.alu(AluOp.CMP, 8, HI, m(REG, SiteRegistryLayout.CAPACITY));
        a.cmov(Cond.A, 8, HI, m(REG, SiteRegistryLayout.CAPACITY));
        buf.bind(search);
        a.alu(AluOp.CMP, 8, LO, HI);
        a.jcc(Cond.AE, notFound, false);
        a.lea(8, Gpr.RAX, Mem.baseIndex(LO, HI, 1, 0));
        a.shiftImm(ShiftOp.SHR, 8, Gpr.RAX, 1);
        a.mov(8, Gpr.RCX, Gpr.RAX);
        a.shiftImm(ShiftOp.SHL, 8, Gpr.RCX, SiteRegistryLayout.ENTRY_SHIFT);
        a.alu(AluOp.ADD, 8, Gpr.RCX, REG);
        a.alu(AluOp.CMP, 8, pc, m(Gpr.RCX, e + SiteRegistryLayout.E_START));
        a.jcc(Cond.B, left, true);
        a.alu(AluOp.CMP, 8, pc, m(Gpr.RCX, e + SiteRegistryLayout.E_END));
        a.jcc(Cond.AE, right, true);
        onHit.accept(retry);
        buf.bind(left);
        a.mov(8, HI, Gpr.RAX);
        a.jmp(search, true);
        buf.bind(right);
        a.lea(8, LO, m(Gpr.RAX, 1));
        a.jmp(search, true);
        buf.bind(notFound);
        a.alu(AluOp.CMP, 8, SEQ, m(REG, SiteRegistryLayout.SEQ));
        a.jcc(Cond.NE, retry, false);
        a.jmp(miss, false);
    }

    /**
     * Emits the tail shared by both handlers: `chain` tail-calls the previous action saved
     * at `oldAction` (SIG_IGN returns; SIG_DFL is reinstalled and the signal re-raised with
     * tgkill, so the process dies as it would have), and `done` restores and returns.
     */
    private static void chainAndReturn(Assembler a, CodeBuffer buf, long oldAction, Label chain, Label done) {
        Gpr sig = Gpr.R12, info = Gpr.R13, uc = Gpr.R14;
        Label dfl = buf.newLabel();
        buf.bind(chain);
        a.movImm(Gpr.RAX, oldAction);
        a.load(8, Gpr.RCX, m(Gpr.RAX, SA_HANDLER));
        a.aluImm(AluOp.CMP, 8, Gpr.RCX, (int) SIG_IGN);
        a.jcc(Cond.E, done, false);
        a.test(8, Gpr.RCX, Gpr.RCX);
        a.jcc(Cond.E, dfl, false);
        a.mov(8, Gpr.RDI, sig);
        a.mov(8, Gpr.RSI, info);
        a.mov(8, Gpr.RDX, uc);
        for (int i = HANDLER_SAVED.length - 1; i >= 0; i--) a.pop(HANDLER_SAVED[i]);
        a.jmp(Gpr.RCX);

        buf.bind(dfl);
        a.aluImm(AluOp.SUB, 8, Gpr.RSP, KSIGACTION_SIZE);
        for (int off = 0; off < KSIGACTION_SIZE; off += 8) a.storeImm(8, m(Gpr.RSP, off), 0);
        a.movImm32(Gpr.RAX, SYS_RT_SIGACTION);
        a.mov(4, Gpr.RDI, sig);
        a.mov(8, Gpr.RSI, Gpr.RSP);
        a.zero(Gpr.RDX);
        a.movImm32(Gpr.R10, 8);
        a.syscall();
        a.aluImm(AluOp.ADD, 8, Gpr.RSP, KSIGACTION_SIZE);
        a.movImm32(Gpr.RAX, SYS_GETPID);
        a.syscall();
        a.mov(8, Gpr.R8, Gpr.RAX);
        a.movImm32(Gpr.RAX, SYS_GETTID);
        a.syscall();
        a.mov(4, Gpr.RSI, Gpr.RAX);
        a.mov(4, Gpr.RDI, Gpr.R8);
        a.mov(4, Gpr.RDX, sig);
        a.movImm32(Gpr.RAX, SYS_TGKILL);
        a.syscall();

        buf.bind(done);
        for (int i = HANDLER_SAVED.length - 1; i >= 0; i--) a.pop(HANDLER_SAVED[i]);
        a.ret();
    }

    /** Saves the callee-saved registers the handlers use and keeps (sig, info, uc) in R12-R14. */
    private static void handlerPrologue(Assembler a, long registry) {
        for (Gpr g : HANDLER_SAVED) a.push(g);
        a.mov(8, Gpr.R12, Gpr.RDI);
        a.mov(8, Gpr.R13, Gpr.RSI);
        a.mov(8, Gpr.R14, Gpr.RDX);
        a.movImm(REG, registry);
    }

    /**
     * The SIGTRAP handler. `registry` is the SiteRegistryLayout block, `oldAction` a glibc
     * struct sigaction holding the previous action (filled in when ours is installed),
     * `safepoint` the safepoint stub's address.
     */
    public static byte[] sigtrapHandler(long registry, long oldAction, long safepoint, long vmctxSlabs) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label sites = buf.newLabel(), siteLeft = buf.newLabel(), siteRight = buf.newLabel(), ours = buf.newLabel(),
            chain = buf.newLabel(), done = buf.newLabel(), notSite = buf.newLabel();
        Gpr site = Gpr.RBX, info = Gpr.R13, uc = Gpr.R14;
        int e = SiteRegistryLayout.ENTRIES;

        Label trace = buf.newLabel();
        handlerPrologue(a, registry);
        a.aluImm(AluOp.CMP, 4, m(info, SI_CODE), SI_KERNEL);
        a.jcc(Cond.NE, trace, false);
        a.load(8, site, m(uc, UC_RIP));
        a.aluImm(AluOp.SUB, 8, site, 1);
        regionSearch(a, buf, site, chain, retry -> {
            // In this region: read its site table, then validate the snapshot before using it.
            a.mov(8, Gpr.RDX, site);
            a.alu(AluOp.SUB, 8, Gpr.RDX, m(Gpr.RCX, e + SiteRegistryLayout.E_START));
            a.load(8, Gpr.RSI, m(Gpr.RCX, e + SiteRegistryLayout.E_SITES));
            a.load(8, Gpr.RDI, m(Gpr.RCX, e + SiteRegistryLayout.E_NSITES));
            a.alu(AluOp.CMP, 8, SEQ, m(REG, SiteRegistryLayout.SEQ));
            a.jcc(Cond.NE, retry, false);
            a.jmp(sites, false);
        });

        // Binary search of the site offsets (int32, sorted) at RSI[0..RDI) for EDX.
        buf.bind(sites);
        a.zero(LO);
        a.mov(8, HI, Gpr.RDI);
        Label siteLoop = buf.newLabel();
        buf.bind(siteLoop);
        a.alu(AluOp.CMP, 8, LO, HI);
        a.jcc(Cond.AE, notSite, false);
        a.lea(8, Gpr.RAX, Mem.baseIndex(LO, HI, 1, 0));
        a.shiftImm(ShiftOp.SHR, 8, Gpr.RAX, 1);
        a.alu(AluOp.CMP, 4, Gpr.RDX, Mem.baseIndex(Gpr.RSI, Gpr.RAX, 4, 0));
        a.jcc(Cond.B, siteLeft, true);
        a.jcc(Cond.A, siteRight, true);
        a.aluImm(AluOp.CMP, 1, m(site, 0), 0xCC);
        a.jcc(Cond.E, ours, true);
        a.jmp(chain, false);
        buf.bind(siteLeft);
        a.mov(8, HI, Gpr.RAX);
        a.jmp(siteLoop, true);
        buf.bind(siteRight);
        a.lea(8, LO, m(Gpr.RAX, 1));
        a.jmp(siteLoop, true);

        // Ours: make the thread "call" the safepoint stub from the site.
        buf.bind(ours);
        a.load(8, Gpr.RAX, m(uc, UC_RSP));
        a.aluImm(AluOp.SUB, 8, Gpr.RAX, 8);
        a.store(8, m(Gpr.RAX, 0), site);
        a.store(8, m(uc, UC_RSP), Gpr.RAX);
        a.movImm(Gpr.RAX, safepoint);
        a.store(8, m(uc, UC_RIP), Gpr.RAX);
        a.jmp(done, false);

        // In Patchbay code but not a site: an int3 the guest executed itself (CLIF
        // debugtrap). With no debugger to stop it (gdb would have taken the SIGTRAP before
        // us), it becomes a `debug` Trap instead of SIGTRAP's default action.
        buf.bind(notSite);
        a.aluImm(AluOp.CMP, 1, m(site, 0), 0xCC);
        a.jcc(Cond.NE, chain, false);
        a.load(8, Gpr.RDX, m(uc, greg(REG_R15)));
        a.movImm(REG, vmctxSlabs);
        Label live = buf.newLabel();
        liveVmctx(a, buf, Gpr.RDX, chain, live);
        buf.bind(live);
        // A debugger is attached: the int3 may be one of its breakpoints, which the runtime
        // tells from a debugtrap at the safepoint (and makes that a `debug` Trap itself).
        a.aluImm(AluOp.CMP, 8, m(Gpr.RDX, VmctxLayout.DEBUG_BREAKS), 0);
        a.jcc(Cond.NE, ours, false);
        redirectToTrapStub(a, Gpr.RDX, TrapCode.DEBUG, site, chain, done);

        // A single-step trap: ours only on a thread whose R15 is a live vmctx (guest code,
        // or a trampoline of it), which is where the safepoint stub's TF takes effect.
        buf.bind(trace);
        Label traceLive = buf.newLabel(), clearTf = buf.newLabel();
        a.aluImm(AluOp.CMP, 4, m(info, SI_CODE), TRAP_TRACE);
        a.jcc(Cond.NE, chain, false);
        a.load(8, Gpr.RDX, m(uc, greg(REG_R15)));
        a.movImm(REG, vmctxSlabs);
        liveVmctx(a, buf, Gpr.RDX, chain, traceLive);
        buf.bind(traceLive);
        a.load(8, Gpr.RAX, m(Gpr.RDX, VmctxLayout.STEP_STATE));
        a.aluImm(AluOp.CMP, 8, Gpr.RAX, 1);
        a.jcc(Cond.NE, clearTf, false);
        // The displaced instruction ran (wherever it went): the breakpoint is an int3 again.
        a.load(8, Gpr.RCX, m(Gpr.RDX, VmctxLayout.STEP_WRITE));
        a.storeImm(1, m(Gpr.RCX, 0), 0xCC);
        a.storeImm(8, m(Gpr.RDX, VmctxLayout.STEP_STATE), 0);
        // With no step under way this is a TF that a pushfq copied while the displaced
        // instruction ran (into a trampoline) and a popfq brought back: clear it too.
        buf.bind(clearTf);
        a.aluImm(AluOp.AND, 8, m(uc, UC_EFLAGS), ~EFLAGS_TF);
        a.jmp(done, false);

        chainAndReturn(a, buf, oldAction, chain, done);
        buf.finish();
        return buf.bytes();
    }

    /**
     * Emits the check that `cand` (a value taken from the interrupted context, so anything)
     * is the address of a live vmctx, without dereferencing it first: under the seqlock of
     * the vmctx-slab registry (base in REG), it must lie in a slab, on a VmctxLayout.SIZE
     * boundary; only then is its MAGIC read. Slabs are never unmapped (a freed vmctx goes
     * back to its slab with MAGIC cleared), so once `cand` is in a slab every field of it
     * can be read without faulting. Falls through to `live` or jumps to `miss`.
     */
    private static void liveVmctx(Assembler a, CodeBuffer buf, Gpr cand, Label miss, Label live) {
        int e = SiteRegistryLayout.ENTRIES;
        regionSearch(a, buf, cand, miss, retry -> {
            a.mov(8, Gpr.RAX, cand);
            a.alu(AluOp.SUB, 8, Gpr.RAX, m(Gpr.RCX, e + SiteRegistryLayout.E_START));
            a.alu(AluOp.CMP, 8, SEQ, m(REG, SiteRegistryLayout.SEQ));
            a.jcc(Cond.NE, retry, false);
            a.testImm(8, Gpr.RAX, VmctxLayout.SIZE - 1);
            a.jcc(Cond.NE, miss, false);
            a.movImm(Gpr.RAX, VmctxLayout.MAGIC_VALUE);
            a.alu(AluOp.CMP, 8, Gpr.RAX, m(cand, VmctxLayout.MAGIC));
            a.jcc(Cond.NE, miss, false);
            a.jmp(live, false);
        });
    }

    /**
     * Records `code` in the (validated) vmctx and resumes the thread in its Store's trap
     * stub with `pc` in R11 as the trapping PC, as an explicit trap would. The trap stub
     * trusts nothing but the vmctx: it bounds its backtrace walk and unwinds to HOST_SP.
     */
    private static void redirectToTrapStub(Assembler a, Gpr vm, TrapCode code, Gpr pc, Label chain, Label done) {
        Gpr uc = Gpr.R14;
        a.load(8, Gpr.RCX, m(vm, VmctxLayout.TRAP_STUB));
        a.test(8, Gpr.RCX, Gpr.RCX);
        a.jcc(Cond.E, chain, false);
        a.storeImm(8, m(vm, VmctxLayout.TRAP_CODE), code.code());
        a.store(8, m(uc, greg(REG_R11)), pc);
        a.store(8, m(uc, UC_RIP), Gpr.RCX);
        a.jmp(done, false);
    }

    /**
     * The SIGSEGV/SIGBUS handler (one copy per signal, each with its own saved previous
     * action). Every decision uses only memory it can read without faulting: the two
     * registries, the interrupted context, and a vmctx it has validated against the slab
     * registry (see liveVmctx). R15 is never dereferenced before that: outside our code it
     * may be anything (HotSpot keeps its thread there).
     *
     *  1. The PC lies in a registered Patchbay code region: a guest memory fault (HotSpot
     *     never runs code there; our code keeps the vmctx in R15). heap_oob, or bad_target
     *     when it is a general-protection fault on a ret or an indirect call or jump (a
     *     non-canonical target faults on the transfer itself).
     *  2. Otherwise, a kernel-raised fault (si_code > 0) on a thread inside a guest call
     *     that jumped out of our code: R15 is a live vmctx whose IN_GUEST word is this
     *     thread's own pointer (fs:[0]), and RSP lies in that call's stack, between
     *     STACK_FLOOR - GUEST_STACK_SLACK and the entry trampoline's HOST_SP. That is a
     *     call_indirect to a bad or non-executable address or a ret to a corrupted return
     *     address, provided the fault is at the very target of that transfer: [RSP] is a
     *     return address into Patchbay code (a call), or [RSP - 8] is the faulting PC (a
     *     ret). That is bad_target, with the call site (or the faulting PC after a ret) as
     *     the trapping PC. A fault in foreign code the guest reached and ran for a while,
     *     or in a signal handler that interrupted the guest, chains.
     *  3. Everything else chains to the previous action: HotSpot's implicit null checks,
     *     its guard pages, faults in a hostcall's Java (IN_GUEST is 0 while host code
     *     runs), real crashes. That path costs two registry searches of a few loads each.
     */
    public static byte[] sigsegvHandler(long registry, long oldAction, long vmctxSlabs) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label inRegion = buf.newLabel(), foreign = buf.newLabel(), chain = buf.newLabel(), done = buf.newLabel(),
            inRegionLive = buf.newLabel(), foreignLive = buf.newLabel(), heapOob = buf.newLabel(), badTransfer = buf.newLabel(),
            noRex = buf.newLabel(), modrm = buf.newLabel(), retHit = buf.newLabel(), retMiss = buf.newLabel();
        Gpr pc = Gpr.RBX, info = Gpr.R13, uc = Gpr.R14, vm = Gpr.RDX;
        handlerPrologue(a, registry);
        a.load(8, pc, m(uc, UC_RIP));
        regionSearch(a, buf, pc, foreign, retry -> {
            a.alu(AluOp.CMP, 8, SEQ, m(REG, SiteRegistryLayout.SEQ));
            a.jcc(Cond.NE, retry, false);
            a.jmp(inRegion, false);
        });

        // 1. In our code.
        buf.bind(inRegion);
        a.load(8, vm, m(uc, greg(REG_R15)));
        a.movImm(REG, vmctxSlabs);
        liveVmctx(a, buf, vm, chain, inRegionLive);
        buf.bind(inRegionLive);
        a.aluImm(AluOp.CMP, 4, m(info, SI_CODE), SI_KERNEL);
        a.jcc(Cond.NE, heapOob, false);
        // A general-protection fault: on a control transfer, its target was non-canonical.
        a.movzx(1, 4, Gpr.RAX, m(pc, 0));
        a.aluImm(AluOp.CMP, 4, Gpr.RAX, 0xC3);
        a.jcc(Cond.E, badTransfer, false);
        a.mov(4, Gpr.RCX, Gpr.RAX);
        a.aluImm(AluOp.AND, 4, Gpr.RCX, 0xF0);
        a.aluImm(AluOp.CMP, 4, Gpr.RCX, 0x40);
        a.jcc(Cond.NE, noRex, false);
        a.movzx(1, 4, Gpr.RAX, m(pc, 1));
        a.aluImm(AluOp.CMP, 4, Gpr.RAX, 0xFF);
        a.jcc(Cond.NE, heapOob, false);
        a.movzx(1, 4, Gpr.RCX, m(pc, 2));
        a.jmp(modrm, false);
        buf.bind(noRex);
        a.aluImm(AluOp.CMP, 4, Gpr.RAX, 0xFF);
        a.jcc(Cond.NE, heapOob, false);
        a.movzx(1, 4, Gpr.RCX, m(pc, 1));
        buf.bind(modrm);
        a.aluImm(AluOp.AND, 4, Gpr.RCX, 0x38);
        a.aluImm(AluOp.CMP, 4, Gpr.RCX, 0x10);       // FF /2: call r/m
        a.jcc(Cond.E, badTransfer, false);
        a.aluImm(AluOp.CMP, 4, Gpr.RCX, 0x20);       // FF /4: jmp r/m
        a.jcc(Cond.E, badTransfer, false);
        buf.bind(heapOob);
        redirectToTrapStub(a, vm, TrapCode.HEAP_OUT_OF_BOUNDS, pc, chain, done);
        buf.bind(badTransfer);
        redirectToTrapStub(a, vm, TrapCode.BAD_TARGET, pc, chain, done);

        // 2. Outside our code: only a kernel-raised fault on a thread in a guest call.
        buf.bind(foreign);
        a.aluImm(AluOp.CMP, 4, m(info, SI_CODE), 0);
        a.jcc(Cond.LE, chain, false);
        a.load(8, vm, m(uc, greg(REG_R15)));
        a.movImm(REG, vmctxSlabs);
        liveVmctx(a, buf, vm, chain, foreignLive);
        buf.bind(foreignLive);
        a.loadThreadPointer(Gpr.RAX);
        a.alu(AluOp.CMP, 8, Gpr.RAX, m(vm, VmctxLayout.IN_GUEST));
        a.jcc(Cond.NE, chain, false);
        Gpr sp = Gpr.RSI, lo = Gpr.RDI, ret = Gpr.R11;
        a.load(8, sp, m(uc, UC_RSP));
        a.alu(AluOp.CMP, 8, sp, m(vm, VmctxLayout.HOST_SP));
        a.jcc(Cond.A, chain, false);
        a.load(8, lo, m(vm, VmctxLayout.STACK_FLOOR));
        a.aluImm(AluOp.SUB, 8, lo, VmctxLayout.GUEST_STACK_SLACK);
        a.alu(AluOp.CMP, 8, sp, lo);
        a.jcc(Cond.B, chain, false);
        // RSP is in the call's stack, so [RSP] is readable: after a bad call it is the
        // return address into the caller, the best "trapping PC" there is.
        a.load(8, ret, m(sp, 0));
        a.movImm(REG, registry);
        regionSearch(a, buf, ret, retMiss, retry -> {
            a.alu(AluOp.CMP, 8, SEQ, m(REG, SiteRegistryLayout.SEQ));
            a.jcc(Cond.NE, retry, false);
            a.jmp(retHit, false);
        });
        // Not after a call: only right after a `ret` (whose popped slot, [RSP - 8], still
        // holds the target: the kernel leaves the 128 bytes below RSP alone). Anything else
        // is not the guest's own transfer, e.g. a fault in a signal handler (a profiler's
        // protected read) that interrupted this thread: chain it.
        buf.bind(retMiss);
        a.alu(AluOp.CMP, 8, pc, m(sp, -8));
        a.jcc(Cond.NE, chain, false);
        a.mov(8, ret, pc);
        buf.bind(retHit);
        redirectToTrapStub(a, vm, TrapCode.BAD_TARGET, ret, chain, done);

        chainAndReturn(a, buf, oldAction, chain, done);
        buf.finish();
        return buf.bytes();
    }

    static {
        if (LinuxSignalLayout.UC_RIP != 168) throw new AssertionError();
    }
}
