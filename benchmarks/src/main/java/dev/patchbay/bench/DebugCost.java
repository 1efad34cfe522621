/*
 * What a debugger costs, measured on the guest thread: nothing while no breakpoint is set
 * (the code is the compiler's bytes, checked here too), and per hit what a logpoint (an
 * int3, the SIGTRAP handler, one upcall, the step over the displaced instruction with two
 * single-step traps), a breakpoint whose handler continues at once, and a breakpoint whose
 * condition is never true (the same trap, plus reading the values and evaluating it) cost. Each figure
 * is the median over rounds of (time of a loop with the point set - time of the same loop
 * without it) / hits, the two runs back to back in every round, so the machine's drift
 * cancels. Run it from the shaded jar:
 *   java -cp benchmarks/target/benchmarks.jar dev.patchbay.bench.DebugCost [--rounds 15] [--hits 20000]
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.debug.Breakpoint;
import dev.patchbay.debug.BreakpointOptions;
import dev.patchbay.debug.DebugAction;
import dev.patchbay.debug.Debugger;
import dev.patchbay.debug.Location;

import java.util.Arrays;

public final class DebugCost {
    private DebugCost() {}

    /** Sum of 0..n-1; line 6 runs once per iteration. */
    static final String SPIN = String.join("\n",
        "function %spin(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = iadd v3, v2",
        "    v5 = iadd_imm v2, 1",
        "    v6 = icmp ult v5, v0",
        "    brif v6, block1(v5, v4), block2",
        "block2:",
        "    return v4",
        "}", "");

    public static void main(String[] args) {
        int rounds = 15, hits = 20_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds": rounds = Integer.parseInt(args[i + 1]); break;
                case "--hits": hits = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i] + " (--rounds N, --hits N)");
            }
        }
        CompiledModule cm = Compiler.compile(ClifParser.parse("spin.clif", SPIN).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all()).build());
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(cm));
            Func spin = inst.func("spin");
            Debugger dbg = store.debugger();
            dbg.onStop(e -> DebugAction.CONTINUE);
            System.out.println("idle: the code with a debugger and no breakpoint is the compiler's bytes: " + pristine(inst, cm));
            double[] log = new double[rounds], stop = new double[rounds], cond = new double[rounds];
            BreakpointOptions never = BreakpointOptions.builder().condition("v2 < 0 && v3 != 1").build();
            for (int warm = 0; warm < 3; warm++) {
                cost(dbg, spin, hits, true, null);
                cost(dbg, spin, hits, false, null);
                cost(dbg, spin, hits, false, never);
            }
            for (int r = 0; r < rounds; r++) {
                log[r] = cost(dbg, spin, hits, true, null);
                stop[r] = cost(dbg, spin, hits, false, null);
                cond[r] = cost(dbg, spin, hits, false, never);
            }
            System.out.printf("logpoint hit:   %.2f us (median of %d rounds of %,d hits)%n", median(log), rounds, hits);
            System.out.printf("breakpoint hit: %.2f us (a handler that continues at once)%n", median(stop));
            System.out.printf("conditional breakpoint hit: %.2f us (`%s`, never true: no stop)%n", median(cond), never.condition());
            System.out.println("after: the code is the compiler's bytes again: " + pristine(inst, cm));
        }
    }

    /** Nanoseconds per hit, over the same loop without the point. */
    static double cost(Debugger dbg, Func spin, int hits, boolean logpoint, BreakpointOptions options) {
        long t0 = System.nanoTime();
        long r0 = spin.call(hits)[0];
        long plain = System.nanoTime() - t0;
        Breakpoint b = (logpoint ? dbg.edit().addLogpoint(Location.line(6))
            : options != null ? dbg.edit().add(Location.line(6), options) : dbg.edit().add(Location.line(6))).apply().get(0);
        t0 = System.nanoTime();
        long r1 = spin.call(hits)[0];
        long with = System.nanoTime() - t0;
        dbg.edit().remove(b).apply();
        if (r0 != r1 || b.hits() != hits) throw new AssertionError("results " + r0 + " / " + r1 + ", hits " + b.hits() + " of " + hits);
        return (with - plain) / 1e3 / hits;
    }

    static boolean pristine(Instance inst, CompiledModule cm) {
        byte[] want = cm.code(), have = inst.codeBytes(0, cm.codeSize());
        for (Relocation r : cm.relocations) System.arraycopy(want, r.offset, have, r.offset, 8);
        return Arrays.equals(want, have);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
