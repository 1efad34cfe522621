/*
 * The epoch benchmark (issue 5): what interruptibility costs while nothing interrupts.
 *
 * Each kernel is compiled once per mode — none (no sites), nop (Patchbay's idle epoch
 * sites), check (Wasmtime-style load/compare/branch), poll (HotSpot-style load from a poll
 * page), fuel (Wasmtime-style counter charged per block) — with the sites at exactly the
 * same places. Alignment is both controlled and varied: functions are 64-byte aligned and
 * loop headers 32-byte aligned in every mode, and each mode is compiled at four function
 * pads (0, 16, 32, 48 bytes) whose samples are pooled, so no mode wins or loses by a lucky
 * placement. Modes and pads are interleaved round by round in one process on one thread,
 * so machine noise hits all of them alike; each figure is a median, each ratio is against
 * `none` measured in the same rounds, and every run's result is checked against a Java
 * reference.
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
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

public final class EpochSuite {
    public static final EpochMode[] MODES = {EpochMode.NONE, EpochMode.FUSED, EpochMode.NOP, EpochMode.CHECK, EpochMode.POLL, EpochMode.FUEL};
    static final int[] PADS = {0, 16, 32, 48};

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
        out.put("alignment", "functions 64 B, loop headers 32 B, function pads 0/16/32/48 B pooled");
        List<Object> kernels = new ArrayList<>();
        Map<EpochMode, Double> logSum = new EnumMap<>(EpochMode.class);
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            for (Kernels.Kernel k : Kernels.ALL) {
                progress.println("epoch: " + k.name + " (" + rounds + " rounds x " + MODES.length + " modes x " + PADS.length + " pads)...");
                long arg = quick ? k.quickArg : k.fullArg;
                long expect = k.reference.applyAsLong(arg);
                String src = k.source();
                Func[][] fns = new Func[MODES.length][PADS.length];
                for (int m = 0; m < MODES.length; m++) {
                    for (int p = 0; p < PADS.length; p++) {
                        Instance inst = store.instantiate(engine.load(compile(src, MODES[m], PADS[p])));
                        fns[m][p] = inst.func("kernel");
                        check(k, MODES[m], fns[m][p].call(arg)[0], expect); // warm-up and correctness
                    }
                }
                long[][] samples = new long[MODES.length][rounds * PADS.length];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < MODES.length; i++) {
                        int m = (i + r) % MODES.length; // rotate the order every round
                        for (int p = 0; p < PADS.length; p++) {
                            long t0 = System.nanoTime();
                            long got = fns[m][p].call(arg)[0];
                            samples[m][r * PADS.length + p] = System.nanoTime() - t0;
                            check(k, MODES[m], got, expect);
                        }
                    }
                }
                Map<String, Object> modes = new LinkedHashMap<>();
                long none = new Stats(samples[0]).median();
                for (int m = 0; m < MODES.length; m++) {
                    Stats s = new Stats(samples[m]);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("median_ns", s.median());
                    if (m > 0) {
                        double ratio = (double) s.median() / none;
                        e.put("ratio", Math.round(ratio * 10000) / 10000.0);
                        logSum.merge(MODES[m], Math.log(ratio), Double::sum);
                    }
                    modes.put(MODES[m].label(), e);
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
            geo.put(MODES[m].label(), Math.round(Math.exp(logSum.get(MODES[m]) / Kernels.ALL.size()) * 10000) / 10000.0);
        }
        out.put("geomean", geo);
        progress.println("epoch: interrupt latency, " + trials + " trials...");
        out.put("interrupt_latency_us", interruptLatency(trials));
        progress.println("epoch: deadline callback latency, " + trials + " trials...");
        out.put("callback_latency_us", callbackLatency(trials));
        return out;
    }

    private static void check(Kernels.Kernel k, EpochMode mode, long got, long expect) {
        if (got != expect) {
            throw new IllegalStateException("kernel " + k.name + " in mode " + mode.label() + " returned " + got + ", expected " + expect);
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

    /** interrupt() on this thread → Trap caught on the guest thread. */
    static Map<String, Object> interruptLatency(int trials) throws Exception {
        long[] samples = new long[trials];
        CompiledModule cm = compile(RUNAWAY, EpochMode.FUSED, 0);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Func f = store.instantiate(engine.load(cm)).func("runaway");
            for (int i = -20; i < trials; i++) {
                CountDownLatch started = new CountDownLatch(1);
                AtomicLong caughtAt = new AtomicLong();
                AtomicReference<Throwable> other = new AtomicReference<>();
                Thread guest = new Thread(() -> {
                    started.countDown();
                    try {
                        f.call(1);
                    } catch (Trap t) {
                        caughtAt.set(System.nanoTime());
                        if (!t.code().equals(TrapCode.INTERRUPT)) other.set(t);
                    } catch (Throwable t) {
                        other.set(t);
                    }
                }, "bench-runaway");
                guest.start();
                started.await();
                Thread.sleep(2);
                long t0 = System.nanoTime();
                while (!store.interrupt()) {
                    Thread.onSpinWait();
                    t0 = System.nanoTime();
                }
                guest.join(10_000);
                if (other.get() != null) throw new IllegalStateException("unexpected outcome", other.get());
                if (i >= 0) samples[i] = caughtAt.get() - t0;
            }
        }
        return micros(samples);
    }

    /** incrementEpoch() passing the deadline → the callback running on the guest thread. */
    static Map<String, Object> callbackLatency(int trials) throws Exception {
        long[] samples = new long[trials];
        CompiledModule cm = compile(RUNAWAY, EpochMode.NOP, 0);
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
            guest.start();
            Thread.sleep(5);
            for (int i = -20; i < trials; i++) {
                long before = calls.get();
                long t0 = System.nanoTime();
                engine.incrementEpoch();
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long retick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
                while (calls.get() == before) {
                    if (System.nanoTime() > giveUp) throw new IllegalStateException("the deadline callback did not run within 10 s");
                    // The previous continueFor(1) takes the epoch when the hook resumes; if the
                    // guest thread was descheduled past our tick, its deadline is one tick
                    // later. A real ticker keeps ticking; so do we, timing from the last tick.
                    if (System.nanoTime() > retick) {
                        t0 = System.nanoTime();
                        engine.incrementEpoch();
                        retick = t0 + TimeUnit.MILLISECONDS.toNanos(20);
                    }
                    Thread.sleep(0, 100_000);
                }
                if (i >= 0) samples[i] = calledAt.get() - t0;
                Thread.sleep(1);
            }
            while (!store.interrupt()) Thread.onSpinWait();
            guest.join(10_000);
        }
        return micros(samples);
    }
}
