/*
 * The epoch benchmark (issue 5): what interruptibility costs while nothing interrupts.
 *
 * Each kernel is compiled once per mode: none (no sites), fused (Patchbay's default idle
 * epoch sites, on branches the code has anyway), nop (5-byte NOP sites), check
 * (Wasmtime-style load/compare/branch), poll (HotSpot-style load from a poll page) and
 * fuel (Wasmtime-style counter charged per block), with the sites at the same places; and
 * the no-sites code a second time, an A/A control whose ratio shows the run's noise floor.
 * Alignment is both controlled and varied: functions are 64-byte aligned and loop headers
 * 32-byte aligned in every mode, and each mode is compiled at eight function pads (0 to
 * 112 bytes), instantiated afresh every round (so at new addresses), and all those samples
 * are pooled, so no mode wins or loses by a lucky placement.
 * Within a round, for each pad, all modes run back to back in a rotating order, in one
 * process on one thread; each mode's ratio is the median of its run time divided by the
 * `none` run of the same group (moments apart), so the machine's drifting speed cancels.
 * Every run's result is checked against a Java reference.
 *
 * The same kernels written in C and compiled with the system's `gcc -O2` (GccBaseline) are
 * one more variant in every group, when gcc is on PATH, at the same eight pads: the ratio
 * of the `none` run to the gcc run beside it says how far Patchbay's code is from a
 * mature compiler's, with the spread (quartiles) of those paired ratios. Without gcc the
 * suite says why and measures the rest.
 *
 * It also measures interrupt latency (interrupt() on another thread until the Trap is
 * caught on the guest thread) and deadline-callback latency (incrementEpoch() passing the
 * deadline until the callback runs on the guest thread).
 */
package dev.patchbay.bench;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.Func;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.OptLevel;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public final class EpochSuite {
    /**
     * The variants measured side by side. "none-again" is the no-sites code once more, an
     * A/A control: its ratio to "none" is this machine's noise floor for the run, printed
     * beside the real differences.
     */
    public static final String[] LABELS = {"none", "none-again", "fused", "nop", "check", "poll", "fuel"};
    static final EpochMode[] MODES = {EpochMode.NONE, EpochMode.NONE, EpochMode.FUSED, EpochMode.NOP, EpochMode.CHECK, EpochMode.POLL, EpochMode.FUEL};
    /** The gcc -O2 baseline's name in messages and in the results ("gcc_o2"). */
    static final String GCC_LABEL = "gcc -O2";
    /** Function pads: every offset in a 64-byte line, and a line further on, per variant. */
    static final int[] PADS = {0, 16, 32, 48, 64, 80, 96, 112};

    private EpochSuite() {}

    /** Every variant at OptLevel.SPEED: the baseline it is compared with is gcc -O2. */
    static CompiledModule compile(String source, EpochMode mode, int pad) {
        InstrumentationPlan plan = mode == EpochMode.NONE ? InstrumentationPlan.NONE
            : InstrumentationPlan.of(SiteKind.EPOCH).withEpochMode(mode);
        return Compiler.compile(ClifParser.parse("kernel.clif", source).functions(),
            CompileOptions.builder().plan(plan).optLevel(OptLevel.SPEED).functionAlign(64).loopAlign(32).functionPad(pad).build());
    }

    /** The suite as `patchbay bench` runs it, with the gcc -O2 baseline when gcc is on PATH. */
    public static Map<String, Object> run(boolean quick, PrintStream progress) throws Exception {
        return run(quick, quick ? 5 : 15, quick ? 200 : 1000, true, progress);
    }

    /** The suite with a given number of rounds and latency trials and no gcc baseline (the demo's). */
    public static Map<String, Object> run(boolean quick, int rounds, int trials, PrintStream progress) throws Exception {
        return run(quick, rounds, trials, false, progress);
    }

    /** The suite with a given number of rounds and latency trials, and the gcc baseline if {@code withGcc}. */
    public static Map<String, Object> run(boolean quick, int rounds, int trials, boolean withGcc, PrintStream progress) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "epoch");
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("alignment", "functions 64 B, loop headers 32 B, function pads 0 to 112 B in steps of 16 pooled");
        List<Object> kernels = new ArrayList<>();
        Map<String, Double> logSum = new LinkedHashMap<>();
        Map<String, Object> gccOut = new LinkedHashMap<>();
        GccBaseline gcc = null;
        if (withGcc) {
            try {
                progress.println("epoch: compiling the C kernels with " + GccBaseline.COMPILER + " at " + PADS.length + " pads...");
                gcc = GccBaseline.compile(PADS);
                gccOut.put("compiler", gcc.version());
                gccOut.put("command", gcc.command());
            } catch (GccBaseline.Unavailable e) {
                gccOut.put("skipped", e.getMessage());
                progress.println("epoch: no " + GCC_LABEL + " baseline: " + e.getMessage());
            }
        }
        // gcc, when there is one, is the variant after the Patchbay modes.
        final int gccIndex = MODES.length;
        int variants = MODES.length + (gcc != null ? 1 : 0);
        double[] gccLogs = new double[3]; // sums of log(none / gcc): median, p25, p75
        try (Engine engine = new Engine()) {
            for (Kernels.Kernel k : Kernels.ALL) {
                progress.println("epoch: " + k.name + " (" + rounds + " rounds x " + MODES.length + " modes"
                    + (gcc != null ? " and " + GCC_LABEL : "") + " x " + PADS.length + " pads)...");
                long arg = quick ? k.quickArg : k.fullArg;
                long expect = k.reference.applyAsLong(arg);
                String src = k.source();
                dev.patchbay.Module[][] mods = new dev.patchbay.Module[MODES.length][PADS.length];
                try (Store warm = new Store(engine)) {
                    for (int m = 0; m < MODES.length; m++) {
                        for (int p = 0; p < PADS.length; p++) {
                            mods[m][p] = engine.load(compile(src, MODES[m], PADS[p]));
                            // warm-up and correctness
                            check(k, LABELS[m], warm.instantiate(mods[m][p]).func("kernel").call(arg)[0], expect);
                        }
                    }
                }
                for (int p = 0; gcc != null && p < PADS.length; p++) check(k, GCC_LABEL, gcc.call(k.name, p, arg), expect);
                long[][] samples = new long[variants][rounds * PADS.length];
                for (int r = 0; r < rounds; r++) {
                    // Fresh instances every round: where the code lands in memory (beyond
                    // the controlled pads) moves loops by tens of percent on this machine,
                    // so each variant's median pools rounds x pads placements.
                    Func[][] fns = new Func[MODES.length][PADS.length];
                    Store store = new Store(engine);
                    for (int m = 0; m < MODES.length; m++) {
                        for (int p = 0; p < PADS.length; p++) fns[m][p] = store.instantiate(mods[m][p]).func("kernel");
                    }
                    // One group per pad: every variant back to back (in an order rotated
                    // per group), so each is compared with the `none` run moments apart.
                    for (int p = 0; p < PADS.length; p++) {
                        for (int i = 0; i < variants; i++) {
                            int m = (i + r + p) % variants;
                            long got;
                            long t0 = System.nanoTime();
                            if (m == gccIndex) {
                                got = gcc.call(k.name, p, arg);
                            } else {
                                got = fns[m][p].call(arg)[0];
                            }
                            samples[m][r * PADS.length + p] = System.nanoTime() - t0;
                            check(k, m == gccIndex ? GCC_LABEL : LABELS[m], got, expect);
                        }
                    }
                    store.close();
                }
                Map<String, Object> modes = new LinkedHashMap<>();
                for (int m = 0; m < MODES.length; m++) {
                    Stats s = new Stats(samples[m]);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("median_ns", s.median());
                    if (m > 0) {
                        // The median of paired ratios: this VM's speed drifts by up to 2x
                        // over seconds, which a ratio of two medians would mistake for a
                        // difference between variants.
                        double ratio = pairedRatio(samples[m], samples[0]);
                        e.put("ratio", round4(ratio));
                        logSum.merge(LABELS[m], Math.log(ratio), Double::sum);
                    }
                    modes.put(LABELS[m], e);
                }
                Map<String, Object> kr = new LinkedHashMap<>();
                kr.put("name", k.name);
                kr.put("arg", arg);
                kr.put("modes", modes);
                if (gcc != null) {
                    // none / gcc, pair by pair: how many times gcc's time Patchbay's code takes.
                    double[] ratios = pairedRatios(samples[0], samples[gccIndex]);
                    Map<String, Object> g = new LinkedHashMap<>();
                    g.put("median_ns", new Stats(samples[gccIndex]).median());
                    double[] q = {quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75)};
                    g.put("none_over_gcc", round4(q[0]));
                    g.put("p25", round4(q[1]));
                    g.put("p75", round4(q[2]));
                    for (int i = 0; i < q.length; i++) gccLogs[i] += Math.log(q[i]);
                    kr.put("gcc_o2", g);
                }
                kernels.add(kr);
            }
        }
        out.put("kernels", kernels);
        Map<String, Object> geo = new LinkedHashMap<>();
        for (int m = 1; m < MODES.length; m++) {
            geo.put(LABELS[m], round4(Math.exp(logSum.get(LABELS[m]) / Kernels.ALL.size())));
        }
        out.put("geomean", geo);
        if (gcc != null) {
            int n = Kernels.ALL.size();
            gccOut.put("pairs_per_kernel", rounds * PADS.length);
            gccOut.put("geomean_none_over_gcc", round4(Math.exp(gccLogs[0] / n)));
            // The geomean of the kernels' quartiles: a band as wide as a typical kernel's.
            gccOut.put("geomean_p25", round4(Math.exp(gccLogs[1] / n)));
            gccOut.put("geomean_p75", round4(Math.exp(gccLogs[2] / n)));
        }
        if (withGcc) out.put("gcc_o2", gccOut);
        latencies(out, trials, progress);
        return out;
    }

    /**
     * Only the latencies of the epoch suite (`--suite latency`), which take seconds where
     * the whole suite takes minutes: for repeating them, since on a shared machine their
     * tails move from run to run.
     */
    public static Map<String, Object> latencyOnly(boolean quick, PrintStream progress) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "latency");
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        latencies(out, quick ? 200 : 1000, progress);
        return out;
    }

    private static void latencies(Map<String, Object> out, int trials, PrintStream progress) throws Exception {
        progress.println("epoch: interrupt latency, " + trials + " trials...");
        out.put("interrupt_latency_us", interruptLatency(trials, 0, WARMUP));
        progress.println("epoch: interrupt latency after 20 ms of running, " + Math.max(20, trials / 5) + " trials...");
        out.put("interrupt_latency_after_20ms_us", interruptLatency(Math.max(20, trials / 5), 20_000_000L, 200));
        progress.println("epoch: deadline callback latency, " + trials + " trials...");
        out.put("callback_latency_us", callbackLatency(trials));
    }

    /** Median of a[i] / b[i]. */
    static double pairedRatio(long[] a, long[] b) {
        return quantile(pairedRatios(a, b), 0.5);
    }

    /** a[i] / b[i], sorted. */
    public static double[] pairedRatios(long[] a, long[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (double) a[i] / b[i];
        java.util.Arrays.sort(r);
        return r;
    }

    /**
     * The q-quantile of sorted values, interpolated between the two nearest ranks (so the
     * median of an even count is the mean of the middle two, as before).
     */
    public static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double round4(double x) { return Math.round(x * 10000) / 10000.0; }

    private static void check(Kernels.Kernel k, String variant, long got, long expect) {
        if (got != expect) {
            throw new IllegalStateException("kernel " + k.name + " in mode " + variant + " returned " + got + ", expected " + expect);
        }
    }

    static final String RUNAWAY = String.join("\n",
        "function %runaway(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}");

    static Map<String, Object> micros(long[] nanos) {
        Stats s = new Stats(nanos);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", Math.round(s.median() / 10.0) / 100.0);
        m.put("p99", Math.round(s.p99() / 10.0) / 100.0);
        m.put("max", Math.round(s.max() / 10.0) / 100.0);
        m.put("trials", s.count());
        return m;
    }

    /**
     * Enough rare-path runs for HotSpot to compile it with C2 (about 5,000 invocations of
     * each method on the path); warm-up rounds follow each other closely, so this takes
     * about a second.
     */
    static final int WARMUP = 10_000;

    /**
     * interrupt() on this thread → Trap caught on the guest thread, measured in turns with
     * a plain Java polling loop stopped the same way (InterruptLatency), whose figures go
     * to `java-poll` beside Patchbay's: this machine's floor for the same measurement. One
     * guest thread each runs its loop again and again, as a runtime's worker would. The
     * first `warmup` interrupts are not counted: they run the interrupt path's Java (the
     * bookkeeping, the Trap) in HotSpot's interpreter before it is compiled, which is what
     * the very first interrupts of a process pay (reported as `cold_p50`, the median of
     * the first 20). Each interrupt lands a varying 50–250 µs after the call started, or
     * `runNanos` after it: on this VM the latency grows with how long the guest ran
     * uninterrupted (InterruptBreakdown shows it stage by stage), which is why both are
     * reported. The path is already compiled when the second measurement runs, so it warms
     * up less and reports no cold figure.
     */
    static Map<String, Object> interruptLatency(int trials, long runNanos, int warmup) throws Exception {
        long[][] cold = {new long[20], new long[20]};
        long[][] samples;
        try (InterruptLatency.PatchbayLoop patchbay = new InterruptLatency.PatchbayLoop()) {
            samples = InterruptLatency.measure(new InterruptLatency.Runaway[] {patchbay, new InterruptLatency.JavaPollingLoop()},
                trials, runNanos, warmup, cold);
        }
        Map<String, Object> m = micros(samples[0]);
        m.put("warmup", warmup);
        if (runNanos == 0) m.put("cold_p50", Math.round(new Stats(cold[0]).median() / 10.0) / 100.0);
        m.put("java-poll", micros(samples[1]));
        return m;
    }

    /**
     * incrementEpoch() passing the deadline → the callback running on the guest thread,
     * which answers continueFor(1) and keeps the guest running. Warmed up like the
     * interrupt path; this thread polls with short sleeps so it leaves the second core to
     * the watcher thread.
     */
    static Map<String, Object> callbackLatency(int trials) throws Exception {
        long[] samples = new long[trials];
        long[] cold = new long[20];
        CompiledModule cm = compile(RUNAWAY, EpochMode.FUSED, 0);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Func f = store.instantiate(engine.load(cm)).func("runaway");
            AtomicLong calledAt = new AtomicLong();
            AtomicLong calls = new AtomicLong();
            store.onEpochDeadline(s -> {
                calledAt.set(System.nanoTime());
                calls.incrementAndGet();
                return EpochDecision.continueFor(1);
            });
            store.setEpochDeadline(1);
            Thread guest = new Thread(() -> {
                try {
                    f.call(1);
                } catch (Trap expected) {
                    // interrupted at the end
                }
            }, "bench-callback");
            guest.setDaemon(true);
            guest.start();
            Thread.sleep(5);
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(43);
            for (int i = -WARMUP; i < trials; i++) {
                long before = calls.get();
                long t0 = System.nanoTime();
                engine.incrementEpoch();
                long giveUp = t0 + TimeUnit.SECONDS.toNanos(10);
                long retickAfter = TimeUnit.MILLISECONDS.toNanos(i < 0 ? 2 : 20);
                long retick = t0 + retickAfter;
                while (calls.get() == before) {
                    long now = System.nanoTime();
                    if (now > giveUp) throw new IllegalStateException("the deadline callback did not run within 10 s");
                    // The previous continueFor(1) takes the epoch when the callback returns; if
                    // the guest thread was descheduled past our tick, its deadline is one tick
                    // later. A real ticker keeps ticking; so do we, timing from the last tick.
                    if (now > retick) {
                        t0 = System.nanoTime();
                        engine.incrementEpoch();
                        retick = t0 + retickAfter;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
                long dt = calledAt.get() - t0;
                if (i + WARMUP < cold.length) cold[i + WARMUP] = dt;
                if (i >= 0) samples[i] = dt;
                java.util.concurrent.locks.LockSupport.parkNanos(i < 0 ? 10_000 : 50_000 + rnd.nextInt(200_000));
            }
            while (!store.interrupt()) Thread.onSpinWait();
            guest.join(10_000);
        }
        Map<String, Object> m = micros(samples);
        m.put("warmup", WARMUP);
        m.put("cold_p50", Math.round(new Stats(cold).median() / 10.0) / 100.0);
        return m;
    }
}
