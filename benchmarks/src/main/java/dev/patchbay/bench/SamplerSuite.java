/*
 * Issue 19, unbiased sampling: attribution error and cost per sample of the two samplers,
 * on a guest whose time is in long straight-line functions with no patch sites.
 *
 * The guest (same as the profiler's StraightLine test): %a is 3,000 and %b 1,000 (imul,
 * iadd) pairs on one dependency chain (6,002 and 2,002 IR instructions: the interpreter's
 * instruction counts, 3:1), no loop, no stack check, so no site; %main(n, x) calls both n
 * times, and its loop back edge is the only epoch site. %loop_a and %loop_b call only one.
 *
 * Ground truth, measured here: per iteration, t(main) = a + b + loop, t(loop_a) = a + loop,
 * t(loop_b) = b + loop, so a = t(main) - t(loop_b), b = t(main) - t(loop_a), and main's own
 * share is what is left. Attribution error = the total variation distance between a
 * sampler's self-sample shares over {a, b, main} and that truth (0 is exact, 1 is all
 * wrong); also each sampler's share of a within a + b (truth: a / (a + b)).
 *
 * Overhead: rounds of interleaved timed runs of main (about 150 ms each) on the owner
 * thread: none, signal at 1 kHz and 10 kHz, sites at 1 kHz and 10 kHz, none again (the A/A
 * control: how far two unsampled runs differ on this machine). Per mode, the median over
 * rounds of the slowdown against the first baseline of the same round, and of the cost per
 * sample = (t - t_none) / samples taken in the run.
 *
 *   ./patchbay bench --suite sampler [--quick] [--json FILE]
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.profiler.SamplingProfiler;
import dev.patchbay.profiler.SignalSampler;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class SamplerSuite {
    private SamplerSuite() {}

    static final int K = 1000;
    static final long X = 3;

    static String chain(String name, int pairs) {
        StringBuilder sb = new StringBuilder();
        sb.append("function %").append(name).append("(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iadd_imm v0, 1\n");
        int v = 1;
        for (int i = 0; i < pairs; i++) {
            sb.append("    v").append(v + 1).append(" = imul v").append(v).append(", v0\n");
            sb.append("    v").append(v + 2).append(" = iadd v").append(v + 1).append(", v0\n");
            v += 2;
        }
        sb.append("    return v").append(v).append("\n}\n");
        return sb.toString();
    }

    static String loop(String name, String... callees) {
        StringBuilder sb = new StringBuilder("function %" + name + "(i64, i64) -> i64 {\n");
        for (int i = 0; i < callees.length; i++) sb.append("    fn").append(i).append(" = colocated %").append(callees[i]).append("(i64) -> i64\n");
        sb.append("block0(v0: i64, v1: i64):\n    v2 = iconst.i64 0\n    jump block1(v2, v2)\nblock1(v3: i64, v4: i64):\n");
        String acc = "v4";
        for (int i = 0; i < callees.length; i++) {
            sb.append("    c").append(i).append(" = call fn").append(i).append("(v1)\n");
            sb.append("    s").append(i).append(" = iadd ").append(acc).append(", c").append(i).append("\n");
            acc = "s" + i;
        }
        sb.append("    v9 = iadd_imm v3, 1\n    v10 = icmp ult v9, v0\n    brif v10, block1(v9, ").append(acc).append("), block2\nblock2:\n    return ")
            .append(acc).append("\n}\n");
        return sb.toString().replaceAll("\\bc(\\d)\\b", "v2$1").replaceAll("\\bs(\\d)\\b", "v3$1");
    }

    static String clif() {
        return chain("a", 3 * K) + chain("b", K) + loop("main", "a", "b") + loop("loop_a", "a") + loop("loop_b", "b");
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static long timed(Func f, long n) {
        long t0 = System.nanoTime();
        f.call(n, X);
        return System.nanoTime() - t0;
    }

    private static double tvd(Map<String, Long> self, double[] truth) {
        long total = 0;
        for (long v : self.values()) total += v;
        if (total == 0) return 1;
        double pa = self.getOrDefault("a", 0L) / (double) total, pb = self.getOrDefault("b", 0L) / (double) total;
        double pm = 1 - pa - pb; // main and anything else
        return 0.5 * (Math.abs(pa - truth[0]) + Math.abs(pb - truth[1]) + Math.abs(pm - truth[2]));
    }

    private static double shareA(Map<String, Long> self) {
        long a = self.getOrDefault("a", 0L), b = self.getOrDefault("b", 0L);
        return a + b == 0 ? Double.NaN : a / (double) (a + b);
    }

    /** The suite; `quick` runs 5 rounds instead of 15. */
    public static Map<String, Object> run(boolean quick, PrintStream progress) {
        int rounds = quick ? 5 : 15;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "sampler");
        out.put("machine", Machine.describe());
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Instance inst = store.instantiate(Module.fromClif(engine, "straight.clif", clif()));
            Func main = inst.func("main"), la = inst.func("loop_a"), lb = inst.func("loop_b");
            progress.println("sampler: warm-up and ground truth...");
            long n = 2000;
            for (int i = 0; i < 20; i++) timed(main, n);
            // Size a run to about 150 ms.
            double perIter = timed(main, n) / (double) n;
            long iters = Math.max(1000, (long) (150e6 / perIter));
            double[] tm = new double[rounds], ta = new double[rounds], tb = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                tm[r] = timed(main, iters / 4) / (double) (iters / 4);
                ta[r] = timed(la, iters / 4) / (double) (iters / 4);
                tb[r] = timed(lb, iters / 4) / (double) (iters / 4);
            }
            double mainNs = median(tm), aNs = mainNs - median(tb), bNs = mainNs - median(ta);
            // main's own share is a difference of noisy medians (about 1% either way): clamped at 0.
            double mainOwn = Math.max(0, mainNs - aNs - bNs), sum = aNs + bNs + mainOwn;
            double[] truth = {aNs / sum, bNs / sum, mainOwn / sum};
            Map<String, Object> gt = new LinkedHashMap<>();
            gt.put("main_iteration_ns", mainNs);
            gt.put("a_ns", aNs);
            gt.put("b_ns", bNs);
            gt.put("share_a", truth[0]);
            gt.put("share_b", truth[1]);
            gt.put("share_main", truth[2]);
            gt.put("a_of_ab", aNs / (aNs + bNs));
            gt.put("ir_instructions_a_b", "6002:2002 (3:1)");
            out.put("ground_truth", gt);

            progress.println("sampler: attribution at 1 kHz...");
            Map<String, Object> attribution = new LinkedHashMap<>();
            long attrIters = iters * (quick ? 4 : 10);
            try (SignalSampler s = new SignalSampler().add(store, "main")) {
                s.start(Duration.ofMillis(1));
                main.call(attrIters, X);
                s.stop();
                attribution.put("signal", attributionRow(s.selfSamplesByFunction(), truth, s.samples()));
            }
            try (SamplingProfiler s = new SamplingProfiler(store)) {
                s.start(Duration.ofMillis(1));
                main.call(attrIters, X);
                s.stop();
                attribution.put("sites", attributionRow(s.selfSamplesByFunction(), truth, s.samples()));
            }
            out.put("attribution_1khz", attribution);

            progress.println("sampler: one signal to the calling thread...");
            double[] self = new double[rounds];
            for (int r = 0; r < rounds; r++) self[r] = SignalSampler.selfSignalNanos(20_000);
            out.put("self_signal_ns", median(self));

            progress.println("sampler: overhead, " + rounds + " interleaved rounds...");
            String[] modes = {"none", "signal_1khz", "signal_10khz", "sites_1khz", "sites_10khz", "none_again"};
            double[][] slow = new double[modes.length][rounds], perSample = new double[modes.length][rounds], samples = new double[modes.length][rounds];
            double[] times = new double[modes.length];
            for (int r = 0; r < rounds; r++) {
                for (int m = 0; m < modes.length; m++) {
                    String mode = modes[m];
                    long t, got = 0;
                    if (mode.startsWith("none")) {
                        t = timed(main, iters);
                    } else if (mode.startsWith("signal")) {
                        try (SignalSampler s = new SignalSampler().add(store, "main")) {
                            s.start(Duration.ofNanos(mode.endsWith("10khz") ? 100_000 : 1_000_000));
                            t = timed(main, iters);
                            s.stop();
                            got = s.samples() + s.notInGuest() + s.outsideCode() + s.drops();
                        }
                    } else {
                        try (SamplingProfiler s = new SamplingProfiler(store)) {
                            s.start(Duration.ofNanos(mode.endsWith("10khz") ? 100_000 : 1_000_000));
                            t = timed(main, iters);
                            s.stop();
                            got = s.samples();
                        }
                    }
                    times[m] = t;
                    samples[m][r] = got;
                }
                // The round's baseline is the mean of its two unsampled runs; A/A is how far they differ.
                double base = (times[0] + times[modes.length - 1]) / 2;
                for (int m = 0; m < modes.length; m++) {
                    slow[m][r] = times[m] / base - 1;
                    perSample[m][r] = samples[m][r] == 0 ? Double.NaN : (times[m] - base) / samples[m][r];
                }
                slow[modes.length - 1][r] = times[modes.length - 1] / times[0] - 1;
            }
            Map<String, Object> overhead = new LinkedHashMap<>();
            overhead.put("run_ms", iters * perIter / 1e6);
            for (int m = 1; m < modes.length; m++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("slowdown_pct_median", 100 * median(slow[m]));
                double[] sorted = slow[m].clone();
                Arrays.sort(sorted);
                row.put("slowdown_pct_min", 100 * sorted[0]);
                row.put("slowdown_pct_max", 100 * sorted[sorted.length - 1]);
                row.put("samples_per_run_median", median(samples[m]));
                if (!modes[m].startsWith("none")) row.put("ns_per_sample_median", median(perSample[m]));
                overhead.put(modes[m], row);
            }
            out.put("overhead", overhead);
        }
        return out;
    }

    private static Map<String, Object> attributionRow(Map<String, Long> self, double[] truth, long samples) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("samples", samples);
        row.put("self", new LinkedHashMap<>(self));
        row.put("tvd", tvd(self, truth));
        row.put("a_of_ab", shareA(self));
        return row;
    }

    /** Prints the suite's result (BenchCommand's table). */
    @SuppressWarnings("unchecked")
    public static void print(Map<String, Object> r, PrintStream out) {
        Map<String, Object> gt = (Map<String, Object>) r.get("ground_truth");
        out.println("Samplers on a straight-line guest (" + r.get("machine") + ")");
        out.printf("  ground truth: a %.3f, b %.3f, main %.3f of the time (a of a+b: %.3f); one iteration %.0f ns%n",
            gt.get("share_a"), gt.get("share_b"), gt.get("share_main"), gt.get("a_of_ab"), gt.get("main_iteration_ns"));
        Map<String, Object> at = (Map<String, Object>) r.get("attribution_1khz");
        out.printf("  %-8s %8s %14s %12s  %s%n", "sampler", "samples", "error (TVD)", "a of a+b", "self samples");
        for (Map.Entry<String, Object> e : at.entrySet()) {
            Map<String, Object> row = (Map<String, Object>) e.getValue();
            out.printf("  %-8s %8d %14.3f %12.3f  %s%n", e.getKey(), row.get("samples"), row.get("tvd"), row.get("a_of_ab"), row.get("self"));
        }
        Map<String, Object> ov = (Map<String, Object>) r.get("overhead");
        out.printf("  one signal to the calling thread (syscall, delivery, handler, sigreturn): %.0f ns%n", r.get("self_signal_ns"));
        out.printf("  overhead (runs of %.0f ms, medians over interleaved rounds)%n", ov.get("run_ms"));
        out.printf("  %-14s %10s %18s %12s %14s%n", "mode", "slowdown", "range", "samples/run", "ns per sample");
        for (Map.Entry<String, Object> e : ov.entrySet()) {
            if (!(e.getValue() instanceof Map)) continue;
            Map<String, Object> row = (Map<String, Object>) e.getValue();
            Object ps = row.get("ns_per_sample_median");
            out.printf("  %-14s %9.2f%% %8.2f%% to %5.2f%% %12.0f %14s%n", e.getKey().equals("none_again") ? "none (A/A)" : e.getKey(),
                row.get("slowdown_pct_median"), row.get("slowdown_pct_min"), row.get("slowdown_pct_max"), row.get("samples_per_run_median"),
                ps == null ? "-" : String.format("%.0f", (Double) ps));
        }
    }

    public static void main(String[] args) {
        Map<String, Object> r = run(args.length > 0 && args[0].equals("--quick"), System.err);
        print(r, System.out);
    }
}
