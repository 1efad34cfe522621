/*
 * The host/guest crossing costs (issue 3) as a quick harness, side by side in one
 * process: each figure is the median over batches. JMH's CallBenchmark measures the same
 * operations with full warm-up and error bars; this suite is what `patchbay bench`
 * prints in seconds.
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

public final class CallsSuite {
    private CallsSuite() {}

    public static Map<String, Object> run(boolean quick, PrintStream progress) {
        int batches = quick ? 21 : 61;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "calls");
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = new Linker().define("host_nop", (c, a) -> 0)
                .instantiate(store, engine.load(Compiler.compile(ClifParser.parse("call.clif", CallBenchmark.CLIF).functions(),
                    CompileOptions.defaults())));
            Func empty = inst.func("empty"), loop = inst.func("loop");
            progress.println("calls: host -> guest...");
            long[] h2g = new long[batches];
            for (int b = -5; b < batches; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 20_000; i++) empty.call();
                if (b >= 0) h2g[b] = (System.nanoTime() - t0) / 20;
            }
            progress.println("calls: guest -> host...");
            long[] g2h = new long[batches];
            for (int b = -5; b < batches; b++) {
                long t0 = System.nanoTime();
                loop.call(20_000);
                if (b >= 0) g2h[b] = (System.nanoTime() - t0) / 20;
            }
            progress.println("calls: Store creation with a 64 KiB module...");
            Module big = engine.load(CallBenchmark.module64k());
            long[] create = new long[batches];
            for (int b = -5; b < batches; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    try (Store s = new Store(engine)) {
                        s.instantiate(big);
                    }
                }
                if (b >= 0) create[b] = (System.nanoTime() - t0) / 20;
            }
            out.put("host_to_guest_ns", new Stats(h2g).median() / 1000.0);
            out.put("guest_to_host_ns", new Stats(g2h).median() / 1000.0);
            out.put("store_create_64k_us", new Stats(create).median() / 1000.0);
            out.put("module_bytes", big.compiled().codeSize());
        }
        return out;
    }
}
