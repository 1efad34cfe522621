/*
 * The peers suite's interrupt latency: a runaway Wasm loop (runaway.wat) stopped from
 * another thread, from the request to the exception on the guest's thread, by Patchbay's
 * interrupt(), Patchbay's incrementEpoch() past a deadline of 1, Wasmtime's
 * incrementEpoch() past a deadline of 1 and Chicory's Thread.interrupt(), in three states:
 *
 *   cold JVM     the first stop in a fresh JVM, of its first Store (a child JVM per
 *                sample): what a command-line run or a just-started service sees;
 *   fresh Store  the first stop of a new Store (Chicory: instance) in a JVM that has already
 *                stopped 20 (untimed): what a server making a Store per request sees;
 *   warm Store   the same Store stopped again and again, after 20 untimed stops on it.
 *
 * A fresh Store's stop used to be slower than a warm one's mostly because the Java on
 * Patchbay's interrupt path (the request, the sites put back, the Trap) ran interpreted
 * until HotSpot had seen it thousands of times, which a Store per stop never gets to; the
 * first epoch Engine now rehearses that path in an Engine of its own (InterruptPathWarmup),
 * so it runs compiled. A cold JVM's stop adds the JIT compiler's threads competing for the
 * two cores.
 *
 * Run alone: java -cp benchmarks/target/benchmarks.jar dev.patchbay.bench.PeerInterrupts latency
 *
 * Interleaved: each repetition stops every runtime once, in an order that rotates from one
 * repetition to the next, so whatever the machine does during a repetition it does to all.
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

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Interrupt latency of Patchbay and its peers, cold, on a fresh Store and on a warm one. */
public final class PeerInterrupts {
    private PeerInterrupts() {}

    /** The stop methods, by their JSON names. */
    static final List<String> RUNTIMES = List.of("patchbay_interrupt", "patchbay_increment_epoch", "wasmtime_increment_epoch",
        "chicory_thread_interrupt");
    /** How far into the call a cold JVM's stop lands. */
    static final long COLD_DELAY_MS = 20;
    private static final String COLD_PREFIX = "COLD_US ";

    /** One runtime's runaway loop, stopped once per call of stop(). */
    interface Target extends AutoCloseable {
        /** Starts the loop on a new thread, stops it delayMs in; the request -> exception time in us. */
        double stop(long delayMs);

        @Override void close();
    }

    static Target target(String runtime, byte[] wasm, boolean warmStore) {
        return switch (runtime) {
            case "patchbay_interrupt" -> patchbay(wasm, false, warmStore);
            case "patchbay_increment_epoch" -> patchbay(wasm, true, warmStore);
            case "wasmtime_increment_epoch" -> wasmtime(wasm, warmStore);
            case "chicory_thread_interrupt" -> chicory(wasm, warmStore);
            default -> throw new IllegalArgumentException("unknown runtime " + runtime + " (known: " + RUNTIMES + ")");
        };
    }

    /** Patchbay: Store.interrupt(), or a deadline of 1 and Engine.incrementEpoch(), from this thread. */
    static Target patchbay(byte[] wasm, boolean byEpoch, boolean warmStore) {
        dev.patchbay.Engine engine = new dev.patchbay.Engine(new dev.patchbay.EngineConfig().epochInterruption(true)
            .optLevel(dev.patchbay.codegen.OptLevel.SPEED));
        dev.patchbay.Module module = dev.patchbay.Module.fromWasm(engine, wasm);
        dev.patchbay.Store warm = warmStore ? new dev.patchbay.Store(engine) : null;
        dev.patchbay.WasmFunction warmF = warmStore ? spin(warm, module) : null;
        return new Target() {
            @Override public double stop(long delayMs) {
                dev.patchbay.Store store = warmStore ? warm : new dev.patchbay.Store(engine);
                try {
                    dev.patchbay.WasmFunction f = warmStore ? warmF : spin(store, module);
                    if (byEpoch) store.setEpochDeadline(1);
                    Runnable stop = byEpoch ? engine::incrementEpoch : () -> {
                        // A call that has not started yet is not interrupted: retry until it has.
                        while (!store.interrupt()) Thread.onSpinWait();
                    };
                    return stopOnce(() -> f.call(-1L)[0], stop, delayMs);
                } finally {
                    if (!warmStore) store.close();
                }
            }

            @Override public void close() {
                if (warm != null) warm.close();
                engine.close();
            }
        };
    }

    private static dev.patchbay.WasmFunction spin(dev.patchbay.Store store, dev.patchbay.Module module) {
        return dev.patchbay.WasmInstance.instantiate(store, module, new dev.patchbay.WasmLinker()).function("spin");
    }

    /** Wasmtime: epoch interruption with a deadline of 1; incrementEpoch() from this thread. */
    static Target wasmtime(byte[] wasm, boolean warmStore) {
        Config config = new Config().epochInterruption(true);
        io.github.kawamuray.wasmtime.Engine engine = new io.github.kawamuray.wasmtime.Engine(config);
        io.github.kawamuray.wasmtime.Module module = new io.github.kawamuray.wasmtime.Module(engine, wasm);
        final class Loaded implements AutoCloseable {
            final io.github.kawamuray.wasmtime.Store<Void> store = new io.github.kawamuray.wasmtime.Store<>(null, engine);
            final io.github.kawamuray.wasmtime.Instance instance = new io.github.kawamuray.wasmtime.Instance(store, module, List.of());
            final Func f = instance.getFunc(store, "spin").orElseThrow();
            final WasmFunctions.Function1<Long, Long> fn = WasmFunctions.func(store, f, WasmValType.I64, WasmValType.I64);

            @Override public void close() {
                f.close();
                instance.close();
                store.close();
            }
        }
        Loaded warm = warmStore ? new Loaded() : null;
        return new Target() {
            @Override public double stop(long delayMs) {
                Loaded l = warmStore ? warm : new Loaded();
                try {
                    l.store.setEpochDeadline(1);
                    return stopOnce(() -> l.fn.call(-1L), engine::incrementEpoch, delayMs);
                } finally {
                    if (!warmStore) l.close();
                }
            }

            @Override public void close() {
                if (warm != null) warm.close();
                module.close();
                engine.close();
                config.close();
            }
        };
    }

    /**
     * Chicory: Thread.interrupt() of the guest's thread. The loop is bounded (it ends by
     * itself after a few seconds) in case the interrupt is not honoured, which is an error.
     */
    static Target chicory(byte[] wasm, boolean warmStore) {
        WasmModule module = Parser.parse(wasm);
        ExportFunction warm = warmStore ? chicorySpin(module) : null;
        return new Target() {
            @Override public double stop(long delayMs) {
                ExportFunction f = warmStore ? warm : chicorySpin(module);
                return stopOnce(() -> f.apply(2_000_000_000L)[0], null, delayMs);
            }

            @Override public void close() {}
        };
    }

    private static ExportFunction chicorySpin(WasmModule module) {
        return com.dylibso.chicory.runtime.Instance.builder(module).withMachineFactory(MachineFactoryCompiler.compile(module)).build()
            .export("spin");
    }

    private interface GuestCall {
        long call() throws Exception;
    }

    /**
     * Runs call on a new thread and stops it delayMs into it, by `stop` on this thread or, if
     * null, by Thread.interrupt() of the guest's; returns request -> exception in us.
     */
    static double stopOnce(GuestCall call, Runnable stop, long delayMs) {
        AtomicLong stoppedAt = new AtomicLong();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                call.call();
            } catch (Throwable e) {
                stoppedAt.set(System.nanoTime());
                outcome.set(e);
            }
        }, "peers-runaway");
        t.start();
        sleep(delayMs);
        long t0 = System.nanoTime();
        if (stop != null) stop.run();
        else t.interrupt();
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (t.isAlive()) throw new IllegalStateException("the runaway guest did not stop within 60 s");
        if (outcome.get() == null) throw new IllegalStateException("the runaway guest returned instead of being stopped");
        return (stoppedAt.get() - t0) / 1e3;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Every state's latencies, interleaved. Returns {cold_jvm: {delay_ms, runs, runtime:
     * {p50, max}}, fresh_store: {runtime: {2ms: {p50, max}, ...}}, warm_store: the same}.
     */
    static Map<String, Object> measure(boolean quick, PrintStream progress) {
        int reps = quick ? 3 : 10, warmups = quick ? 5 : 20, coldRuns = quick ? 1 : 5;
        long[] delaysMs = {2, 20, 100};
        byte[] wasm = WasmKernels.runaway();
        Map<String, Object> out = new LinkedHashMap<>();

        progress.println("peers: interrupt latency, the first stop in " + coldRuns + " fresh JVM(s) per runtime");
        double[][] cold = new double[RUNTIMES.size()][coldRuns];
        for (int i = 0; i < coldRuns; i++) {
            for (int j = 0; j < RUNTIMES.size(); j++) {
                int k = (i + j) % RUNTIMES.size();
                cold[k][i] = coldStop(RUNTIMES.get(k));
            }
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("delay_ms", COLD_DELAY_MS);
        c.put("runs", coldRuns);
        for (int k = 0; k < RUNTIMES.size(); k++) c.put(RUNTIMES.get(k), summary(cold[k]));
        out.put("cold_jvm", c);

        for (boolean warmStore : new boolean[] {false, true}) {
            String state = warmStore ? "warm_store" : "fresh_store";
            List<Target> targets = new ArrayList<>();
            try {
                for (String r : RUNTIMES) targets.add(target(r, wasm, warmStore));
                // Untimed: each stop path's first runs (and, warm, the Store's) are cold.
                progress.println("peers: interrupt latency, " + state + ", warm-up");
                for (int i = 0; i < warmups; i++) for (Target t : targets) t.stop(1);
                Map<String, Object> s = new LinkedHashMap<>();
                double[][][] us = new double[RUNTIMES.size()][delaysMs.length][reps];
                for (int d = 0; d < delaysMs.length; d++) {
                    progress.println("peers: interrupt latency, " + state + ", " + delaysMs[d] + " ms into the call");
                    for (int i = 0; i < reps; i++) {
                        for (int j = 0; j < targets.size(); j++) {
                            int k = (i + j) % targets.size();
                            us[k][d][i] = targets.get(k).stop(delaysMs[d]);
                        }
                    }
                }
                for (int k = 0; k < RUNTIMES.size(); k++) {
                    Map<String, Object> per = new LinkedHashMap<>();
                    for (int d = 0; d < delaysMs.length; d++) per.put(delaysMs[d] + "ms", summary(us[k][d]));
                    s.put(RUNTIMES.get(k), per);
                }
                out.put(state, s);
            } finally {
                for (Target t : targets) t.close();
            }
        }
        return out;
    }

    static Map<String, Object> summary(double[] us) {
        double[] sorted = us.clone();
        Arrays.sort(sorted);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", EpochSuite.quantile(sorted, 0.5));
        m.put("p90", EpochSuite.quantile(sorted, 0.9));
        m.put("max", sorted[sorted.length - 1]);
        return m;
    }

    /** One stop in a child JVM, this JVM's options and class path: its first, of its first Store. */
    static double coldStop(String runtime) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Not a debugger's or profiler's agent: the child would wait for it or write over its output.
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp") && !a.startsWith("-XX:StartFlightRecording")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PeerInterrupts.class.getName(), runtime));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the cold-JVM stop of " + runtime + " did not finish in 120 s");
            }
            for (String line : output.split("\n")) {
                if (line.startsWith(COLD_PREFIX)) return Double.parseDouble(line.substring(COLD_PREFIX.length()).trim());
            }
            throw new IllegalStateException("the cold-JVM stop of " + runtime + " failed (exit " + p.exitValue() + "):\n" + output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM for " + runtime + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The child JVM of {@link #coldStop}: one stop of a fresh Store, printed as a line
     * {@code COLD_US <microseconds>} (the suite's only output to stdout, read by the parent).
     * With {@code latency} instead (and optionally {@code --quick}), the peers suite's
     * latency part alone: every state, printed as the suite prints it.
     *
     * @param args the runtime's name, one of {@link #RUNTIMES}; or {@code latency [--quick]}
     */
    public static void main(String[] args) {
        if (args.length >= 1 && args[0].equals("latency")) {
            boolean quick = args.length == 2 && args[1].equals("--quick");
            if (args.length > 2 || args.length == 2 && !quick) throw new IllegalArgumentException("usage: PeerInterrupts latency [--quick]");
            print(measure(quick, System.err), System.out);
            return;
        }
        if (args.length != 1) throw new IllegalArgumentException("usage: PeerInterrupts RUNTIME (one of " + RUNTIMES + ") | latency [--quick]");
        try (Target t = target(args[0], WasmKernels.runaway(), false)) {
            System.out.println(COLD_PREFIX + t.stop(COLD_DELAY_MS));
        }
    }

    /** Prints the result of {@link #measure}. */
    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> lat, PrintStream out) {
        Map<String, Object> cold = (Map<String, Object>) lat.get("cold_jvm");
        out.println("Interrupt latency: a runaway loop stopped from another thread, request -> exception on the guest's thread, p50/p90 [max] in us;"
            + " cold JVM: the first stop in a fresh JVM, " + cold.get("delay_ms") + " ms into the call, " + cold.get("runs")
            + " JVMs; fresh Store: a new Store per stop in a warmed JVM; warm Store: one Store stopped again and again");
        out.printf("  %-26s %22s", "", "cold JVM");
        for (String state : new String[] {"fresh Store", "warm Store"}) {
            for (String d : new String[] {"2ms", "20ms", "100ms"}) out.printf(" %22s", state + " " + d);
        }
        out.println();
        for (String r : RUNTIMES) {
            out.printf("  %-26s %22s", r, cell((Map<String, Object>) cold.get(r)));
            for (String state : new String[] {"fresh_store", "warm_store"}) {
                Map<String, Object> per = (Map<String, Object>) ((Map<String, Object>) lat.get(state)).get(r);
                for (String d : new String[] {"2ms", "20ms", "100ms"}) out.printf(" %22s", cell((Map<String, Object>) per.get(d)));
            }
            out.println();
        }
    }

    private static String cell(Map<String, Object> s) {
        return String.format("%.0f/%.0f [%.0f]", (Double) s.get("p50"), (Double) s.get("p90"), (Double) s.get("max"));
    }
}
