/*
 * The enabled cost of instrumentation profiling (issue 6), measured on the whole site: the
 * patched-in call, the preserve_all hook trampoline and the hook. A guest loop calls a
 * tiny leaf function 1,000 times per operation; the score is per leaf call. Each leaf call
 * passes one profile-entry and one profile-exit site.
 *
 *   off             profile sites idle (5-byte NOPs): the baseline
 *   countingHook    entry and exit sites on, calling the default counting hook (one locked
 *                   add): the cost of call + trampoline alone, near enough
 *   profilerCount   Profiler with timing off: only entry sites on, native call counter
 *   profilerTimed   Profiler with timing on (the default): entry and exit sites, call
 *                   counter, rdtsc shadow stack, total and self time
 *
 * Per hook hit = (mode - off) / hits per call (2 for countingHook and profilerTimed, 1
 * for profilerCount).
 *
 * floats=true adds a function that uses an XMM register to the module (never called), so
 * its hook trampolines save and restore the sixteen XMM registers and MXCSR around the hook
 * (invariant 7): the difference to floats=false is that extra cost per hit.
 *
 *   java -jar benchmarks/target/benchmarks.jar ProfilerBenchmark
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.profiler.Profiler;
import dev.patchbay.profiler.ProfilerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xss8m"})
public class ProfilerBenchmark {
    static final int CALLS = 1000;

    static final String CLIF = String.join("\n",
        "function %leaf(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 1",
        "    return v1",
        "}",
        "function %outer(i64) -> i64 {",
        "    fn0 = colocated %leaf(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = call fn0(v3)",
        "    v5 = iadd_imm v2, 1",
        "    v6 = icmp ult v5, v0",
        "    brif v6, block1(v5, v4), block2",
        "block2:",
        "    return v4",
        "}");

    @Param({"off", "countingHook", "profilerCount", "profilerTimed"})
    public String mode;

    @Param({"false", "true"})
    public boolean floats;

    static final String FLOAT_FUNCTION = String.join("\n",
        "function %half(f64) -> f64 {",
        "block0(v0: f64):",
        "    v1 = f64const 0x1.0p-1",
        "    v2 = fmul v0, v1",
        "    return v2",
        "}");

    private Engine engine;
    private Store store;
    private Profiler profiler;
    private Func outer;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        CompiledModule cm = Compiler.compile(ClifParser.parse("profile.clif", floats ? CLIF + "\n" + FLOAT_FUNCTION : CLIF).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT)).build());
        engine = new Engine();
        store = new Store(engine);
        Instance inst = store.instantiate(engine.load(cm));
        outer = inst.func("outer");
        switch (mode) {
            case "off":
                break;
            case "countingHook":
                store.request(SitePlan.on()).await(Duration.ofSeconds(5));
                break;
            case "profilerCount":
                profiler = Profiler.attach(store, new ProfilerConfig().timing(false));
                profiler.enable().await(Duration.ofSeconds(5));
                break;
            case "profilerTimed":
                profiler = Profiler.attach(store);
                profiler.enable().await(Duration.ofSeconds(5));
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (profiler != null) {
            long calls = profiler.snapshot().function("leaf").calls();
            if (calls == 0) throw new IllegalStateException("the profiler counted nothing");
            profiler.close();
        }
        store.close();
        engine.close();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long leafCall() {
        return outer.call(CALLS)[0];
    }
}
