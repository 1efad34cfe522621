/*
 * `patchbay demo [--quick]`: the whole story in one command, measured live on this
 * machine with the bundled examples (examples/*.clif) and benchmark kernels:
 *   1. compile with epoch and profile sites, and show a loop with its idle site;
 *   2. idle cost: each kernel with no sites and with idle sites, interleaved, beside
 *      Wasmtime-style check and fuel on the same code;
 *   3. interrupt a runaway loop from another thread after 100 ms;
 *   4. turn profiling on in the middle of a run and off again, print the table, and
 *      write patchbay-flamegraph.html;
 *   5. scrape the local Prometheus endpoint and show some patchbay_ series.
 * Progress goes to stderr; colour only when stdout is a terminal.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.bench.EpochSuite;
import dev.patchbay.bench.Machine;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Compile, measure, interrupt, profile and export metrics, live, with the bundled examples.")
final class DemoCommand implements Callable<Integer> {
    static final String[] EXAMPLES = {"sum-loop", "fib", "hot-cold", "runaway"};

    @Option(names = "--quick", description = "Shorter runs: the same five parts in well under a minute.")
    boolean quick;

    @picocli.CommandLine.Mixin
    NativeToolOptions nativeTools = new NativeToolOptions();

    /** The config every part's Engine starts from: the native tools asked for. */
    EngineConfig config() { return nativeTools.apply(new EngineConfig()); }

    private final PrintStream out = System.out;
    private final boolean tty = System.console() != null;

    private String bold(String s) { return tty ? "\u001b[1m" + s + "\u001b[0m" : s; }

    private String green(String s) { return tty ? "\u001b[32m" + s + "\u001b[0m" : s; }

    static String example(String name) {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/examples/" + name + ".clif")) {
            if (in == null) throw new IllegalStateException("bundled example examples/" + name + ".clif is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read example " + name, e);
        }
    }

    static CompiledModule compile(String name, InstrumentationPlan plan) {
        return Compiler.compile(ClifParser.parse("examples/" + name + ".clif", example(name)).functions(),
            CompileOptions.builder().plan(plan).build());
    }

    @Override public Integer call() throws Exception {
        String unwritable = OutputFiles.problem("the demo's flame graph", DemoProfiling.FLAMEGRAPH);
        if (unwritable != null) {
            System.err.println("patchbay: " + unwritable + " (the demo writes it in the current directory)");
            return Main.EXIT_BAD_INPUT;
        }
        long t0 = System.nanoTime();
        out.println(bold("Patchbay demo: instrumentation that costs nothing while it is off"));
        out.println("  machine: " + Machine.describe());
        compilePart();
        idleCostPart();
        interruptPart();
        boolean written = DemoProfiling.run(this, quick);
        out.printf("%n%s in %.1f s%n", green("demo complete"), (System.nanoTime() - t0) / 1e9);
        return written ? Main.EXIT_OK : Main.EXIT_BAD_INPUT;
    }

    void heading(int n, String title) {
        out.println();
        out.println(bold("[" + n + "/5] " + title));
    }

    PrintStream out() { return out; }

    private void compilePart() {
        heading(1, "Compile: every function gets epoch and profile sites that cost nothing while off");
        out.printf("  %-10s %-9s %8s %10s %7s %14s %13s%n", "example", "function", "IR insts", "code", "epoch", "profile-entry", "profile-exit");
        CompiledModule sum = null;
        for (String ex : EXAMPLES) {
            CompiledModule m = compile(ex, InstrumentationPlan.all());
            if (ex.equals("sum-loop")) sum = m;
            List<dev.patchbay.codegen.ir.Function> fns = ClifParser.parse(ex, example(ex)).functions();
            for (FunctionInfo f : m.functions) {
                int insts = fns.stream().filter(x -> x.name.equals(f.name)).mapToInt(x -> x.instCount()).sum();
                out.printf("  %-10s %-9s %8d %8d B %7d %14d %13d%n", ex, "%" + f.name, insts, f.size(),
                    count(m, f, SiteKind.EPOCH), count(m, f, SiteKind.PROFILE_ENTRY), count(m, f, SiteKind.PROFILE_EXIT));
            }
        }
        out.println();
        out.println("  %sum from examples/sum-loop.clif: the branch closing its loop is its epoch site (fused: off, it is the");
        out.println("  branch the loop needs anyway; on, it jumps to a stub that calls the hook). Profile sites are 5-byte NOPs.");
        boolean in = false;
        for (String l : Disassembler.format(sum).split("\n")) {
            if (l.startsWith("function %sum")) in = true;
            else if (l.startsWith("function ")) in = false;
            if (!in || l.startsWith("function")) continue;
            String shown = l.length() > 140 ? l.substring(0, 140) + "..." : l;
            out.println("  " + (l.contains("patch site") && l.contains(" epoch ") ? green(shown) : shown));
        }
    }

    private static long count(CompiledModule m, FunctionInfo f, SiteKind k) {
        return m.patchSites.stream().filter(s -> s.kind == k && m.functions.get(s.functionIndex) == f).count();
    }

    @SuppressWarnings("unchecked")
    private void idleCostPart() throws Exception {
        heading(2, "Idle cost: the same code with no sites, idle Patchbay sites, and the alternatives");
        PrintStream progress = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        Map<String, Object> r = EpochSuite.run(true, quick ? 3 : 7, quick ? 50 : 300, progress);
        BenchCommand.printEpoch(r);
        double fused = (Double) ((Map<String, Object>) r.get("geomean")).get("fused");
        double check = (Double) ((Map<String, Object>) r.get("geomean")).get("check");
        double again = (Double) ((Map<String, Object>) r.get("geomean")).get("none-again");
        out.printf("  Idle Patchbay sites (fused): %+.1f%% (geomean); a Wasmtime-style check on the same code: %+.1f%%;%n",
            (fused - 1) * 100, (check - 1) * 100);
        out.printf("  the code without sites, measured again as a control: %+.1f%% (this run's noise floor).%n", (again - 1) * 100);
    }

    private void interruptPart() throws Exception {
        heading(3, "Interrupt: a runaway loop, stopped from another thread after 100 ms");
        CompiledModule m = compile("runaway", InstrumentationPlan.all());
        try (Engine engine = new Engine(config().epochInterruption(true)); Store store = new Store(engine)) {
            Func main = store.instantiate(engine.load(m)).func("main");
            CountDownLatch started = new CountDownLatch(1);
            AtomicLong caughtAt = new AtomicLong();
            AtomicReference<Trap> trap = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                started.countDown();
                try {
                    main.call(1);
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
            if (!targeted || trap.get() == null) throw new IllegalStateException("the runaway loop was not interrupted");
            out.printf("  interrupt() -> Trap caught on the guest thread: %.1f us (one interrupt, 100 ms into the call, when every path it takes is cold; part 2 has the distribution)%n",
                (caughtAt.get() - t) / 1000.0);
            out.println("  trap: " + trap.get().code().clifName());
            out.print(trap.get().formatBacktrace().replaceAll("(?m)^", "  "));
            out.println("  The loop makes no calls: its back edge's idle site was armed with int3, the owner trapped");
            out.println("  there, and the safepoint stub, seeing the interrupt due, unwound it without calling Java.");
        }
    }
}
