/*
 * Invariant 7 for floats: a site clobbers no XMM register and not MXCSR. A guest holds
 * fourteen f64 values (every allocatable XMM register) across a loop whose back edge is
 * a fused epoch site and across its profile entry and exit sites, and returns them; they
 * must come back bit-exact while
 *  - deadline callbacks and safepoint listeners run Java float code (the epoch hook
 *    trampoline, the safepoint stub after a forced site's int3),
 *  - the profile sites are on and their hook is generated code that overwrites all
 *    sixteen XMM registers and sets MXCSR to round toward zero (a guest division after
 *    the sites would round differently if MXCSR leaked),
 * and a harness that calls each hook trampoline directly with all sixteen XMM registers
 * and MXCSR set to patterns gets every one of them back with that hook.
 * Without the saves in the hook trampolines and the safepoint stub these fail.
 */
package dev.patchbay.epoch;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.EpochTicker;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.isa.x64.AluOp;
import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.isa.x64.Gpr;
import dev.patchbay.codegen.isa.x64.Mem;
import dev.patchbay.codegen.isa.x64.Xmm;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XmmAcrossSitesTest {
    static final int N = 14;

    /** %hold(n, x1..x14): loops n times, then returns x1..x14 and 1.0 / 10.0 (rounding-sensitive). */
    static String holdClif() {
        StringBuilder sig = new StringBuilder("i64"), rets = new StringBuilder(), params = new StringBuilder("v0: i64"),
            vals = new StringBuilder();
        for (int i = 1; i <= N; i++) {
            sig.append(", f64");
            rets.append("f64, ");
            params.append(", v").append(i).append(": f64");
            vals.append("v").append(i).append(", ");
        }
        return "function %hold(" + sig + ") -> " + rets + "f64 {\n"
            + "block0(" + params + "):\n"
            + "    jump block1(v0)\n"
            + "block1(v20: i64):\n"
            + "    v21 = iadd_imm v20, -1\n"
            + "    brif v21, block1(v21), block2\n"
            + "block2:\n"
            + "    v22 = f64const 0x1.0\n"
            + "    v23 = f64const 0x1.4p3\n"
            + "    v24 = fdiv v22, v23\n"
            + "    return " + vals + "v24\n"
            + "}\n";
    }

    static long pattern(int i) { return 0x3FF0_0000_0000_0000L + 0x0001_2345_6789_ABCDL * (i + 1); }

    static long[] args(long n) {
        long[] a = new long[N + 1];
        a[0] = n;
        for (int i = 1; i <= N; i++) a[i] = pattern(i);
        return a;
    }

    static void checkResults(long[] got, String what) {
        assertEquals(N + 1, got.length);
        for (int i = 1; i <= N; i++) assertEquals(pattern(i), got[i - 1], what + ": x" + i + " bit-exact");
        assertEquals(Double.doubleToRawLongBits(1.0 / 10.0), got[N], what + ": 1/10 rounded to nearest (MXCSR kept)");
    }

    /** Java float work that HotSpot compiles to XMM code: what a callback on the guest's thread may do. */
    static volatile double sink;

    static void javaFloatWork() {
        double s = 0;
        for (int i = 1; i < 2000; i++) s += Math.sqrt(i) / (i + 0.5) * Math.sin(i);
        sink = s;
    }

    @Test
    void deadlineCallbacksAndSafepointListenersRunningJavaFloatCodeClobberNothing() {
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1));
             Store store = new Store(engine)) {
            Instance inst = store.instantiate(Module.fromClif(engine, "hold.clif", holdClif()));
            AtomicInteger deadlines = new AtomicInteger(), safepoints = new AtomicInteger();
            store.onEpochDeadline(s -> {
                deadlines.incrementAndGet();
                javaFloatWork();
                return EpochDecision.continueFor(1);
            });
            store.addSafepointListener(at -> {
                safepoints.incrementAndGet();
                javaFloatWork();
            });
            store.setEpochDeadline(1);
            long t0 = System.nanoTime();
            long n = 50_000_000L;
            int calls = 0;
            while (deadlines.get() < 5 && System.nanoTime() - t0 < 20_000_000_000L) {
                checkResults(inst.func("hold").call(args(n)), "after " + deadlines.get() + " deadline callbacks");
                calls++;
            }
            assertTrue(deadlines.get() >= 5, "deadline callbacks ran: " + deadlines.get() + " in " + calls + " calls");
            assertTrue(safepoints.get() >= 1, "safepoint listeners ran: " + safepoints.get());
        }
    }

    /**
     * hook(vmctx, ret, fp) -> 0 that overwrites every XMM register and sets MXCSR to round
     * toward zero, as a careless native hook (or a Java upcall) may.
     */
    static byte[] clobberingHook() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.movImm(Gpr.RAX, 0x7FF4_DEAD_BEEF_0001L);
        for (Xmm x : Xmm.values()) a.movToXmm(8, x, Gpr.RAX);
        a.pushImm32(0x1F80 | 0x6000);
        a.ldmxcsr(Mem.base(Gpr.RSP, 0));
        a.aluImm(AluOp.ADD, 8, Gpr.RSP, 8);
        a.zero(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    @Test
    void profileHooksThatClobberEveryXmmRegisterAndMxcsrChangeNoResult() {
        try (Engine engine = new Engine(new EngineConfig().profiling(true));
             Store store = new Store(engine);
             CodeMemory hook = CodeMemory.allocate(4096, "clobbering hook")) {
            hook.write(0, clobberingHook());
            Module module = Module.fromClif(engine, "hold.clif", holdClif());
            Instance inst = store.instantiate(module);
            assertTrue(module.compiled().patchSites.stream().anyMatch(ps -> ps.kind == SiteKind.PROFILE_ENTRY), "has profile sites");
            RuntimeInternals.setHook(store, SiteKind.PROFILE_ENTRY, hook.execAddress(0));
            RuntimeInternals.setHook(store, SiteKind.PROFILE_EXIT, hook.execAddress(0));
            store.request(SitePlan.on()).toCompletableFuture().join();
            for (int i = 0; i < 3; i++) checkResults(inst.func("hold").call(args(1000)), "profile sites on, clobbering hook");
        }
    }

    /**
     * harness(vmctx, trampoline, out): sets xmm0..15 to patterns and MXCSR to 0x1F80 with
     * the flush-to-zero bit (a value no hook sets), calls the trampoline, and writes the
     * sixteen registers to out[0..15] and MXCSR to out[16].
     */
    static byte[] harness() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.push(Gpr.RBX);
        a.push(Gpr.R15);
        a.push(Gpr.R12);
        a.mov(8, Gpr.R15, Gpr.RDI);
        a.mov(8, Gpr.R12, Gpr.RDX);
        a.mov(8, Gpr.RBX, Gpr.RSI);
        for (Xmm x : Xmm.values()) {
            a.movImm(Gpr.RAX, pattern(x.enc()));
            a.movToXmm(8, x, Gpr.RAX);
        }
        a.pushImm32(0x1F80 | 0x8000);
        a.ldmxcsr(Mem.base(Gpr.RSP, 0));
        a.call(Gpr.RBX);
        a.stmxcsr(Mem.base(Gpr.RSP, 0));
        a.load(4, Gpr.RAX, Mem.base(Gpr.RSP, 0));
        a.store(8, Mem.base(Gpr.R12, 8 * 16), Gpr.RAX);
        for (Xmm x : Xmm.values()) a.movsStore(false, Mem.base(Gpr.R12, 8 * x.enc()), x);
        // Leave the caller's MXCSR as the ABI expects it.
        a.storeImm(4, Mem.base(Gpr.RSP, 0), 0x1F80);
        a.ldmxcsr(Mem.base(Gpr.RSP, 0));
        a.aluImm(AluOp.ADD, 8, Gpr.RSP, 8);
        a.pop(Gpr.R12);
        a.pop(Gpr.R15);
        a.pop(Gpr.RBX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    @Test
    void everyHookTrampolineOfAFloatModuleKeepsAllSixteenXmmRegistersAndMxcsr() {
        try (Engine engine = new Engine(new EngineConfig().profiling(true));
             Store store = new Store(engine);
             CodeMemory code = CodeMemory.allocate(4096, "harness and hook")) {
            code.write(0, harness());
            byte[] hook = clobberingHook();
            code.write(2048, hook);
            Instance inst = store.instantiate(Module.fromClif(engine, "hold.clif", holdClif()));
            long out = Native.calloc(17, 8);
            try {
                for (SiteKind k : new SiteKind[] {SiteKind.EPOCH, SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT}) {
                    RuntimeInternals.setHook(store, k, code.execAddress(2048));
                    long tramp = RuntimeInternals.codeAddress(inst) + inst.module().compiled().hookTrampolines.get(k);
                    Native.setMemory(out, 17 * 8, (byte) 0);
                    Native.call(code.execAddress(0), RuntimeInternals.vmctxAddress(store), tramp, out);
                    for (Xmm x : Xmm.values()) {
                        assertEquals(pattern(x.enc()), Native.getLong(out + 8L * x.enc()), k + " trampoline keeps " + x);
                    }
                    assertEquals(0x1F80 | 0x8000, Native.getLong(out + 8 * 16), k + " trampoline keeps MXCSR");
                }
            } finally {
                Native.free(out);
            }
        }
    }
}
