/*
 * `patchbay bench --suite peers`: the same .wasm files (WasmKernels) in Wasmtime 7
 * (io.github.kawamuray.wasmtime:wasmtime-java 0.19.0, which bundles it for linux x86-64),
 * in Chicory 1.7.5 with its bytecode compiler, and in Patchbay (OptLevel.SPEED, with and
 * without its fused epoch sites), all in this process and in one run.
 *
 * How it measures, on a noisy 2-core machine:
 *  - every runtime runs every kernel in the same round, in an order that rotates from
 *    round to round, so drift hits all of them alike; each ratio is taken within a round
 *    and the table gives the median ratio with its quartiles;
 *  - "wasmtime again" is a second, separate Wasmtime instance of the same module: the A/A
 *    control, whose distance from 1.000 is the noise floor of every other ratio;
 *  - the idle cost of interruptibility is Wasmtime with epochInterruption(true) and a
 *    deadline that is never reached, against the same without it, in the same rounds, and
 *    Patchbay's idle fused sites against Patchbay without sites;
 *  - interrupt latency (PeerInterrupts): a guest in an infinite loop (runaway.wat) is
 *    stopped from another thread, in a fresh JVM, on a fresh Store and on a warm one, 2,
 *    20 and 100 ms into the call: Patchbay by Store.interrupt() and by incrementEpoch()
 *    with a deadline of 1, Wasmtime by incrementEpoch() with a deadline of 1, Chicory by
 *    Thread.interrupt(); the time is from the request to the exception on the guest's
 *    thread.
 * Every timed call's result is checked against the kernel's Java reference.
 */
package dev.patchbay.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.github.kawamuray.wasmtime.Config;
import io.github.kawamuray.wasmtime.Func;
import io.github.kawamuray.wasmtime.WasmFunctions;
import io.github.kawamuray.wasmtime.WasmValType;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Patchbay, Wasmtime and Chicory on the same Wasm kernels, side by side. */
public final class PeersSuite {
    private PeersSuite() {}

    static final String PATCHBAY = "patchbay", PATCHBAY_NONE = "patchbay-none";

    /** A loaded kernel: calls its `kernel` export. */
    interface Loaded extends AutoCloseable {
        long call(long arg);

        @Override void close();
    }

    /** A runtime under test: its column name and how it loads a module. */
    record Runtime(String name, String description, java.util.function.Function<byte[], Loaded> loader) {}

    static Loaded wasmtime(byte[] wasm, boolean epoch) {
        Config config = new Config();
        if (epoch) config.epochInterruption(true);
        io.github.kawamuray.wasmtime.Engine engine = new io.github.kawamuray.wasmtime.Engine(config);
        io.github.kawamuray.wasmtime.Store<Void> store = new io.github.kawamuray.wasmtime.Store<>(null, engine);
        // Relative to the engine's epoch, which nothing increments: never reached.
        if (epoch) store.setEpochDeadline(Long.MAX_VALUE / 4);
        io.github.kawamuray.wasmtime.Module module = new io.github.kawamuray.wasmtime.Module(engine, wasm);
        io.github.kawamuray.wasmtime.Instance instance = new io.github.kawamuray.wasmtime.Instance(store, module, List.of());
        Func f = instance.getFunc(store, "kernel").orElseThrow(() -> new IllegalStateException("no export kernel"));
        WasmFunctions.Function1<Long, Long> fn = WasmFunctions.func(store, f, WasmValType.I64, WasmValType.I64);
        return new Loaded() {
            @Override public long call(long arg) { return fn.call(arg); }

            @Override public void close() {
                f.close();
                instance.close();
                module.close();
                store.close();
                engine.close();
                config.close();
            }
        };
    }

    static Loaded chicory(byte[] wasm) {
        WasmModule module = Parser.parse(wasm);
        com.dylibso.chicory.runtime.Instance instance = com.dylibso.chicory.runtime.Instance.builder(module)
            .withMachineFactory(MachineFactoryCompiler.compile(module)).build();
        ExportFunction f = instance.export("kernel");
        return new Loaded() {
            @Override public long call(long arg) { return f.apply(arg)[0]; }

            @Override public void close() {}
        };
    }

    /**
     * Patchbay, its code compiled at OptLevel.SPEED (Wasmtime's Cranelift runs its optimizer
     * too): with epoch interruption on (fused sites, idle: no deadline is set and nothing
     * interrupts), or with no sites at all. Loop headers are aligned to 32 bytes, as in the
     * epoch suite: the fused sites' rel32 branches make the code a few bytes longer, and
     * without alignment that alone moved the sieve's inner loop across a 64-byte line and
     * measured as a 1.45x "idle cost" on an AMD EPYC.
     */
    static Loaded patchbay(byte[] wasm, boolean epoch) {
        dev.patchbay.EngineConfig config = new dev.patchbay.EngineConfig().optLevel(dev.patchbay.codegen.OptLevel.SPEED).loopAlign(32);
        if (epoch) config.epochInterruption(true);
        dev.patchbay.Engine engine = new dev.patchbay.Engine(config);
        dev.patchbay.Store store = new dev.patchbay.Store(engine);
        dev.patchbay.WasmFunction f;
        try {
            dev.patchbay.Module module = dev.patchbay.Module.fromWasm(engine, wasm);
            f = dev.patchbay.WasmInstance.instantiate(store, module, new dev.patchbay.WasmLinker()).function("kernel");
        } catch (RuntimeException e) {
            store.close();
            engine.close();
            throw e;
        }
        return new Loaded() {
            @Override public long call(long arg) { return f.call(arg)[0]; }

            @Override public void close() {
                store.close();
                engine.close();
            }
        };
    }

    static List<Runtime> runtimes() {
        List<Runtime> rs = new ArrayList<>();
        rs.add(new Runtime("wasmtime", "Wasmtime 7 (Cranelift), no interruption", w -> wasmtime(w, false)));
        rs.add(new Runtime(PATCHBAY_NONE, "Patchbay, no sites (no interruption)", w -> patchbay(w, false)));
        rs.add(new Runtime(PATCHBAY, "Patchbay, fused epoch sites, idle (interruptible)", w -> patchbay(w, true)));
        rs.add(new Runtime("wasmtime-again", "the same, a second instance (A/A control)", w -> wasmtime(w, false)));
        rs.add(new Runtime("wasmtime-epoch", "Wasmtime 7, epochInterruption(true), deadline never reached", w -> wasmtime(w, true)));
        rs.add(new Runtime("chicory", "Chicory 1.7.5, compiled to JVM bytecode", PeersSuite::chicory));
        return rs;
    }

    /**
     * Runs the suite.
     *
     * @param quick fewer rounds and smaller arguments
     * @param progress where progress lines go
     * @return the results, in the shape the CLI prints and writes as JSON
     */
    public static Map<String, Object> run(boolean quick, PrintStream progress) {
        List<Runtime> runtimes = runtimes();
        int rounds = quick ? 5 : 15;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "peers");
        out.put("machine", Machine.describe());
        out.put("rounds", rounds);
        Map<String, Object> columns = new LinkedHashMap<>();
        for (Runtime r : runtimes) columns.put(r.name(), r.description());
        out.put("runtimes", columns);
        List<Object> kernels = new ArrayList<>();
        Map<String, List<Double>> logRatios = new LinkedHashMap<>();
        for (WasmKernels.Kernel k : WasmKernels.ALL) {
            long arg = quick ? k.quickArg() : k.fullArg();
            long expect = k.reference().applyAsLong(arg);
            progress.println("peers: " + k.name() + "(" + arg + ")");
            List<Loaded> loaded = new ArrayList<>();
            try {
                for (Runtime r : runtimes) loaded.add(r.loader().apply(k.wasm()));
                // Warm-up: JITs (Chicory's output runs on HotSpot) and caches.
                for (int w = 0; w < (quick ? 2 : 4); w++) for (Loaded l : loaded) check(k, l.call(arg), expect);
                long[][] ns = new long[runtimes.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int i = 0; i < runtimes.size(); i++) {
                        int idx = (i + round) % runtimes.size();
                        long t0 = System.nanoTime();
                        long got = loaded.get(idx).call(arg);
                        ns[idx][round] = System.nanoTime() - t0;
                        check(k, got, expect);
                    }
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", k.name());
                entry.put("arg", arg);
                Map<String, Object> per = new LinkedHashMap<>();
                for (int i = 0; i < runtimes.size(); i++) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("median_ns", new Stats(ns[i]).median());
                    if (i > 0) {
                        double[] ratio = EpochSuite.pairedRatios(ns[i], ns[0]);
                        double med = EpochSuite.quantile(ratio, 0.5);
                        m.put("over_wasmtime", med);
                        m.put("p25", EpochSuite.quantile(ratio, 0.25));
                        m.put("p75", EpochSuite.quantile(ratio, 0.75));
                        logRatios.computeIfAbsent(runtimes.get(i).name(), x -> new ArrayList<>()).add(Math.log(med));
                    }
                    per.put(runtimes.get(i).name(), m);
                }
                int none = names(runtimes).indexOf(PATCHBAY_NONE), fused = names(runtimes).indexOf(PATCHBAY);
                double[] idle = EpochSuite.pairedRatios(ns[fused], ns[none]);
                Map<String, Object> idleCost = new LinkedHashMap<>();
                idleCost.put("over_patchbay_none", EpochSuite.quantile(idle, 0.5));
                idleCost.put("idle_p25", EpochSuite.quantile(idle, 0.25));
                idleCost.put("idle_p75", EpochSuite.quantile(idle, 0.75));
                ((Map<String, Object>) per.get(PATCHBAY)).putAll(idleCost);
                logRatios.computeIfAbsent(PATCHBAY + "/" + PATCHBAY_NONE, x -> new ArrayList<>()).add(Math.log(EpochSuite.quantile(idle, 0.5)));
                entry.put("runtimes", per);
                kernels.add(entry);
            } finally {
                for (Loaded l : loaded) l.close();
            }
        }
        out.put("kernels", kernels);
        Map<String, Object> geomean = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : logRatios.entrySet()) {
            double s = 0;
            for (double v : e.getValue()) s += v;
            geomean.put(e.getKey(), Math.exp(s / e.getValue().size()));
        }
        out.put("geomean_over_wasmtime", geomean);
        out.put("interrupt_latency_us", PeerInterrupts.measure(quick, progress));
        return out;
    }

    private static List<String> names(List<Runtime> rs) {
        List<String> n = new ArrayList<>();
        for (Runtime r : rs) n.add(r.name());
        return n;
    }

    private static void check(WasmKernels.Kernel k, long got, long expect) {
        if (got != expect) throw new IllegalStateException(k.name() + ": got " + got + ", expected " + expect);
    }

    /** Prints the result of {@link #run}. */
    @SuppressWarnings("unchecked")
    public static void print(Map<String, Object> r, PrintStream out) {
        Map<String, Object> cols = (Map<String, Object>) r.get("runtimes");
        out.println("The same .wasm in each runtime (" + r.get("machine") + "); median of " + r.get("rounds")
            + " interleaved rounds, ratio to Wasmtime in the same round [quartiles]; lower is faster");
        for (Map.Entry<String, Object> c : cols.entrySet()) out.printf("  %-15s %s%n", c.getKey(), c.getValue());
        StringBuilder head = new StringBuilder(String.format("  %-9s %12s", "kernel", "wasmtime"));
        List<String> names = new ArrayList<>(cols.keySet());
        for (String n : names.subList(1, names.size())) head.append(String.format(" %24s", n));
        out.println(head);
        for (Object o : (List<Object>) r.get("kernels")) {
            Map<String, Object> k = (Map<String, Object>) o;
            Map<String, Object> per = (Map<String, Object>) k.get("runtimes");
            StringBuilder line = new StringBuilder(String.format("  %-9s %9.2f ms", k.get("name"),
                ((Number) ((Map<String, Object>) per.get("wasmtime")).get("median_ns")).longValue() / 1e6));
            for (String n : names.subList(1, names.size())) {
                Map<String, Object> m = (Map<String, Object>) per.get(n);
                line.append(String.format(" %24s", String.format("%.3fx [%.2f, %.2f]", (Double) m.get("over_wasmtime"), (Double) m.get("p25"), (Double) m.get("p75"))));
            }
            out.println(line);
        }
        Map<String, Object> g = (Map<String, Object>) r.get("geomean_over_wasmtime");
        StringBuilder line = new StringBuilder(String.format("  %-9s %12s", "geomean", ""));
        for (String n : names.subList(1, names.size())) line.append(String.format(" %24s", String.format("%.3fx", (Double) g.get(n))));
        out.println(line);
        StringBuilder idle = new StringBuilder("Idle cost of interruptibility, the same round's ratio [quartiles]: Patchbay fused sites / no sites:");
        for (Object o : (List<Object>) r.get("kernels")) {
            Map<String, Object> k = (Map<String, Object>) o;
            Map<String, Object> m = (Map<String, Object>) ((Map<String, Object>) k.get("runtimes")).get(PATCHBAY);
            idle.append(String.format(" %s %.3fx [%.2f, %.2f],", k.get("name"), (Double) m.get("over_patchbay_none"), (Double) m.get("idle_p25"), (Double) m.get("idle_p75")));
        }
        idle.append(String.format(" geomean %.3fx", (Double) g.get(PATCHBAY + "/" + PATCHBAY_NONE)));
        out.println(idle);
        out.println(String.format("  (Wasmtime's: wasmtime-epoch / wasmtime, geomean %.3fx, in the table above)", (Double) g.get("wasmtime-epoch")));
        PeerInterrupts.print((Map<String, Object>) r.get("interrupt_latency_us"), out);
    }
}
