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
    /** Function pads: every offset in a 64-byte line, and a line further on, per variant. */
    static final int[] PADS = {0, 16, 32, 48, 64, 80, 96, 112};

    private EpochSuite() {}

    static CompiledModule compile(String source, EpochMode mode, int pad) {
        InstrumentationPlan plan = mode == EpochMode.NONE ? InstrumentationPlan.NONE
            : InstrumentationPlan.of(SiteKind.EPOCH).withEpochMode(mode);
        return Compiler.compile(ClifParser.parse("kernel.clif", source).functions(),
            CompileOptions.builder().plan(plan).functionAlign(64).loopAlign(32).functionPad(pad).build());
    }

    public static Map<String, Object> run(boolean quick, PrintStream progress) throws Exception {
        return run(quick, quick ? 5 : 15, quick ? 200 : 1000, progress);
    }

    /** The suite with a given number of rounds and latency trials (the demo uses fewer). */
    public static Map<String, Object> run(boolean quick, int rounds, int trials, PrintStream progress) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("suite", "epoch");
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("alignment", "functions 64 B, loop headers 32 B, function pads 0 to 112 B in steps of 16 pooled");
        List<Object> kernels = new ArrayList<>();
        Map<String, Double> logSum = new LinkedHashMap<>();
        try (Engine engine = new Engine()) {
            for (Kernels.Kernel k : Kernels.ALL) {
                progress.println("epoch: " + k.name + " (" + rounds + " rounds x " + MODES.length + " modes x " + PADS.length + " pads)...");
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
                long[][] samples = new long[MODES.length][rounds * PADS.length];
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
                        for (int i = 0; i < MODES.length; i++) {
                            int m = (i + r + p) % MODES.length;
                            long t0 = System.nanoTime();
                            long got = fns[m][p].call(arg)[0];
                            samples[m][r * PADS.length + p] = System.nanoTime() - t0;
                            check(k, LABELS[m], got, expect);
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
                        e.put("ratio", Math.round(ratio * 10000) / 10000.0);
                        logSum.merge(LABELS[m], Math.log(ratio), Double::sum);
                    }
                    modes.put(LABELS[m], e);
                }
                Map<String, Object> kr = new LinkedHashMap<>();
                kr.put("name", k.name);
                kr.put("arg", arg);
                kr.put("modes", modes);
                kernels.add(kr);
            }
        }
        out.put("kernels", kernels);
        Map<String, Object> geo = new LinkedHashMap<>();
        for (int m = 1; m < MODES.length; m++) {
            geo.put(LABELS[m], Math.round(Math.exp(logSum.get(LABELS[m]) / Kernels.ALL.size()) * 10000) / 10000.0);
        }
        out.put("geomean", geo);
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
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (double) a[i] / b[i];
        java.util.Arrays.sort(r);
        int n = r.length;
        return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
    }

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
