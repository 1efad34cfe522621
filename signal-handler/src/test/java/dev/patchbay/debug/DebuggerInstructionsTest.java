/*
 * Breakpoints by machine instruction and stepping one instruction at a time, checked
 * against the disassembler: breakpoints on a RIP-relative lea, on a conditional branch
 * and on a fused epoch site (off and on) resume with exact results; an offset that is not
 * an instruction start fails the edit naming the nearest starts; and a walk by
 * STEP_INSTRUCTION through a loop and through a call visits, from each instruction, the
 * one the disassembly says comes next (the fall-through, or a branch's target, or the
 * callee's first instruction, or the return address).
 */
package dev.patchbay.debug;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.patchbay.debug.DebuggerTest.CALLS;
import static dev.patchbay.debug.DebuggerTest.JUMP_BACK;
import static dev.patchbay.debug.DebuggerTest.RIP;
import static dev.patchbay.debug.DebuggerTest.SPIN;
import static dev.patchbay.debug.DebuggerTest.assertPristine;
import static dev.patchbay.debug.DebuggerTest.compile;
import static dev.patchbay.debug.DebuggerTest.sum;
import static org.junit.jupiter.api.Assertions.*;

class DebuggerInstructionsTest {
    @BeforeAll
    static void needsObjdump() {
        Assumptions.assumeTrue(Disassembler.objdumpAvailable(), "objdump is not on the PATH");
    }

    /** A function's instructions as objdump decodes them, by offset from the function's start. */
    static Map<Integer, Disassembler.Line> disasm(CompiledModule cm, String fn) {
        FunctionInfo f = cm.function(fn);
        Map<Integer, Disassembler.Line> out = new LinkedHashMap<>();
        for (Disassembler.Line l : Disassembler.objdump(Arrays.copyOfRange(cm.code(), f.start, f.codeEnd), 0)) out.put(l.offset, l);
        return out;
    }

    static int first(Map<Integer, Disassembler.Line> d, Predicate<String> text) {
        for (Disassembler.Line l : d.values()) if (text.test(l.text)) return l.offset;
        throw new AssertionError("no such instruction in " + d.values().stream().map(l -> l.offset + ": " + l.text).toList());
    }

    static String mnemonic(Disassembler.Line l) { return l.text.split(" ")[0]; }

    /** A branch's target as objdump prints it ("jb 0x1c"), relative to the function. */
    static int target(Disassembler.Line l) { return Integer.parseInt(l.text.substring(l.text.indexOf("0x") + 2).trim(), 16); }

    @Test
    void aBreakpointOnARipRelativeInstructionResumesCorrectly() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("rip.clif", RIP, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            int lea = first(disasm(cm, "rip"), t -> t.startsWith("lea") && t.contains("rip"));
            Breakpoint bp = store.debugger().edit().add(new InstructionLocation("rip", lea)).apply().get(0);
            assertEquals(lea, bp.machineOffset());
            assertEquals(new InstructionLocation("rip", lea), bp.requestedInstruction());
            assertNull(bp.requested());
            assertEquals(10, bp.line(), "the lea is the func_addr's code");
            for (long x : new long[] {0, 5, -9, 1L << 40}) assertEquals(x + 7, inst.func("rip").call(x)[0]);
            assertEquals(4, bp.hits());
            store.debugger().edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void aBreakpointOnAConditionalBranchResumesCorrectly() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("spin.clif", SPIN, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            int jcc = first(disasm(cm, "spin"), t -> t.startsWith("j") && !t.startsWith("jmp"));
            List<Integer> at = new ArrayList<>();
            store.debugger().onStop(e -> {
                at.add(e.frames().get(0).offset());
                return DebugAction.CONTINUE;
            });
            Breakpoint bp = store.debugger().edit().add(new InstructionLocation("spin", jcc)).apply().get(0);
            assertEquals(sum(300), inst.func("spin").call(300)[0]);
            assertEquals(300, bp.hits(), "the loop's branch runs once per iteration");
            assertEquals(300, at.size());
            assertTrue(at.stream().allMatch(o -> o == jcc));
            store.debugger().edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void aBreakpointOnAFusedEpochSiteResumesCorrectlyAndStepsToItsTarget() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("sum.clif", JUMP_BACK, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            FunctionInfo f = cm.function("sum");
            PatchSite site = cm.patchSites.stream().filter(s -> s.kind == SiteKind.EPOCH && s.functionIndex == f.index).findFirst().orElseThrow();
            int off = site.offset - f.start;
            Disassembler.Line jmp = disasm(cm, "sum").get(off);
            assertEquals("jmp", mnemonic(jmp), "the fused site is the back edge's jump: " + jmp.text);
            Debugger dbg = store.debugger();
            List<Integer> stops = new ArrayList<>();
            boolean[] stepOnce = {true};
            dbg.onStop(e -> {
                stops.add(e.frames().get(0).offset());
                if (stepOnce[0] && e.reason() == StopEvent.Reason.BREAKPOINT) {
                    stepOnce[0] = false;
                    return DebugAction.STEP_INSTRUCTION;
                }
                return DebugAction.CONTINUE;
            });
            Breakpoint bp = dbg.edit().add(new InstructionLocation("sum", off)).apply().get(0);
            assertEquals(sum(50), inst.func("sum").call(50)[0]);
            assertEquals(50, bp.hits());
            assertEquals(off, stops.get(0));
            assertEquals(target(jmp), stops.get(1), "one instruction after the jump is its target");
            assertEquals(51, stops.size(), "50 breakpoint stops and the one step");
            // The site on: the breakpoint holds it, and the on form still runs its hook.
            store.request(SitePlan.on().kind(SiteKind.EPOCH)).await(Duration.ofSeconds(5));
            long before = store.hookHits(SiteKind.EPOCH);
            assertEquals(sum(50), inst.func("sum").call(50)[0]);
            assertEquals(100, bp.hits());
            assertTrue(store.hookHits(SiteKind.EPOCH) - before >= 50);
            store.request(SitePlan.off().kind(SiteKind.EPOCH)).await(Duration.ofSeconds(5));
            dbg.edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void anOffsetThatIsNotAnInstructionStartFailsTheEditNamingTheNearest() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("spin.clif", SPIN, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            Map<Integer, Disassembler.Line> d = disasm(cm, "spin");
            Disassembler.Line wide = d.values().stream().filter(l -> l.bytes.length >= 3).findFirst().orElseThrow();
            int next = wide.offset + wide.bytes.length;
            Debugger dbg = store.debugger();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dbg.edit().add(Location.line(6)).add(new InstructionLocation("spin", wide.offset + 1)).apply());
            assertTrue(e.getMessage().contains("not the start of an instruction"), e.getMessage());
            assertTrue(e.getMessage().contains("+0x" + Integer.toHexString(wide.offset) + " and +0x" + Integer.toHexString(next)), e.getMessage());
            FunctionInfo f = cm.function("spin");
            e = assertThrows(IllegalArgumentException.class, () -> dbg.edit().add(new InstructionLocation("spin", f.codeEnd - f.start)).apply());
            assertTrue(e.getMessage().contains("past the instructions"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dbg.edit().add(new InstructionLocation("nope", 0)).apply());
            assertTrue(e.getMessage().contains("no function %nope"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new InstructionLocation("spin", -1));
            assertTrue(dbg.breakpoints().isEmpty(), "a failed edit changes nothing");
            assertPristine(inst);
        }
    }

    /** Checks that each step went where the disassembly says the instruction goes. */
    static void assertStepsFollowTheDisassembly(List<String> steps, Map<String, Map<Integer, Disassembler.Line>> code, Map<String, Integer> returns) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            String[] a = steps.get(i).split("\\+"), b = steps.get(i + 1).split("\\+");
            int ao = Integer.parseInt(a[1]), bo = Integer.parseInt(b[1]);
            Disassembler.Line l = code.get(a[0]).get(ao);
            assertNotNull(l, steps.get(i) + " is an instruction start of the disassembly");
            assertNotNull(code.get(b[0]).get(bo), steps.get(i + 1) + " is an instruction start of the disassembly");
            String m = mnemonic(l), why = "step " + i + ": " + steps.get(i) + " `" + l.text + "` -> " + steps.get(i + 1);
            int fall = ao + l.bytes.length;
            if (m.equals("jmp")) {
                assertEquals(a[0] + "+" + target(l), steps.get(i + 1), why);
            } else if (m.startsWith("j")) {
                assertTrue(steps.get(i + 1).equals(a[0] + "+" + fall) || steps.get(i + 1).equals(a[0] + "+" + target(l)), why);
            } else if (m.equals("call")) {
                assertEquals(0, bo, why + ": into the callee's first instruction");
                assertNotEquals(a[0], b[0], why);
            } else if (m.equals("ret")) {
                assertEquals(returns.get(b[0]), bo, why + ": to the return address");
            } else {
                assertEquals(a[0] + "+" + fall, steps.get(i + 1), why);
            }
        }
    }

    @Test
    void steppingInstructionByInstructionThroughALoopAgreesWithTheDisassembly() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("spin.clif", SPIN, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            List<String> steps = new ArrayList<>();
            store.debugger().onStop(e -> {
                StackFrame top = e.frames().get(0);
                steps.add(top.function() + "+" + top.offset());
                assertTrue(steps.size() == 1 || e.reason() == StopEvent.Reason.STEP);
                return DebugAction.STEP_INSTRUCTION;
            });
            store.debugger().edit().add(new InstructionLocation("spin", 0)).apply();
            assertEquals(sum(4), inst.func("spin").call(4)[0], "stepped through, the result is exact");
            Map<Integer, Disassembler.Line> d = disasm(cm, "spin");
            assertStepsFollowTheDisassembly(steps, Map.of("spin", d), Map.of());
            assertEquals("ret", mnemonic(d.get(Integer.parseInt(steps.get(steps.size() - 1).split("\\+")[1]))), "the walk ends at the return: " + steps);
            int jcc = first(d, t -> t.startsWith("j") && !t.startsWith("jmp"));
            assertEquals(4, steps.stream().filter(s -> s.equals("spin+" + jcc)).count(), "the loop's branch, once per iteration: " + steps);
            assertTrue(steps.size() > 4 * 4, "every instruction of every iteration: " + steps);
            store.debugger().edit().removeAll().apply();
            assertPristine(inst);
        }
    }

    @Test
    void anInstructionStepFromAPauseStopsAtTheNextInstruction() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("spin.clif", SPIN, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            Map<Integer, Disassembler.Line> d = disasm(cm, "spin");
            List<String> seen = new ArrayList<>();
            store.debugger().onStop(e -> {
                StackFrame top = e.frames().get(0);
                seen.add(e.reason() + " " + top.offset());
                return e.reason() == StopEvent.Reason.PAUSE ? DebugAction.STEP_INSTRUCTION : DebugAction.INTERRUPT;
            });
            java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    outcome.set(inst.func("spin").call(Long.MAX_VALUE)[0]);
                } catch (dev.patchbay.Trap t) {
                    outcome.set(t);
                }
            }, "guest");
            guest.start();
            Thread.sleep(50);
            store.debugger().pause();
            guest.join(10_000);
            assertFalse(guest.isAlive());
            assertEquals(dev.patchbay.codegen.ir.TrapCode.INTERRUPT, ((dev.patchbay.Trap) outcome.get()).code(), "not a debug trap: " + outcome.get());
            assertEquals(2, seen.size(), seen.toString());
            int paused = Integer.parseInt(seen.get(0).split(" ")[1]), stepped = Integer.parseInt(seen.get(1).split(" ")[1]);
            assertTrue(seen.get(1).startsWith("STEP "), seen.toString());
            Disassembler.Line at = d.get(paused);
            assertNotNull(at, "the pause is at an instruction start");
            assertTrue(stepped == paused + at.bytes.length || (mnemonic(at).startsWith("j") && stepped == target(at)),
                "one instruction after `" + at.text + "` at " + paused + ": " + stepped);
            assertPristine(inst);
        }
    }

    @Test
    void steppingInstructionsIntoACallAndBackOut() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            CompiledModule cm = compile("calls.clif", CALLS, EpochMode.FUSED);
            Instance inst = store.instantiate(engine.load(cm));
            Map<Integer, Disassembler.Line> main = disasm(cm, "main"), inc = disasm(cm, "inc");
            int call = first(main, t -> t.startsWith("call"));
            int ret = call + main.get(call).bytes.length;
            List<String> steps = new ArrayList<>();
            List<Integer> depth = new ArrayList<>();
            store.debugger().onStop(e -> {
                StackFrame top = e.frames().get(0);
                steps.add(top.function() + "+" + top.offset());
                depth.add(e.frames().size());
                return top.function().equals("main") && top.offset() > call ? DebugAction.CONTINUE : DebugAction.STEP_INSTRUCTION;
            });
            store.debugger().edit().add(new InstructionLocation("main", call)).apply();
            assertEquals((5 + 11) * 3, inst.func("main").call(5)[0]);
            assertEquals("main+" + call, steps.get(0));
            assertEquals("inc+0", steps.get(1), "one instruction after the call: the callee's first");
            assertEquals(2, depth.get(1));
            assertEquals("main+" + ret, steps.get(steps.size() - 1), "back at the return address: " + steps);
            assertStepsFollowTheDisassembly(steps, Map.of("main", main, "inc", inc), Map.of("main", ret));
            // In the callee's prologue and at its ret, RBP is still (again) main's: the
            // backtrace still has both frames, found through the frame rows.
            for (int i = 0; i < steps.size(); i++) {
                assertEquals(steps.get(i).startsWith("inc") ? 2 : 1, depth.get(i), "frames at " + steps.get(i) + ": " + steps);
            }
            store.debugger().edit().removeAll().apply();
            assertPristine(inst);
        }
    }
}
