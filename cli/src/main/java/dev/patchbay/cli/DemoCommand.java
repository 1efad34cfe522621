/*
 * `patchbay demo [--quick]`: the whole story on a real program, measured live on this
 * machine. The program is examples/wasm/demo.wasm, C compiled by clang for wasm32-wasi
 * (its source and build command beside it), bundled in the jar:
 *   1. compile it with every site idle; its size, compile time, site counts, its output
 *      checked against the native build's, and annotated disassembly of a hot loop;
 *   2. idle cost: its work() export with no sites, idle sites and a Wasmtime-style check,
 *      interleaved, with an A/A control;
 *   3. the peers: the same export in Wasmtime 7 and Chicory, interleaved with Patchbay;
 *   4. interrupt it from another thread in a runaway call, then in a blocked sleep;
 *   5. profile it live (counters, site samples, signal samples, a flame graph);
 *   6. debug it while it runs: an exact logpoint, a breakpoint with values, resume;
 *   7. scrape its metrics over HTTP, and read back the JFR recording.
 * Every figure is measured in the run that prints it. Progress goes to stderr; colour only
 * when stdout is a terminal. DemoProfiling has parts 5 and 7, DemoDebugging part 6.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmInstance;
import dev.patchbay.bench.EpochSuite;
import dev.patchbay.bench.Machine;
import dev.patchbay.bench.ProgramPeers;
import dev.patchbay.bench.Stats;
import dev.patchbay.codegen.OptLevel;
import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.profiler.JfrEvents;
import dev.patchbay.wasi.WasiCommand;
import dev.patchbay.wasi.WasiConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Compile, measure, race, interrupt, profile, debug and export metrics, live, on a real C program compiled to WebAssembly.")
final class DemoCommand implements Callable<Integer> {
    static final String PROGRAM = "examples/wasm/demo.wasm";
    static final int PARTS = 7;

    @Option(names = "--quick", description = "Shorter runs: the same seven parts in a fraction of the time.")
    boolean quick;

    @picocli.CommandLine.Mixin
    NativeToolOptions nativeTools = new NativeToolOptions();

    private final PrintStream out = System.out;
    private final boolean tty = System.console() != null;
    final PrintStream progress = new PrintStream(System.err, true, StandardCharsets.UTF_8);

    /** The program's bytes. */
    byte[] wasm;
    /** The Engine with every site (epoch and profile), idle, whose module parts 1 and 4-7 run. */
    Engine engine;
    Module module;

    /** The config every part's Engine starts from: the native tools asked for, at OptLevel.SPEED. */
    EngineConfig config() { return nativeTools.apply(new EngineConfig()).optLevel(OptLevel.SPEED); }

    String bold(String s) { return tty ? "\u001b[1m" + s + "\u001b[0m" : s; }

    String green(String s) { return tty ? "\u001b[32m" + s + "\u001b[0m" : s; }

    static byte[] resource(String path) {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/" + path)) {
            if (in == null) throw new IllegalStateException("bundled " + path + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled " + path, e);
        }
    }

    @Override public Integer call() throws Exception {
        for (String[] f : new String[][] {{"the demo's flame graph", DemoProfiling.FLAMEGRAPH.toString()}, {"the demo's JFR recording", DemoProfiling.JFR.toString()}}) {
            String unwritable = OutputFiles.problem(f[0], java.nio.file.Path.of(f[1]));
            if (unwritable != null) {
                System.err.println("patchbay: " + unwritable + " (the demo writes it in the current directory)");
                return Main.EXIT_BAD_INPUT;
            }
        }
        long t0 = System.nanoTime();
        wasm = resource(PROGRAM);
        out.println(bold("Patchbay demo: instrumentation that costs nothing while it is off, on a real program"));
        out.println("  machine: " + Machine.describe());
        boolean ok;
        try (DemoProfiling.Jfr jfr = DemoProfiling.Jfr.start()) {
            engine = new Engine(config().epochInterruption(true).profiling(true));
            try {
                JfrEvents.register(engine);
                programPart();
                idleCostPart();
                peersPart();
                interruptPart();
                try (DemoProfiling.Profiled profiled = DemoProfiling.profile(this)) {
                    ok = profiled.written;
                    ok &= DemoDebugging.run(this);
                    ok &= DemoProfiling.metrics(this, profiled, jfr);
                }
            } finally {
                engine.close();
            }
        }
        out.printf("%n%s in %.1f s%n", ok ? green("demo complete") : "demo finished with errors", (System.nanoTime() - t0) / 1e9);
        return ok ? Main.EXIT_OK : Main.EXIT_BAD_INPUT;
    }

    void heading(int n, String title) {
        out.println();
        out.println(bold("[" + n + "/" + PARTS + "] " + title));
    }

    PrintStream out() { return out; }

    /** A fresh instance of the program in a Store of `e`, WASI wired to buffers; the caller closes the Store. */
    static WasiCommand instantiate(Store store, Module m, List<String> args, ByteArrayOutputStream stdout) {
        WasiConfig.Builder b = WasiConfig.builder().args(args);
        if (stdout != null) b.stdout(stdout).stderr(stdout);
        return WasiCommand.instantiate(store, m, b.build());
    }

    /** The name the module gives a C function (the name section's, behind its index). */
    String function(String cName) {
        for (String f : module.functionNames()) if (f.endsWith("_" + cName) && f.matches("f\\d+_" + cName)) return f;
        throw new IllegalStateException("demo.wasm has no function " + cName);
    }

    private void programPart() throws Exception {
        heading(1, "A real program: " + PROGRAM + ", C (demo.c) compiled by clang for wasm32-wasi");
        long c0 = System.nanoTime();
        module = Module.fromWasm(engine, wasm);
        double compileMs = (System.nanoTime() - c0) / 1e6;
        CompiledModule cm = module.compiled();
        long epoch = cm.patchSites.stream().filter(s -> s.kind == SiteKind.EPOCH).count();
        long entry = cm.patchSites.stream().filter(s -> s.kind == SiteKind.PROFILE_ENTRY).count();
        long exit = cm.patchSites.stream().filter(s -> s.kind == SiteKind.PROFILE_EXIT).count();
        out.printf("  %,d bytes of Wasm, %d functions (the C's and wasi-libc's), compiled in %.0f ms (first compile in this JVM)%n",
            wasm.length, cm.functions.size(), compileMs);
        out.printf("  to %,d bytes of x86-64 with every site idle: %d epoch sites, %d profile-entry and %d profile-exit sites%n",
            module.codeSize(), epoch, entry, exit);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code;
        try (Store store = new Store(engine)) {
            store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
            code = instantiate(store, module, List.of("demo.wasm"), printed).start();
        }
        String got = printed.toString(StandardCharsets.UTF_8);
        String expected = new String(resource("examples/wasm/demo.expected"), StandardCharsets.UTF_8);
        out.println("  its output under Patchbay (exit " + code + "):");
        out.print(got.replaceAll("(?m)^", "    | "));
        if (!got.equals(expected) || code != 0) throw new IllegalStateException("demo.wasm printed something else than its native build:\n" + expected);
        out.println("  exactly what its native build (gcc -O2, demo.expected) prints.");
        String fn = function("collatz_len");
        out.println();
        out.println("  %" + fn + ", the hot loop, annotated: the loop's closing branch is its epoch site (fused: off, it is");
        out.println("  the branch the loop needs anyway; on, it is retargeted to a stub); profile sites are 5-byte NOPs.");
        boolean in = false;
        int shown = 0;
        for (String l : Disassembler.format(cm).split("\n")) {
            if (l.startsWith("function %" + fn + "(")) in = true;
            else if (l.startsWith("function ")) in = false;
            if (!in || l.startsWith("function") || l.isBlank()) continue;
            if (++shown > 48) {
                out.println("  ...");
                break;
            }
            String s = l.length() > 130 ? l.substring(0, 130) + "..." : l;
            out.println("  " + (l.contains("patch site") ? green(s) : s));
        }
    }

    /** A Store with the program's work() export: what part 2 times. */
    private record Variant(String label, Store store, WasmFunction work) {}

    private void idleCostPart() throws Exception {
        heading(2, "Idle cost: the program's work() with no sites, with idle Patchbay sites, and with Wasmtime-style checks");
        int rounds = quick ? 9 : 31, arg = 1;
        List<Engine> engines = new ArrayList<>();
        List<Variant> vs = new ArrayList<>();
        try {
            Engine none = add(engines, new Engine(config()));
            Module noneModule = Module.fromWasm(none, wasm);
            vs.add(variant("no sites", none, noneModule));
            vs.add(variant("no sites, again (A/A)", none, noneModule));
            Engine fused = add(engines, new Engine(config().epochInterruption(true)));
            vs.add(variant("Patchbay epoch sites (fused), idle", fused, Module.fromWasm(fused, wasm)));
            vs.add(variant("every Patchbay site (epoch + profile), idle", engine, module));
            Engine check = add(engines, new Engine(config().epochInterruption(true).noSiteController()));
            vs.add(variant("Wasmtime-style epoch check", check, Module.fromWasm(check, wasm)));
            long expect = vs.get(0).work.call(arg)[0];
            for (Variant v : vs) for (int w = 0; w < 2; w++) checkResult(v, v.work.call(arg)[0], expect);
            long[][] ns = new long[vs.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < vs.size(); i++) {
                    int idx = (i + r) % vs.size();
                    long t0 = System.nanoTime();
                    long got = vs.get(idx).work.call(arg)[0];
                    ns[idx][r] = System.nanoTime() - t0;
                    checkResult(vs.get(idx), got, expect);
                }
            }
            out.printf("  work(%d) (every phase of the program once), %d rounds, each variant once per round in rotating order;%n", arg, rounds);
            out.println("  the ratio is to \"no sites\" in the same round: median (quartiles)");
            for (int i = 0; i < vs.size(); i++) {
                double[] ratio = EpochSuite.pairedRatios(ns[i], ns[0]);
                out.printf("  %-46s %8.2f ms  %s%n", vs.get(i).label, new Stats(ns[i]).median() / 1e6,
                    i == 0 ? "1.000x" : String.format("%.3fx (%.3f-%.3f)", EpochSuite.quantile(ratio, 0.5), EpochSuite.quantile(ratio, 0.25), EpochSuite.quantile(ratio, 0.75)));
            }
            double aa = EpochSuite.quantile(EpochSuite.pairedRatios(ns[1], ns[0]), 0.5);
            double idle = EpochSuite.quantile(EpochSuite.pairedRatios(ns[2], ns[0]), 0.5);
            double chk = EpochSuite.quantile(EpochSuite.pairedRatios(ns[4], ns[0]), 0.5);
            out.printf("  Idle epoch sites: %+.1f%%; Wasmtime-style checks: %+.1f%%; the A/A control: %+.1f%% (this run's noise floor).%n",
                (idle - 1) * 100, (chk - 1) * 100, (aa - 1) * 100);
            out.println("  (The kernels' own suite, with fuel and HotSpot-style polls too: ./patchbay bench --suite epoch)");
        } finally {
            for (Variant v : vs) if (!v.store.isClosed()) v.store.close();
            for (Engine e : engines) e.close();
        }
    }

    private static Engine add(List<Engine> engines, Engine e) {
        engines.add(e);
        return e;
    }

    private static Variant variant(String label, Engine e, Module m) {
        Store s = new Store(e);
        return new Variant(label, s, instantiate(s, m, List.of("demo.wasm"), new ByteArrayOutputStream()).instance().function("work"));
    }

    private static void checkResult(Variant v, long got, long expect) {
        if (got != expect) throw new IllegalStateException(v.label + ": work() returned " + Long.toHexString(got) + ", not " + Long.toHexString(expect));
    }

    @SuppressWarnings("unchecked")
    private void peersPart() {
        heading(3, "The peers: the same work() export in Wasmtime 7 and Chicory 1.7.5, interleaved with Patchbay");
        Map<String, Object> r = ProgramPeers.run(wasm, "work", 1, quick ? 3 : 6, quick ? 5 : 15, progress);
        out.printf("  work(1), %d rounds after %d warm-up calls each; the ratio is to Wasmtime in the same round: median (quartiles)%n",
            r.get("rounds"), r.get("warmups"));
        for (Map.Entry<String, Object> e : ((Map<String, Object>) r.get("runtimes")).entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            out.printf("  %-16s %-62s %8.2f ms  %.3fx (%.3f-%.3f)%n", e.getKey(), m.get("description"), ((Number) m.get("median_ns")).doubleValue() / 1e6,
                m.get("over_wasmtime"), m.get("p25"), m.get("p75"));
        }
        out.printf("  Idle cost of interruptibility: Patchbay's fused sites %+.1f%% against itself without them; Wasmtime's epochs %+.1f%%.%n",
            ((Double) r.get("patchbay_idle_sites") - 1) * 100, ((Double) r.get("wasmtime_epochs") - 1) * 100);
        out.println("  (Chicory's code runs on HotSpot, whose JIT may still be warming up after so few calls. Every kernel,");
        out.println("  with interrupt latencies: ./patchbay bench --suite peers)");
    }

    private void interruptPart() throws Exception {
        heading(4, "Interrupt: the program stopped from another thread, in its own code and blocked in a hostcall");
        try (Store store = new Store(engine)) {
            store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
            WasmFunction steps = instantiate(store, module, List.of("demo.wasm"), new ByteArrayOutputStream()).instance().function("count_steps");
            stop(store, "count_steps(2000000000), a call of minutes,", () -> steps.call(2_000_000_000L));
        }
        try (Store store = new Store(engine)) {
            store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            WasiCommand sleeper = instantiate(store, module, List.of("demo.wasm", "--sleep", "600"), printed);
            stop(store, "`demo.wasm --sleep 600` (main calls sleep(600): WASI poll_oneoff),", sleeper::start);
            out.print(printed.toString(StandardCharsets.UTF_8).replaceAll("(?m)^", "    | "));
        }
        out.println("  In guest code, interrupt() arms the idle epoch sites with int3 and the owner unwinds at the next one;");
        out.println("  in a hostcall, it also wakes the owner thread, and the host's InterruptedException unwinds the guest.");
    }

    /** Runs `call` on a guest thread, interrupts it 100 ms in, and prints the latency and the Trap. */
    private void stop(Store store, String what, Runnable call) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong caughtAt = new AtomicLong();
        AtomicReference<Trap> trap = new AtomicReference<>();
        Thread guest = new Thread(() -> {
            started.countDown();
            try {
                call.run();
            } catch (Trap t) {
                caughtAt.set(System.nanoTime());
                trap.set(t);
            }
        }, "demo-guest");
        guest.start();
        started.await();
        Thread.sleep(100);
        long t = System.nanoTime();
        boolean targeted = store.interrupt();
        guest.join(10_000);
        if (!targeted || trap.get() == null) throw new IllegalStateException(what + " was not interrupted");
        out.printf("  %s interrupted 100 ms in: Trap on the guest thread %.1f us after interrupt()%n", what, (caughtAt.get() - t) / 1000.0);
        out.println("  trap: " + WasmInstance.trapMessage(trap.get()) + " (" + WasmInstance.trapCode(trap.get()).clifName() + ")");
        String[] bt = trap.get().formatBacktrace().split("\n");
        for (int i = 0; i < Math.min(bt.length, 7); i++) out.println("  " + bt[i]);
        if (bt.length > 7) out.println("    ... " + (bt.length - 7) + " more frames");
    }
}
