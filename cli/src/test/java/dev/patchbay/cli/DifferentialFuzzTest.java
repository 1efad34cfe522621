/*
 * Differential fuzzing of the backend against the reference interpreter. For each seed,
 * RandomProgram generates a module; it is compiled with Compiler.compile, run in a Store
 * on several argument sets, and interpreted; the results must be identical, or both sides
 * must trap with the same code in the same innermost function.
 *
 * Each program is also compiled once with every instrumentation plan (all site kinds,
 * epoch sites as NOP, CHECK, FUEL, POLL and FUSED): idle sites must not change any result.
 * The FUSED and NOP compilations run a second time with every site turned on
 * (SitePlan.on(), applied at once to the idle Store): a site's on form (a fused branch
 * retargeted to its stub, a NOP turned into a call of its hook) must not change a result
 * either. Each program is compiled at OptLevel.SPEED too, without sites and with fused
 * sites idle and on: the Inliner copies the helpers into their callers, and a trap must
 * still have the interpreter's code, in a frame of the interpreter's backtrace (an
 * inlined callee's trap is its caller's). The
 * instrumentation pass rewrites functions in place, so every compilation gets a freshly
 * generated module from the same seed.
 *
 * A fixed range of seeds runs in CI, well inside 30 seconds: 200, which cli/pom.xml passes
 * as patchbay.fuzz.seeds; its soak profile (-Psoak) passes 2,000 (the command is in the
 * README's Reliability section). On a mismatch the failure names the seed, the arguments,
 * both outcomes and the module's CLIF text; the seed range can be moved with
 * -Dpatchbay.fuzz.first=N -Dpatchbay.fuzz.seeds=N to search further.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.PatchRequest;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.OptLevel;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.interp.Interpreter;
import dev.patchbay.codegen.interp.InterpreterTrap;
import dev.patchbay.codegen.interp.StepLimitExceeded;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.ir.Signature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DifferentialFuzzTest {
    private static final long FIRST_SEED = Long.getLong("patchbay.fuzz.first", 1);
    private static final int SEEDS = Integer.getInteger("patchbay.fuzz.seeds", 200);
    private static final int ARG_SETS = 4;
    private static final EpochMode[] MODES = {EpochMode.NOP, EpochMode.CHECK, EpochMode.FUEL, EpochMode.POLL, EpochMode.FUSED};
    /** Modes whose sites are patched: these also run with every site on. */
    private static final EpochMode[] PATCHED_MODES = {EpochMode.NOP, EpochMode.FUSED};

    /** What a call did: its results, or the trap code and innermost function. */
    private static final class Outcome {
        final long[] results;
        final String trap;
        final String code;
        final List<String> frames;

        private Outcome(long[] results, String code, List<String> frames) {
            this.results = results;
            this.code = code;
            this.frames = frames;
            this.trap = code == null ? null : code + " in %" + (frames.isEmpty() ? "?" : frames.get(0));
        }

        static Outcome returned(long[] r) { return new Outcome(r, null, List.of()); }

        static Outcome trapped(String code, List<String> frames) {
            return new Outcome(null, code, List.copyOf(frames));
        }

        @Override public boolean equals(Object o) {
            if (!(o instanceof Outcome)) return false;
            Outcome x = (Outcome) o;
            return trap != null ? trap.equals(x.trap) : x.trap == null && Arrays.equals(results, x.results);
        }

        /**
         * The same outcome, as code with inlined calls gives it: the same results, or the same
         * trap code with a backtrace that is the interpreter's without some of its frames (an
         * inlined callee traps in its caller's frame), the outermost kept.
         */
        boolean matchesInlined(Outcome interpreted) {
            if (trap == null || interpreted.trap == null) return equals(interpreted);
            if (!code.equals(interpreted.code) || frames.isEmpty()) return false;
            if (!frames.get(frames.size() - 1).equals(interpreted.frames.get(interpreted.frames.size() - 1))) return false;
            int k = 0;
            for (String fn : interpreted.frames) if (k < frames.size() && fn.equals(frames.get(k))) k++;
            return k == frames.size();
        }

        @Override public int hashCode() { return 0; }

        @Override public String toString() { return trap != null ? "trap " + trap : Arrays.toString(results); }
    }

    private final Engine engine = new Engine();

    @Test
    void compiledCodeMatchesTheInterpreter() {
        long started = System.nanoTime();
        int calls = 0, traps = 0, compilations = 0, inlinedSeeds = 0;
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
            List<Function> reference = RandomProgram.module(seed);
            Interpreter interp = new Interpreter(reference);
            Signature sig = entry(reference).signature;
            List<long[]> argSets = RandomProgram.argSets(seed, sig, ARG_SETS);
            List<Outcome> expected = new ArrayList<>();
            for (long[] args : argSets) {
                Outcome o = interpret(interp, args);
                expected.add(o);
                if (o != null && o.trap != null) traps++;
            }
            check(seed, CompileOptions.defaults(), argSets, expected, "no instrumentation", false);
            compilations = 1;
            for (EpochMode mode : MODES) {
                CompileOptions opts = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).loopAlign(16).build();
                check(seed, opts, argSets, expected, "all sites idle, epoch " + mode.label(), false);
                compilations++;
            }
            for (EpochMode mode : PATCHED_MODES) {
                CompileOptions opts = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).loopAlign(16).build();
                check(seed, opts, argSets, expected, "all sites on, epoch " + mode.label(), true);
                compilations++;
            }
            CompileOptions speed = CompileOptions.builder().optLevel(OptLevel.SPEED).build();
            check(seed, false, speed, argSets, expected, "speed", false);
            // OptLevel.SPEED on the seed's module with small helpers, which the Inliner copies
            // into their callers (and h0, h1 into the copies of h2), against the interpreter
            // on that module.
            Interpreter small = new Interpreter(RandomProgram.module(seed, true));
            List<Outcome> smallExpected = new ArrayList<>();
            for (long[] args : argSets) smallExpected.add(interpret(small, args));
            if (Compiler.compile(RandomProgram.module(seed, true), speed).callSites.size()
                < Compiler.compile(RandomProgram.module(seed, true), CompileOptions.defaults()).callSites.size()) inlinedSeeds++;
            CompileOptions speedSites = CompileOptions.builder().optLevel(OptLevel.SPEED)
                .plan(InstrumentationPlan.all().withEpochMode(EpochMode.FUSED)).loopAlign(16).build();
            check(seed, true, speed, argSets, smallExpected, "small helpers, speed", false);
            check(seed, true, speedSites, argSets, smallExpected, "small helpers, speed, all sites idle, epoch fused", false);
            check(seed, true, speedSites, argSets, smallExpected, "small helpers, speed, all sites on, epoch fused", true);
            compilations += 4;
            calls += argSets.size();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("differential fuzz: %d seeds, %d argument sets (%d trapping) x %d compilations, %.1f s; inlining in %d of the small-helper programs%n",
            SEEDS, calls, traps, compilations, seconds, inlinedSeeds);
        // Most programs must run to the end, or the fuzzer tests little beyond traps.
        assertTrue(traps < calls / 2, traps + " of " + calls + " calls trapped");
        // And the small-helper programs must inline often (about half do: a helper with a loop
        // or a big stack slot stays a call), or the SPEED compilations test little beyond the default.
        assertTrue(inlinedSeeds > SEEDS / 3, "calls were inlined in only " + inlinedSeeds + " of " + SEEDS + " programs with small helpers");
    }

    private static Function entry(List<Function> module) {
        for (Function f : module) if (f.name.equals(RandomProgram.ENTRY)) return f;
        throw new AssertionError("no entry function");
    }

    /** The interpreter's outcome, or null when it ran out of steps (then nothing is compared). */
    private static Outcome interpret(Interpreter interp, long[] args) {
        try {
            return Outcome.returned(interp.call(RandomProgram.ENTRY, args));
        } catch (InterpreterTrap t) {
            return Outcome.trapped(t.code().clifName(), t.backtrace());
        } catch (StepLimitExceeded e) {
            return null;
        }
    }

    private void check(long seed, CompileOptions opts, List<long[]> argSets, List<Outcome> expected, String what, boolean sitesOn) {
        check(seed, false, opts, argSets, expected, what, sitesOn);
    }

    private void check(long seed, boolean smallHelpers, CompileOptions opts, List<long[]> argSets, List<Outcome> expected, String what,
                       boolean sitesOn) {
        List<Function> fresh = RandomProgram.module(seed, smallHelpers);
        Instance inst;
        Store store = new Store(engine);
        try {
            try {
                inst = store.instantiate(engine.load(Compiler.compile(fresh, opts)));
                if (sitesOn) {
                    PatchRequest r = store.request(SitePlan.on());
                    if (!r.isDone()) throw new AssertionError("an idle Store is patched at once");
                }
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " (" + what + "): compilation failed: " + e + "\n"
                    + clif(RandomProgram.module(seed, smallHelpers)), e);
            }
            for (int i = 0; i < argSets.size(); i++) {
                if (expected.get(i) == null) continue;
                long[] args = argSets.get(i);
                Outcome got;
                try {
                    got = Outcome.returned(inst.func(RandomProgram.ENTRY).call(args));
                } catch (Trap t) {
                    List<String> frames = new ArrayList<>();
                    for (GuestFrame g : t.backtrace()) frames.add(g.function());
                    got = Outcome.trapped(t.code().clifName(), frames);
                }
                boolean same = opts.optLevel() == OptLevel.SPEED ? got.matchesInlined(expected.get(i)) : got.equals(expected.get(i));
                if (!same) {
                    fail("seed " + seed + " (" + what + "): %f" + Arrays.toString(args) + "\n  interpreter: " + expected.get(i)
                        + "\n  compiled:    " + got + "\n" + clif(RandomProgram.module(seed, smallHelpers)));
                }
            }
        } finally {
            store.close();
        }
    }

    /** The module as CLIF, for failure messages (a fresh copy: the compiled one is instrumented). */
    private static String clif(List<Function> module) {
        StringBuilder sb = new StringBuilder();
        for (Function f : module) sb.append(FunctionPrinter.print(f)).append('\n');
        return sb.toString();
    }
}
