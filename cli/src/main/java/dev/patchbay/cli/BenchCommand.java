/*
 * `patchbay bench --suite epoch|latency|sites|calls|sampler|peers|all [--quick] [--json FILE]`: runs the benchmark
 * harness (the benchmarks module's suites) in this process and prints the figures.
 * Progress goes to stderr; the table to stdout; --json writes the machine-readable result.
 */
package dev.patchbay.cli;

import dev.patchbay.bench.CallsSuite;
import dev.patchbay.bench.EpochSuite;
import dev.patchbay.bench.PeersSuite;
import dev.patchbay.bench.SamplerSuite;
import dev.patchbay.bench.SitesSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run the benchmark suites side by side in this process.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--suite", paramLabel = "SUITE", description = "epoch, latency (the epoch suite's latencies only), sites, calls, sampler (the two samplers' attribution error and cost; not in all), peers (the same .wasm in Wasmtime 7 and Chicory; not in all), or all (default: ${DEFAULT-VALUE}).")
    String suite = "all";

    @Option(names = "--quick", description = "Fewer repetitions: the same shape of results in less time.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (exit 2 if FILE cannot be written).")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw the epoch overhead chart to FILE.png or FILE.svg (needs the epoch suite).")
    Path plot;

    @Override public Integer call() throws Exception {
        List<String> suites = new ArrayList<>();
        switch (suite) {
            case "all": suites.add("epoch"); suites.add("sites"); suites.add("calls"); break;
            case "epoch": case "latency": case "sites": case "calls": case "sampler": case "peers": suites.add(suite); break;
            default:
                System.err.println("patchbay: unknown suite '" + suite + "' (expected epoch, latency, sites, calls, sampler, peers or all)");
                return Main.EXIT_BAD_INPUT;
        }
        if (plot != null && !suites.contains("epoch")) {
            System.err.println("patchbay: --plot draws the epoch suite; use --suite epoch or all");
            return Main.EXIT_BAD_INPUT;
        }
        if (plot != null && !plot.toString().matches("(?i).*\\.(png|svg)$")) {
            System.err.println("patchbay: --plot needs a .png or .svg file name, got " + plot);
            return Main.EXIT_BAD_INPUT;
        }
        String unwritable = json == null ? null : OutputFiles.problem("--json", json);
        if (unwritable == null && plot != null) unwritable = OutputFiles.problem("--plot", plot);
        if (unwritable != null) {
            System.err.println("patchbay: " + unwritable);
            return Main.EXIT_BAD_INPUT;
        }
        boolean written = true;
        List<Map<String, Object>> results = new ArrayList<>();
        for (String s : suites) {
            Map<String, Object> r = s.equals("epoch") ? EpochSuite.run(quick, System.err)
                : s.equals("latency") ? EpochSuite.latencyOnly(quick, System.err)
                : s.equals("sites") ? SitesSuite.run(quick, System.err)
                : s.equals("sampler") ? SamplerSuite.run(quick, System.err)
                : s.equals("peers") ? PeersSuite.run(quick, System.err) : CallsSuite.run(quick, System.err);
            results.add(r);
            print(r);
            if (plot != null && s.equals("epoch")) written &= write("--plot", plot, f -> OverheadPlot.write(r, f));
        }
        if (json != null) {
            Object doc = results.size() == 1 ? results.get(0) : wrap(results);
            written &= write("--json", json, f -> Files.writeString(f, Json.write(doc), StandardCharsets.UTF_8));
        }
        return written ? Main.EXIT_OK : Main.EXIT_BAD_INPUT;
    }

    /** Writes one output file; on failure prints why and returns false (the other outputs are still written). */
    private static boolean write(String option, Path file, OutputFiles.Writer writer) {
        try {
            OutputFiles.write(option, file, writer);
            System.err.println("wrote " + file);
            return true;
        } catch (OutputFiles.OutputException e) {
            System.err.println("patchbay: " + e.getMessage());
            return false;
        }
    }

    private static Map<String, Object> wrap(List<Map<String, Object>> results) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suite", "all");
        m.put("results", results);
        return m;
    }

    /** The epoch table's ratio columns, in order (keys of the suite's "modes" maps). */
    static final String[] COLUMNS = {"none-again", "fused", "nop", "check", "poll", "fuel"};

    @SuppressWarnings("unchecked")
    static void printEpoch(Map<String, Object> r) {
        System.out.println("Idle cost of interruptibility (median run time, ratio to no sites; " + r.get("alignment") + ")");
        System.out.printf("  %-9s %10s %16s %16s %16s %16s %16s %16s%n", "kernel", "none", "none again (A/A)", "fused (Patchbay)", "nop (5-byte)", "check (Wasmtime)", "poll (HotSpot)", "fuel (Wasmtime)");
        for (Object o : (java.util.List<Object>) r.get("kernels")) {
            Map<String, Object> k = (Map<String, Object>) o;
            Map<String, Object> modes = (Map<String, Object>) k.get("modes");
            StringBuilder line = new StringBuilder(String.format("  %-9s %7.2f ms", k.get("name"),
                ((Number) ((Map<String, Object>) modes.get("none")).get("median_ns")).longValue() / 1e6));
            for (String m : COLUMNS) {
                double ratio = (Double) ((Map<String, Object>) modes.get(m)).get("ratio");
                line.append(String.format(" %16s", String.format("%.3fx (%+.1f%%)", ratio, (ratio - 1) * 100)));
            }
            System.out.println(line);
        }
        Map<String, Object> g = (Map<String, Object>) r.get("geomean");
        StringBuilder line = new StringBuilder(String.format("  %-9s %10s", "geomean", ""));
        for (String m : COLUMNS) {
            double ratio = (Double) g.get(m);
            line.append(String.format(" %16s", String.format("%.3fx (%+.1f%%)", ratio, (ratio - 1) * 100)));
        }
        System.out.println(line);
        printGcc(r);
        printLatencies(r);
    }

    /** The gcc -O2 baseline beside the no-sites code, or the note saying why there is none. */
    @SuppressWarnings("unchecked")
    static void printGcc(Map<String, Object> r) {
        Map<String, Object> gcc = (Map<String, Object>) r.get("gcc_o2");
        if (gcc == null) return;
        if (gcc.containsKey("skipped")) {
            System.out.println("No gcc -O2 baseline: " + gcc.get("skipped"));
            return;
        }
        System.out.println("Code without sites against the same kernels in C, " + gcc.get("command") + " (" + gcc.get("compiler") + "):");
        System.out.println("  none / gcc is the median of " + gcc.get("pairs_per_kernel") + " paired runs per kernel, [quartiles]; lower is better");
        System.out.printf("  %-9s %10s %10s %24s%n", "kernel", "none", "gcc -O2", "none / gcc");
        for (Object o : (java.util.List<Object>) r.get("kernels")) {
            Map<String, Object> k = (Map<String, Object>) o;
            Map<String, Object> g = (Map<String, Object>) k.get("gcc_o2");
            long none = ((Number) ((Map<String, Object>) ((Map<String, Object>) k.get("modes")).get("none")).get("median_ns")).longValue();
            System.out.printf("  %-9s %7.2f ms %7.2f ms %24s%n", k.get("name"), none / 1e6, ((Number) g.get("median_ns")).longValue() / 1e6,
                String.format("%.3fx [%.3f, %.3f]", (Double) g.get("none_over_gcc"), (Double) g.get("p25"), (Double) g.get("p75")));
        }
        System.out.printf("  %-9s %10s %10s %24s%n", "geomean", "", "",
            String.format("%.3fx [%.3f, %.3f]", (Double) gcc.get("geomean_none_over_gcc"), (Double) gcc.get("geomean_p25"), (Double) gcc.get("geomean_p75")));
    }

    @SuppressWarnings("unchecked")
    private static void printLatencies(Map<String, Object> r) {
        for (String k : new String[] {"interrupt_latency_us", "interrupt_latency_after_20ms_us", "callback_latency_us"}) {
            Map<String, Object> m = (Map<String, Object>) r.get(k);
            if (m == null) continue;
            System.out.printf("  %-28s p50 %8.1f us   p99 %8.1f us   max %8.1f us%s%n",
                k.equals("interrupt_latency_us") ? "interrupt -> Trap in Java" : k.startsWith("interrupt") ? "  the same, after 20 ms run" : "deadline -> callback runs", (Double) m.get("p50"), (Double) m.get("p99"), (Double) m.get("max"),
                m.containsKey("cold_p50") ? String.format("   (after %s warm-up interrupts; the first 20: p50 %.1f us)", m.get("warmup"), (Double) m.get("cold_p50")) : "");
            Map<String, Object> floor = (Map<String, Object>) m.get("java-poll");
            if (floor != null) {
                System.out.printf("  %-28s p50 %8.1f us   p99 %8.1f us   max %8.1f us   (this machine's floor, measured in turns)%n",
                    "  Java loop polling a flag", (Double) floor.get("p50"), (Double) floor.get("p99"), (Double) floor.get("max"));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        System.out.println();
        if (r.get("suite").equals("epoch")) {
            printEpoch(r);
        } else if (r.get("suite").equals("latency")) {
            System.out.println("Interrupt and deadline latency (" + r.get("machine") + ")");
            printLatencies(r);
        } else if (r.get("suite").equals("sampler")) {
            SamplerSuite.print(r, System.out);
        } else if (r.get("suite").equals("peers")) {
            PeersSuite.print(r, System.out);
        } else if (r.get("suite").equals("sites")) {
            System.out.println("Site patching (running Store: request -> applied at the owner's next site)");
            System.out.printf("  %-32s %10s %10s %10s%n", "", "p50", "p99", "max");
            for (String k : new String[] {"request_to_applied_us", "request_to_applied_membarrier_us"}) {
                Map<String, Object> m = (Map<String, Object>) r.get(k);
                System.out.printf("  %-32s %8.1f us %7.1f us %7.1f us%n", k.contains("membarrier") ? "with membarrier SYNC_CORE" : "int3 arming",
                    (Double) m.get("p50"), (Double) m.get("p99"), (Double) m.get("max"));
            }
            System.out.println("Applying the desired state (idle Store, all sites rewritten)");
            Map<String, Object> a = (Map<String, Object>) r.get("apply_ns_per_site");
            for (Map.Entry<String, Object> e : a.entrySet()) {
                System.out.printf("  %8s sites %10.2f ns/site%n", e.getKey(), (Double) e.getValue());
            }
        } else {
            System.out.println("Host/guest crossings (median of batches)");
            System.out.printf("  %-36s %10.1f ns%n", "host -> guest call (empty function)", (Double) r.get("host_to_guest_ns"));
            System.out.printf("  %-36s %10.1f ns%n", "guest -> host hostcall round trip", (Double) r.get("guest_to_host_ns"));
            System.out.printf("  %-36s %10.1f us%n", "Store + instantiate " + r.get("module_bytes") + " B module", (Double) r.get("store_create_64k_us"));
        }
    }
}
