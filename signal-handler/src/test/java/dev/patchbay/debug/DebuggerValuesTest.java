/*
 * Values at a stop against the interpreter: a breakpoint on every line of a program with
 * arithmetic, a call, a loop with block parameters and a constant; at each stop every value
 * the debugger says is available must equal the interpreter's value of it just before the
 * same instruction in the same execution order, and what is not live is labelled
 * "optimized out", never shown.
 */
package dev.patchbay.debug;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.interp.Interpreter;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.machinst.CompiledModule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DebuggerValuesTest {
    static final String MIX = String.join("\n",
        "function %mix(i64, i64) -> i64 {",
        "    fn0 = %sq(i32) -> i32",
        "block0(v0: i64, v1: i64):",
        "    v2 = iadd v0, v1",
        "    v3 = imul v2, v0",
        "    v12 = ireduce.i32 v3",
        "    v4 = call fn0(v12)",
        "    v13 = sextend.i64 v4",
        "    v5 = isub v13, v1",
        "    jump block1(v5, v0)",
        "block1(v6: i64, v7: i64):",
        "    v8 = iadd_imm v6, 3",
        "    v9 = iadd_imm v7, -1",
        "    v10 = icmp_imm sgt v9, 0",
        "    brif v10, block1(v8, v9), block2",
        "block2:",
        "    v11 = bxor v8, v2",
        "    return v11",
        "}",
        "function %sq(i32) -> i32 {",
        "block0(v0: i32):",
        "    v1 = imul v0, v0",
        "    v2 = iconst.i32 -5",
        "    v3 = iadd v1, v2",
        "    return v3",
        "}", "");

    /** The frame's values with every iconst's value filled in. */
    private static long[] constants(List<Function> fns, String fn, long[] vals) {
        long[] out = vals.clone();
        for (Function f : fns) {
            if (!f.name.equals(fn)) continue;
            for (int v = 0; v < f.numValues(); v++) {
                var d = f.valueDefInst(v);
                if (d != null && d.op == dev.patchbay.codegen.ir.Opcode.ICONST) out[v] = d.imm;
            }
        }
        return out;
    }

    private static long low(long v, int bits) { return bits >= 64 ? v : v << (64 - bits) >> (64 - bits); }

    @Test
    void valuesAtEveryStopMatchTheInterpreters() {
        List<Function> fns = ClifParser.parse("mix.clif", MIX).functions();
        CompiledModule cm = Compiler.compile(fns, CompileOptions.builder().plan(InstrumentationPlan.all()).build());
        long a = 7, b = -3;
        // Value numbers by function and CLIF name (the numbers are the parser's, not the names').
        Map<String, Integer> number = new HashMap<>();
        for (Function f : fns) for (int v = 0; v < f.numValues(); v++) number.put(f.name + ":" + f.valueName(v), v);
        // The interpreter's values before each instruction with a location, in execution order.
        Map<String, List<long[]>> interp = new HashMap<>();
        new Interpreter(ClifParser.parse("mix.clif", MIX).functions()).setObserver((fn, inst, vals) -> {
            if (inst.loc.isKnown()) interp.computeIfAbsent(fn.name + ":" + inst.loc.line + ":" + inst.loc.col, k -> new ArrayList<>()).add(vals.clone());
        }).call("mix", a, b);
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(cm));
            Debugger dbg = store.debugger();
            BreakpointEdit edit = dbg.edit();
            int lines = MIX.split("\n").length;
            for (int line = 1; line <= lines; line++) {
                try {
                    edit.add(Location.line(line));
                } catch (IllegalArgumentException e) {
                    fail(e);
                }
            }
            // Lines past the last instruction have nowhere to slide: only the ones that resolve.
            edit = dbg.edit();
            for (int line = 1; line <= 25; line++) edit.add(Location.line(line));
            List<Breakpoint> set = edit.apply();
            assertFalse(set.isEmpty());
            Map<String, Integer> seenCount = new HashMap<>();
            List<String> mismatches = new ArrayList<>();
            int[] compared = new int[2];
            dbg.onStop(e -> {
                StackFrame top = e.frames().get(0);
                String key = top.function() + ":" + top.line() + ":" + top.column();
                int k = seenCount.merge(key, 1, Integer::sum) - 1;
                List<long[]> runs = interp.get(key);
                if (runs == null || k >= runs.size()) {
                    mismatches.add(key + ": the interpreter never ran this location " + (k + 1) + " times");
                    return DebugAction.CONTINUE;
                }
                long[] runValues = runs.get(k);
                for (Variable v : e.variables(0)) {
                    long[] want = runValues;
                    int n = number.get(top.function() + ":" + v.name());
                    if (!v.available()) {
                        compared[1]++;
                        assertEquals("optimized out", v.where());
                        continue;
                    }
                    compared[0]++;
                    // A constant is shown wherever its function runs, before its iconst too.
                    if (v.where().equals("constant")) want = constants(fns, top.function(), want);
                    if (low(want[n], v.bits()) != low(v.value(), v.bits())) {
                        mismatches.add(key + " run " + k + ": " + v + " (" + v.where() + ") but the interpreter has " + low(want[n], v.bits()));
                    }
                }
                return DebugAction.CONTINUE;
            });
            long r = inst.func("mix").call(a, b)[0];
            assertEquals(new Interpreter(ClifParser.parse("mix.clif", MIX).functions()).call("mix", a, b)[0], r);
            assertEquals(List.of(), mismatches);
            assertTrue(compared[0] >= 20, "values were compared: " + compared[0]);
            assertTrue(compared[1] > 0, "some values are not live somewhere and say so");
            System.out.println("values compared with the interpreter: " + compared[0] + ", optimized out: " + compared[1]);
        }
    }
}
