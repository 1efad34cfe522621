/*
 * Process-wide machine code the runtime needs outside any module: the SIGTRAP handler,
 * the safepoint stub it redirects to, and native counting hooks. No Java runs in signal
 * context (DESIGN.md invariant 3), so the handler is generated here like everything else.
 *
 * SIGTRAP handler, a C function handler(sig, info, ucontext):
 *   1. Only a kernel-raised trap (si_code == SI_KERNEL, i.e. an int3) can be ours.
 *   2. The candidate site is RIP - 1. Under the registry's seqlock, binary-search the
 *      regions for the one containing it, then that region's sorted site offsets.
 *   3. If it is a registered site and its first byte is 0xCC: push the site address on
 *      the guest stack as a return address and set RIP to the safepoint stub, so that
 *      when the stub returns, the thread re-executes the site in its new form. The guest
 *      keeps no data below RSP (invariant 6), so the push clobbers nothing.
 *   4. Anything else chains to the action that was installed before ours: SIG_IGN
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
 * exit under a hypervisor. A non-zero upcall status means "unwind": the runtime has set
 * the trap code, and the stub jumps to the Store's trap stub with the site as the
 * trapping PC.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.vm.LinuxSignalLayout;
import dev.patchbay.codegen.vm.SiteRegistryLayout;
import dev.patchbay.codegen.vm.VmctxLayout;

import static dev.patchbay.codegen.vm.LinuxSignalLayout.*;

/**
 * Generates the process-wide machine code the runtime needs outside any module: the SIGTRAP
 * handler, the safepoint stub it redirects to, the registry writer and the counting hooks. No Java
 * runs in signal context.
 */
public final class RuntimeStubs {
    private RuntimeStubs() {}

    private static Mem m(Gpr base, int disp) { return Mem.base(base, disp); }

    /** A native hook that counts hits per site kind in the vmctx and returns 0. */
    public static byte[] countingHook(int kindOrdinal) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.lockAluImm(AluOp.ADD, 8, m(Gpr.RDI, VmctxLayout.hookCount(kindOrdinal)), 1);
        a.zero(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

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

    /** The safepoint stub calling upcall(vmctx, site, guestFp, 0) -> status. */
    public static byte[] safepointStub(long upcall) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Gpr vm = Abi.VMCTX;
        a.pushfq();
        a.push(Gpr.RBP);
        a.mov(8, Gpr.RBP, Gpr.RSP);
        for (Gpr g : SAFEPOINT_SAVED) a.push(g);
        // A due interrupt unwinds here, with no upcall: Java bookkeeping after the unwind.
        Label unwind = buf.newLabel(), interrupt = buf.newLabel(), upcallPath = buf.newLabel();
        a.load(8, Gpr.RAX, m(vm, VmctxLayout.INTERRUPT_CALL));
        a.test(8, Gpr.RAX, Gpr.RAX);
        a.jcc(Cond.E, upcallPath, true);
        a.alu(AluOp.CMP, 8, Gpr.RAX, m(vm, VmctxLayout.ACTIVE_CALL));
        a.jcc(Cond.E, interrupt, false);
        buf.bind(upcallPath);
        a.aluImm(AluOp.AND, 8, Gpr.RSP, -16);
        a.load(8, Gpr.RAX, m(Gpr.RBP, 0));
        a.store(8, m(vm, VmctxLayout.LAST_EXIT_FP), Gpr.RAX);
        a.load(8, Gpr.RAX, m(Gpr.RBP, 16));
        a.store(8, m(vm, VmctxLayout.LAST_EXIT_PC), Gpr.RAX);
        a.mov(8, Gpr.RDI, vm);
        a.load(8, Gpr.RSI, m(Gpr.RBP, 16));
        a.load(8, Gpr.RDX, m(Gpr.RBP, 0));
        a.zero(Gpr.RCX);
        a.movImm(Gpr.RAX, upcall);
        a.call(Gpr.RAX);
        a.storeImm(8, m(vm, VmctxLayout.LAST_EXIT_FP), 0);
        a.test(4, Gpr.RAX, Gpr.RAX);
        a.jcc(Cond.NE, unwind, true);
        a.lea(8, Gpr.RSP, m(Gpr.RBP, -8 * SAFEPOINT_SAVED.length));
        for (int i = SAFEPOINT_SAVED.length - 1; i >= 0; i--) a.pop(SAFEPOINT_SAVED[i]);
        a.pop(Gpr.RBP);
        a.popfq();
        a.ret();
        buf.bind(interrupt);
        a.storeImm(8, m(vm, VmctxLayout.TRAP_CODE), TrapCode.INTERRUPT.code());
        buf.bind(unwind);
        a.load(8, Gpr.R11, m(Gpr.RBP, 16));
        a.load(8, Gpr.RBP, m(Gpr.RBP, 0));
        a.jmp(m(vm, VmctxLayout.TRAP_STUB));
        buf.finish();
        return buf.bytes();
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
    public static byte[] sigtrapHandler(long registry, long oldAction, long safepoint) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label sites = buf.newLabel(), siteLeft = buf.newLabel(), siteRight = buf.newLabel(), ours = buf.newLabel(),
            chain = buf.newLabel(), done = buf.newLabel();
        Gpr site = Gpr.RBX, info = Gpr.R13, uc = Gpr.R14;
        int e = SiteRegistryLayout.ENTRIES;

        handlerPrologue(a, registry);
        a.aluImm(AluOp.CMP, 4, m(info, SI_CODE), SI_KERNEL);
        a.jcc(Cond.NE, chain, false);
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
        a.jcc(Cond.AE, chain, false);
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

        chainAndReturn(a, buf, oldAction, chain, done);
        buf.finish();
        return buf.bytes();
    }

    /**
     * The SIGSEGV/SIGBUS handler. A fault whose PC lies in a registered Patchbay region is a
     * guest memory fault (HotSpot never runs code there): generated code keeps the vmctx in
     * R15, so the handler checks its magic, records heap_oob, and resumes the thread in the
     * Store's trap stub with the faulting PC in R11, as an explicit trap would. Every other
     * fault (HotSpot's implicit null checks, its guard pages, real crashes) chains to the
     * previous action.
     */
    public static byte[] sigsegvHandler(long registry, long oldAction) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label guest = buf.newLabel(), chain = buf.newLabel(), done = buf.newLabel();
        Gpr pc = Gpr.RBX, uc = Gpr.R14;
        handlerPrologue(a, registry);
        a.load(8, pc, m(uc, UC_RIP));
        regionSearch(a, buf, pc, chain, retry -> {
            a.alu(AluOp.CMP, 8, SEQ, m(REG, SiteRegistryLayout.SEQ));
            a.jcc(Cond.NE, retry, false);
            a.jmp(guest, false);
        });
        buf.bind(guest);
        a.load(8, Gpr.RAX, m(uc, greg(REG_R15)));
        a.movImm(Gpr.RCX, VmctxLayout.MAGIC_VALUE);
        a.alu(AluOp.CMP, 8, Gpr.RCX, m(Gpr.RAX, VmctxLayout.MAGIC));
        a.jcc(Cond.NE, chain, false);
        a.storeImm(8, m(Gpr.RAX, VmctxLayout.TRAP_CODE), dev.patchbay.codegen.ir.TrapCode.HEAP_OUT_OF_BOUNDS.code());
        a.store(8, m(uc, greg(REG_R11)), pc);
        a.load(8, Gpr.RCX, m(Gpr.RAX, VmctxLayout.TRAP_STUB));
        a.store(8, m(uc, UC_RIP), Gpr.RCX);
        a.jmp(done, false);
        chainAndReturn(a, buf, oldAction, chain, done);
        buf.finish();
        return buf.bytes();
    }

    static {
        if (LinuxSignalLayout.UC_RIP != 168) throw new AssertionError();
    }
}
