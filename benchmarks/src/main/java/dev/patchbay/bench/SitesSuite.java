/*
 * The site-patching figures (issue 4), measured in one process:
 *
 *   request_to_applied   a guest loop runs on one thread; a controller thread (parked while
 *                        it waits, never spinning: on 2 cores a spinning controller starves
 *                        the owner) requests on and off alternately; each sample is the time
 *                        from request() to the owner having applied it at its next site
 *   ..._membarrier       the same with membarrier(PRIVATE_EXPEDITED_SYNC_CORE) after arming
 *   apply_ns_per_site    an idle Store with N sites: request(on) then request(off), each
 *                        rewriting all N sites; the figure is the median time per site
 *
 * Run it with `./patchbay bench --suite sites [--quick] [--json FILE]`.
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.PatchRequest;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.machinst.CompiledModule;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

public final class SitesSuite {
    static final String LOOP = String.join("\n",
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
        "}");

    private SitesSuite() {}

    public static Map<String, Object> run(boolean quick, PrintStream progress) throws Exception {
        int trials = quick ? 1000 : 5000;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "sites");
        progress.println("sites: request-to-applied latency, " + trials + " trials...");
        out.put("request_to_applied_us", latency(trials, false));
        progress.println("sites: request-to-applied latency with membarrier, " + trials + " trials...");
        out.put("request_to_applied_membarrier_us", latency(trials, true));
        Map<String, Object> apply = new LinkedHashMap<>();
        for (int n : new int[] {10, 1000, 100_000}) {
            progress.println("sites: apply " + n + " sites...");
            apply.put(String.valueOf(n), applyNanosPerSite(n, quick));
        }
        out.put("apply_ns_per_site", apply);
        return out;
    }

    static Map<String, Object> latency(int trials, boolean membarrier) throws Exception {
        CompiledModule cm = Compiler.compile(ClifParser.parse("loop.clif", LOOP).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.all()).build());
        long[] samples = new long[trials];
        try (Engine engine = new Engine(new EngineConfig().membarrier(membarrier))) {
            Store store = new Store(engine);
            Instance inst = store.instantiate(engine.load(cm));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    while (!stop.get()) inst.func("spin").call(50_000_000);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "bench-guest");
            guest.start();
            Thread.sleep(20);
            int warm = Math.min(200, trials);
            for (int i = -warm; i < trials; i++) {
                PatchRequest r = store.request((i & 1) == 0 ? SitePlan.on() : SitePlan.off());
                if (!r.await(Duration.ofSeconds(10))) throw new IllegalStateException("request " + i + " not applied in 10 s");
                if (i >= 0) samples[i] = r.latencyNanos();
                if (failure.get() != null) throw new IllegalStateException("guest failed", failure.get());
            }
            stop.set(true);
            guest.join();
            store.close();
        }
        Stats s = new Stats(samples);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", s.median() / 1000.0);
        m.put("p99", s.p99() / 1000.0);
        m.put("max", s.max() / 1000.0);
        m.put("trials", s.count());
        return m;
    }

    /** A module whose one function has n patchable calls to a preserve_all hook. */
    static CompiledModule manySites(int n) {
        FunctionBuilder hb = new FunctionBuilder("hook", new Signature(List.of(), List.of(), CallConv.PRESERVE_ALL));
        hb.createEntryBlock();
        hb.ret();
        Function hook = hb.finish();
        FunctionBuilder b = new FunctionBuilder("sites", Signature.of(List.of(Type.I64), List.of(Type.I64)));
        int e = b.createEntryBlock();
        int fn = b.importFunction("hook", new Signature(List.of(), List.of(), CallConv.PRESERVE_ALL), true, true);
        for (int i = 0; i < n; i++) b.call(fn);
        b.ret(b.blockParams(e)[0]);
        return Compiler.compile(List.of(hook, b.finish()), CompileOptions.builder().plan(InstrumentationPlan.NONE).build());
    }

    static double applyNanosPerSite(int n, boolean quick) {
        CompiledModule cm = manySites(n);
        int reps = quick ? 15 : 41;
        long[] samples = new long[reps];
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(cm));
            for (int i = -10; i < reps; i++) {
                long t0 = System.nanoTime();
                store.request((i & 1) == 0 ? SitePlan.on() : SitePlan.off());
                long t = System.nanoTime() - t0;
                if (i >= 0) samples[i] = t;
            }
            if (inst.func("sites").call(7)[0] != 7) throw new IllegalStateException("sites() returned a wrong value");
        }
        return Math.round(100.0 * new Stats(samples).median() / n) / 100.0;
    }
}
