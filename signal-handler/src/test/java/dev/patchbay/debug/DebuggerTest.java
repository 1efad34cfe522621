/*
 * The debugger end to end, with the real SIGTRAP handler and site controller: breakpoints
 * set on running guests from other threads, stops on the owner thread with backtraces and
 * locations, steps over RIP-relative instructions, branches and fused epoch sites that
 * leave results exact, logpoints that count exactly, set/remove storms that lose nothing,
 * stepping into, over and out of calls, and code that is byte for byte the compiler's
 * whenever no breakpoint is set.
 */
package dev.patchbay.debug;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.Relocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class DebuggerTest {
    /** sum of 0..n-1; line 6 is the loop body's first instruction. */
    static final String SPIN = String.join("\n",
        "function %spin(i64) -> i64 {",              // 1
        "block0(v0: i64):",                           // 2
        "    v1 = iconst.i64 0",                      // 3
        "    jump block1(v1, v1)",                    // 4
        "block1(v2: i64, v3: i64):",                  // 5
        "    v4 = iadd v3, v2",                       // 6
        "    v5 = iadd_imm v2, 1",                    // 7
        "    v6 = icmp ult v5, v0",                   // 8
        "    brif v6, block1(v5, v4), block2",        // 9
        "block2:",                                    // 10
        "    return v4",                              // 11
        "}", "");

    /** The same sum with the back edge an unconditional jump on its own line (13): the fused epoch site. */
    static final String JUMP_BACK = String.join("\n",
        "function %sum(i64) -> i64 {",                // 1
        "block0(v0: i64):",                           // 2
        "    v1 = iconst.i64 0",                      // 3
        "    jump block1(v1, v1)",                    // 4
        "block1(v2: i64, v3: i64):",                  // 5
        "    v6 = icmp ult v2, v0",                   // 6
        "    brif v6, block2, block3",                // 7
        "",                                           // 8
        "block2:",                                    // 9
        "    v4 = iadd v3, v2",                       // 10
        "    v5 = iadd_imm v2, 1",                    // 11
        "",                                           // 12
        "    jump block1(v5, v4)",                    // 13
        "block3:",                                    // 14
        "    return v3",                              // 15
        "}", "");

    /** Counts the i in [0, n) with i % 3 == 0; line 9 runs exactly that many times. */
    static final String THIRDS = String.join("\n",
        "function %thirds(i64) -> i64 {",             // 1
        "block0(v0: i64):",                           // 2
        "    v1 = iconst.i64 0",                      // 3
        "    jump block1(v1, v1)",                    // 4
        "block1(v2: i64, v3: i64):",                  // 5
        "    v4 = urem_imm v2, 3",                    // 6
        "    brif v4, block3(v3), block2",            // 7
        "block2:",                                    // 8
        "    v5 = iadd_imm v3, 1",                    // 9
        "    jump block3(v5)",                        // 10
        "block3(v6: i64):",                           // 11
        "    v7 = iadd_imm v2, 1",                    // 12
        "    v8 = icmp ult v7, v0",                   // 13
        "    brif v8, block1(v7, v6), block4",        // 14
        "block4:",                                    // 15
        "    return v6",                              // 16
        "}", "");

    /** A RIP-relative lea (func_addr, line 10) and a call through it. */
    static final String RIP = String.join("\n",
        "function %callee(i64) -> i64 {",             // 1
        "block0(v0: i64):",                           // 2
        "    v1 = iadd_imm v0, 7",                    // 3
        "    return v1",                              // 4
        "}",                                          // 5
        "function %rip(i64) -> i64 {",                // 6
        "    sig0 = (i64) -> i64",                    // 7
        "    fn0 = %callee(i64) -> i64",              // 8
        "block0(v0: i64):",                           // 9
        "    v1 = func_addr.i64 fn0",                 // 10
        "    v2 = call_indirect sig0, v1(v0)",        // 11
        "    return v2",                              // 12
        "}", "");

    /** main calls inc: for stepping. */
    static final String CALLS = String.join("\n",
        "function %inc(i64) -> i64 {",                // 1
        "block0(v0: i64):",                           // 2
        "    v1 = iadd_imm v0, 1",                    // 3
        "    return v1",                              // 4
        "}",                                          // 5
        "function %main(i64) -> i64 {",               // 6
        "    fn0 = %inc(i64) -> i64",                 // 7
        "block0(v0: i64):",                           // 8
        "    v1 = iadd_imm v0, 10",                   // 9
        "    v2 = call fn0(v1)",                      // 10
        "    v3 = imul_imm v2, 3",                    // 11
        "    return v3",                              // 12
        "}", "");

    static CompiledModule compile(String name, String clif, EpochMode mode) {
        return Compiler.compile(ClifParser.parse(name, clif).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).build());
    }

    static long sum(long n) { return n * (n - 1) / 2; }

    /** The Store's copy of the code equals the compiler's bytes (relocated fields aside). */
    static void assertPristine(Instance inst) {
        CompiledModule cm = inst.module().compiled();
        byte[] want = cm.code(), have = inst.codeBytes(0, cm.codeSize());
        for (Relocation r : cm.relocations) {
            for (int i = 0; i < 8; i++) have[r.offset + i] = want[r.offset + i];
        }
        assertArrayEquals(want, have, "with no breakpoint set, the code is byte for byte the compiler's");
    }

    @Test
    void aBreakpointSetFromAnotherThreadStopsATightLoop() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
            Func spin = inst.func("spin");
            Debugger dbg = store.debugger();
            AtomicReference<Thread> stoppedOn = new AtomicReference<>();
            AtomicReference<List<StackFrame>> frames = new AtomicReference<>();
            AtomicReference<Breakpoint> at = new AtomicReference<>();
            AtomicLong stoppedNanos = new AtomicLong();
            dbg.onStop(e -> {
                stoppedNanos.compareAndSet(0, System.nanoTime());
                stoppedOn.set(Thread.currentThread());
                frames.set(e.frames());
                at.set(e.breakpoint());
                return DebugAction.INTERRUPT;
            });
            AtomicReference<Object> outcome = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread guest = new Thread(() -> {
                started.countDown();
                try {
                    outcome.set(spin.call(Long.MAX_VALUE)[0]);
                } catch (Trap t) {
                    outcome.set(t);
                }
            }, "guest");
            guest.start();
            started.await();
            Thread.sleep(50);
            assertNull(outcome.get(), "the loop runs");
            long t0 = System.nanoTime();
            List<Breakpoint> set = dbg.edit().add(Location.line(6)).apply();
            guest.join(10_000);
            assertFalse(guest.isAlive(), "the breakpoint stopped the loop");
            assertTrue(outcome.get() instanceof Trap, "INTERRUPT unwinds the call: " + outcome.get());
            assertEquals(TrapCode.INTERRUPT, ((Trap) outcome.get()).code());
            assertSame(guest, stoppedOn.get(), "the handler runs on the owner thread");
            assertSame(set.get(0), at.get());
            assertEquals(6, at.get().line());
            assertEquals(1, at.get().hits());
            StackFrame top = frames.get().get(0);
            assertEquals("spin", top.function());
            assertEquals(6, top.line(), "the stop is at the breakpoint's line: " + frames.get());
            assertEquals(at.get().machineOffset(), top.offset());
            System.out.printf("breakpoint set -> owner stopped: %.1f us%n", (stoppedNanos.get() - t0) / 1e3);
            // Still set after the unwind: the next call stops there at once.
            outcome.set(null);
            Trap again = assertThrows(Trap.class, () -> spin.call(10));
            assertEquals(TrapCode.INTERRUPT, again.code());
            assertEquals(2, at.get().hits());
            dbg.edit().removeAll().apply();
            assertEquals(sum(10), spin.call(10)[0]);
            assertPristine(inst);
        }
    }

    @Test
    void continuingStepsOverTheBreakpointWithoutRemovingIt() throws Exception {
        for (EpochMode mode : List.of(EpochMode.FUSED, EpochMode.NOP, EpochMode.NONE)) {
            try (Engine engine = new Engine(); Store store = new Store(engine)) {
                Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, mode)));
                Debugger dbg = store.debugger();
                AtomicLong stops = new AtomicLong();
                dbg.onStop(e -> {
                    stops.incrementAndGet();
                    return DebugAction.CONTINUE;
                });
                Breakpoint body = dbg.edit().add(Location.line(6)).apply().get(0);
                Breakpoint branch = dbg.edit().add(Location.line("spin", 8)).apply().get(0);
                assertEquals(9, branch.line(), "the folded compare slides to the branch that uses it");
                assertEquals(sum(1000), inst.func("spin").call(1000)[0], mode.toString());
                assertEquals(1000, body.hits(), mode.toString());
                assertEquals(1000, branch.hits(), mode.toString());
                assertEquals(2000, stops.get(), mode.toString());
                dbg.edit().remove(body).remove(branch).apply();
                assertFalse(body.isSet());
                assertPristine(inst);
                assertEquals(sum(1000), inst.func("spin").call(1000)[0]);
                assertEquals(1000, body.hits(), "a removed breakpoint counts no more");
            }
        }
    }

    /** A loop that holds f64 values in XMM registers across its breakpoint. */
    static final String FLOATS = String.join("\n",
        "function %poly(i64, f64) -> f64 {",               // 1
        "block0(v0: i64, v1: f64):",                      // 2
        "    v2 = f64const 0x1.0p0",                      // 3
        "    jump block1(v0, v2, v1)",                    // 4
        "block1(v3: i64, v4: f64, v5: f64):",             // 5
        "    v6 = fmul v4, v5",                           // 6
        "    v7 = fadd v6, v1",                           // 7
        "    v8 = sqrt v7",                               // 8
        "    v9 = iadd_imm v3, -1",                       // 9
        "    brif v9, block1(v9, v8, v7), block2(v8)",    // 10
        "block2(v10: f64):",                              // 11
        "    return v10",                                 // 12
        "}", "");

    @Test
    void floatValuesLiveAcrossABreakpointStepComeBackBitExact() throws Exception {
        long x = Double.doubleToRawLongBits(1.0000001);
        long want;
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            want = store.instantiate(engine.load(compile("poly.clif", FLOATS, EpochMode.FUSED))).func("poly").call(500, x)[0];
        }
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("poly.clif", FLOATS, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            double[] sink = new double[1];
            dbg.onStop(e -> {
                // Java float work on the owner thread, in the stop handler: every XMM register
                // the JIT likes is written, and the rounding mode is the JVM's.
                double acc = 0;
                for (int i = 1; i < 200; i++) acc += Math.sqrt(i) * Math.sin(i) / (i + 0.5);
                sink[0] += acc;
                return DebugAction.CONTINUE;
            });
            Breakpoint bp = dbg.edit().add(Location.line("poly", 7)).apply().get(0);
            assertEquals(want, inst.func("poly").call(500, x)[0], "the same bits with a breakpoint stepped over 500 times");
            assertEquals(500, bp.hits());
        }
    }

    @Test
    void aBreakpointOnAFusedEpochSiteResumesCorrectlyWithTheSiteOffAndOn() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("sum.clif", JUMP_BACK, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            Debugger dbg = store.debugger();
            Breakpoint back = dbg.edit().add(Location.line(12)).apply().get(0);
            assertEquals(13, back.line(), "the blank line slides to the jump");
            FunctionInfo f = cm.function("sum");
            PatchSite site = null;
            for (PatchSite s : cm.patchSites) if (s.kind == SiteKind.EPOCH && s.offset == f.start + back.machineOffset()) site = s;
            assertNotNull(site, "the back edge's jump is the loop's fused epoch site: " + cm.patchSites + " bp at +" + back.machineOffset());
            assertEquals(sum(500), inst.func("sum").call(500)[0]);
            assertEquals(500, back.hits());
            // The site on: its form retargets the jump through the epoch stub, and the
            // breakpoint over its first byte still steps it correctly.
            store.request(dev.patchbay.SitePlan.on().kind(SiteKind.EPOCH)).await(java.time.Duration.ofSeconds(5));
            assertEquals(0xCC, inst.codeBytes(site.offset, 1)[0] & 0xFF, "a held site keeps the breakpoint's int3 over its on form");
            long before = store.hookHits(SiteKind.EPOCH);
            assertEquals(sum(500), inst.func("sum").call(500)[0]);
            assertEquals(1000, back.hits());
            assertTrue(store.hookHits(SiteKind.EPOCH) - before >= 500, "the on form's hook ran on every back edge");
            store.request(dev.patchbay.SitePlan.off().kind(SiteKind.EPOCH)).await(java.time.Duration.ofSeconds(5));
            dbg.edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void aBreakpointOnARipRelativeInstructionResumesCorrectly() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("rip.clif", RIP, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            Debugger dbg = store.debugger();
            Breakpoint lea = dbg.edit().add(Location.line(10)).apply().get(0);
            assertEquals(10, lea.line());
            int at = cm.function("rip").start + lea.machineOffset();
            byte[] insn = cm.bytesAt(at, 3);
            assertTrue((insn[0] & 0xF0) == 0x40 && (insn[1] & 0xFF) == 0x8D && (insn[2] & 0xC7) == 0x05,
                "the breakpoint is on a RIP-relative lea: " + java.util.HexFormat.of().formatHex(insn));
            for (long x : new long[] {0, 5, -9, 1L << 40}) assertEquals(x + 7, inst.func("rip").call(x)[0]);
            assertEquals(4, lea.hits());
            dbg.edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void aLogpointCountsExactlyTheRunsOfItsLocation() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("thirds.clif", THIRDS, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            AtomicLong stops = new AtomicLong();
            dbg.onStop(e -> {
                stops.incrementAndGet();
                return DebugAction.CONTINUE;
            });
            Breakpoint lp = dbg.edit().addLogpoint(Location.line(9)).apply().get(0);
            assertTrue(lp.isLogpoint());
            long expected = 0;
            for (long n : new long[] {1, 2, 3, 4, 3000, 12345}) {
                long counted = inst.func("thirds").call(n)[0];
                assertEquals((n + 2) / 3, counted);
                expected += counted;
                assertEquals(expected, lp.hits(), "n=" + n + ": the logpoint counts what the program counts");
            }
            assertEquals(0, stops.get(), "a logpoint never stops");
            dbg.edit().remove(lp).apply();
            assertPristine(inst);
        }
    }

    @Test
    void tenThousandSetRemoveCyclesOnARunningGuestLoseNoResult() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
            Func spin = inst.func("spin");
            Debugger dbg = store.debugger();
            AtomicLong stops = new AtomicLong();
            dbg.onStop(e -> {
                stops.incrementAndGet();
                return DebugAction.CONTINUE;
            });
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong calls = new AtomicLong();
            List<String> wrong = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long n = 200_000;
            CountDownLatch started = new CountDownLatch(1);
            Thread guest = new Thread(() -> {
                try {
                    started.countDown();
                    while (!done.get()) {
                        long r = spin.call(n)[0];
                        if (r != sum(n)) wrong.add("call " + calls.get() + ": " + r);
                        calls.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "guest");
            guest.start();
            started.await();
            long hits = 0;
            for (int i = 0; i < 10_000; i++) {
                BreakpointEdit e = dbg.edit();
                Breakpoint b = (i % 2 == 0 ? e.add(Location.line(6 + i % 4)) : e.addLogpoint(Location.line(6 + i % 4))).apply().get(0);
                if (i % 3 == 0) Thread.onSpinWait();
                dbg.edit().remove(b).apply();
                hits += b.hits();
            }
            done.set(true);
            guest.join(30_000);
            assertFalse(guest.isAlive());
            assertNull(failure.get());
            assertEquals(List.of(), wrong);
            assertTrue(calls.get() > 0);
            assertTrue(dbg.breakpoints().isEmpty());
            System.out.printf("10,000 set/remove cycles over %d calls; %d hits, %d stops%n", calls.get(), hits, stops.get());
            assertPristine(inst);
        }
    }

    @Test
    void stepIntoOverAndOutOfACall() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("calls.clif", CALLS, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            List<String> seen = new ArrayList<>();
            List<DebugAction> script = new ArrayList<>(List.of(DebugAction.STEP_INTO, DebugAction.STEP_OUT, DebugAction.STEP_OVER, DebugAction.CONTINUE));
            dbg.onStop(e -> {
                StackFrame top = e.frames().get(0);
                seen.add(e.reason() + " " + top.function() + ":" + top.line() + " depth " + e.frames().size());
                return script.isEmpty() ? DebugAction.CONTINUE : script.remove(0);
            });
            dbg.edit().add(Location.line(10)).apply();
            assertEquals((5 + 11) * 3, inst.func("main").call(5)[0]);
            assertEquals(List.of("BREAKPOINT main:10 depth 1", "STEP inc:3 depth 2", "STEP main:11 depth 1", "STEP main:12 depth 1"), seen);
            // Over the call: the next stop is the line after it, in the same frame.
            seen.clear();
            script.addAll(List.of(DebugAction.STEP_OVER, DebugAction.CONTINUE));
            assertEquals((1 + 11) * 3, inst.func("main").call(1)[0]);
            assertEquals(List.of("BREAKPOINT main:10 depth 1", "STEP main:11 depth 1"), seen);
            // A step still pending when the call returns is dropped with it.
            seen.clear();
            script.addAll(List.of(DebugAction.STEP_OUT));
            assertEquals((2 + 11) * 3, inst.func("main").call(2)[0]);
            assertEquals(List.of("BREAKPOINT main:10 depth 1"), seen);
            dbg.edit().removeAll().apply();
            assertPristine(inst);
            assertEquals((3 + 11) * 3, inst.func("main").call(3)[0]);
        }
    }

    @Test
    void noBreakpointMeansTheCompilersBytesAndADebugtrapIsStillADebugTrap() {
        String trap = String.join("\n", "function %t(i64) -> i64 {", "block0(v0: i64):", "    debugtrap", "    return v0", "}", "");
        try (Engine engine = new Engine(); Store plain = new Store(engine); Store debugged = new Store(engine)) {
            CompiledModule cm = compile("t.clif", trap + SPIN, EpochMode.FUSED);
            Instance a = plain.instantiate(engine.load(cm));
            Instance b = debugged.instantiate(engine.load(cm));
            debugged.debugger();
            assertPristine(a);
            assertPristine(b);
            assertEquals(TrapCode.DEBUG, assertThrows(Trap.class, () -> b.func("t").call(1)).code());
            assertEquals(TrapCode.DEBUG, assertThrows(Trap.class, () -> a.func("t").call(1)).code());
            Breakpoint bp = debugged.debugger().edit().add(Location.line("spin", 6)).apply().get(0);
            assertEquals(0xCC, b.codeBytes(cm.function("spin").start + bp.machineOffset(), 1)[0] & 0xFF);
            debugged.debugger().edit().remove(bp).apply();
            assertPristine(b);
            // A breakpoint on the debugtrap itself stops there once, then the debugtrap traps.
            AtomicLong stops = new AtomicLong();
            debugged.debugger().onStop(e -> {
                stops.incrementAndGet();
                return DebugAction.CONTINUE;
            });
            Breakpoint onTrap = debugged.debugger().edit().add(Location.line("t", 3)).apply().get(0);
            assertEquals(3, onTrap.line());
            assertEquals(TrapCode.DEBUG, assertThrows(Trap.class, () -> b.func("t").call(1)).code());
            assertEquals(1, stops.get());
            assertEquals(1, onTrap.hits());
            debugged.debugger().edit().remove(onTrap).apply();
            assertPristine(b);
            assertThrows(IllegalArgumentException.class, () -> debugged.debugger().edit().add(Location.line("spin", 999)).apply());
            assertThrows(IllegalArgumentException.class, () -> debugged.debugger().edit().add(Location.line("nope", 1)).apply());
            assertTrue(debugged.debugger().breakpoints().isEmpty(), "a failed edit changes nothing");
        }
    }

    @Test
    void pauseStopsARunningLoopAtItsNextSite() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
            Debugger dbg = store.debugger();
            AtomicReference<StopEvent.Reason> why = new AtomicReference<>();
            AtomicReference<List<StackFrame>> where = new AtomicReference<>();
            dbg.onStop(e -> {
                why.set(e.reason());
                where.set(e.frames());
                return DebugAction.INTERRUPT;
            });
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    outcome.set(inst.func("spin").call(Long.MAX_VALUE)[0]);
                } catch (Trap t) {
                    outcome.set(t);
                }
            }, "guest");
            guest.start();
            Thread.sleep(50);
            dbg.pause();
            guest.join(10_000);
            assertFalse(guest.isAlive());
            assertEquals(StopEvent.Reason.PAUSE, why.get());
            assertEquals("spin", where.get().get(0).function());
            assertEquals(9, where.get().get(0).line(), "the loop's back edge is its epoch site: " + where.get());
            assertEquals(TrapCode.INTERRUPT, ((Trap) outcome.get()).code());
            assertPristine(inst);
        }
    }

    @Test
    void aClosedStoresDebuggerRefusesUse() {
        try (Engine engine = new Engine()) {
            Store store = new Store(engine);
            Debugger dbg = store.debugger();
            store.close();
            assertThrows(IllegalStateException.class, dbg::edit);
            assertThrows(IllegalStateException.class, store::debugger);
        }
    }
}
