/*
 * Invariant 7 (preserve_all at sites) for the hook trampolines, the profile kinds' cheaper
 * lahf/seto flag saving included: call a module's trampoline from generated code with every
 * GPR set to a distinct pattern and the arithmetic flags set to several patterns, then check
 * that every register and every arithmetic flag came back unchanged, with the default
 * counting hook and with the profiler's hooks installed.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.isa.x64.AluOp;
import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.isa.x64.Gpr;
import dev.patchbay.codegen.isa.x64.Mem;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TrampolineStateTest {
    /** Registers the harness sets and checks (RSP is the stack, R15 the vmctx). */
    static final Gpr[] CHECKED = {
        Gpr.RAX, Gpr.RCX, Gpr.RDX, Gpr.RBX, Gpr.RBP, Gpr.RSI, Gpr.RDI,
        Gpr.R8, Gpr.R9, Gpr.R10, Gpr.R11, Gpr.R12, Gpr.R13, Gpr.R14,
    };
    static final Gpr[] CALLEE_SAVED = {Gpr.RBX, Gpr.RBP, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};
    /** CF PF AF ZF SF OF. */
    static final long ARITH_FLAGS = 0x8D5;
    static final long[] FLAG_PATTERNS = {0x2, 0x2 | 0x8D5, 0x2 | 0x1 | 0x10 | 0x80, 0x2 | 0x4 | 0x40 | 0x800, 0x2 | 0x800, 0x2 | 0x40};

    static long pattern(int i) { return 0x1111_0000_0000_0000L * (i + 1) + 0x0101_0101L * (i + 3); }

    /**
     * harness(vmctx, trampoline, out, flags): sets the pattern registers and the flags, calls
     * the trampoline, writes the registers to out[0..13] and the flags to out[14].
     */
    static byte[] harness() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        for (Gpr g : CALLEE_SAVED) a.push(g);
        a.mov(8, Gpr.R15, Gpr.RDI);
        a.push(Gpr.RDX); // out
        a.push(Gpr.RSI); // trampoline
        a.push(Gpr.RCX);
        a.popfq();
        for (int i = 0; i < CHECKED.length; i++) a.movImm(CHECKED[i], pattern(i)); // mov imm leaves flags alone
        a.call(Mem.base(Gpr.RSP, 0));
        a.pushfq();
        a.push(Gpr.RAX);
        a.load(8, Gpr.RAX, Mem.base(Gpr.RSP, 24));
        for (int i = 1; i < CHECKED.length; i++) a.store(8, Mem.base(Gpr.RAX, 8 * i), CHECKED[i]);
        a.load(8, Gpr.RCX, Mem.base(Gpr.RSP, 0));
        a.store(8, Mem.base(Gpr.RAX, 0), Gpr.RCX);
        a.load(8, Gpr.RCX, Mem.base(Gpr.RSP, 8));
        a.store(8, Mem.base(Gpr.RAX, 8 * CHECKED.length), Gpr.RCX);
        a.aluImm(AluOp.ADD, 8, Gpr.RSP, 32);
        for (int i = CALLEE_SAVED.length - 1; i >= 0; i--) a.pop(CALLEE_SAVED[i]);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    @Test
    void trampolinesPreserveEveryRegisterAndTheFlags() {
        try (Engine engine = new Engine(); Store store = new Store(engine); CodeMemory code = CodeMemory.allocate(4096, "harness")) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            code.write(0, harness());
            long out = Native.calloc(CHECKED.length + 1, 8);
            try {
                for (SiteKind k : new SiteKind[] {SiteKind.EPOCH, SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT}) {
                    check(store, inst, code, out, k, "counting hook");
                }
                try (Profiler p = Profiler.attach(store)) {
                    check(store, inst, code, out, SiteKind.PROFILE_ENTRY, "profiler entry hook");
                    check(store, inst, code, out, SiteKind.PROFILE_EXIT, "profiler exit hook");
                }
                try (Profiler p = Profiler.attach(store, new ProfilerConfig().timing(false))) {
                    check(store, inst, code, out, SiteKind.PROFILE_ENTRY, "profiler counting hook");
                }
            } finally {
                Native.free(out);
            }
        }
    }

    private static void check(Store store, Instance inst, CodeMemory code, long out, SiteKind kind, String what) {
        long tramp = RuntimeInternals.codeAddress(inst) + inst.module().compiled().hookTrampolines.get(kind);
        for (long flags : FLAG_PATTERNS) {
            long hits = store.hookHits(kind);
            Native.setMemory(out, 8L * (CHECKED.length + 1), (byte) 0);
            Native.call(code.execAddress(0), RuntimeInternals.vmctxAddress(store), tramp, out, flags);
            for (int i = 0; i < CHECKED.length; i++) {
                assertEquals(pattern(i), Native.getLong(out + 8L * i), kind + " trampoline with the " + what + " keeps " + CHECKED[i]);
            }
            long after = Native.getLong(out + 8L * CHECKED.length);
            assertEquals(flags & ARITH_FLAGS, after & ARITH_FLAGS,
                kind + " trampoline with the " + what + " keeps flags 0x" + Long.toHexString(flags) + ", got 0x" + Long.toHexString(after));
            assertEquals(0, after & 0x400, "DF stays clear");
            if (what.equals("counting hook")) assertEquals(hits + 1, store.hookHits(kind), "the hook ran");
        }
    }
}
