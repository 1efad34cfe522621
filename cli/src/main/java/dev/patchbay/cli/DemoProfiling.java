/*
 * Parts 5 and 7 of the demo, which share one Store: the program's work() runs in a loop
 * on a guest thread; profiling (native entry/exit counters) is turned on in the middle
 * of the run and off again, with the site-biased sampler for the first half and the
 * signal sampler (unbiased: it stops the guest at any instruction) for the second, so
 * their shares stand side by side; the flame graph comes from the signal samples. Part 7
 * scrapes the local Prometheus endpoint over HTTP while the Store is still alive, and
 * reads back the JFR recording that ran through the whole demo.
 */
package dev.patchbay.cli;

import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.profiler.CodeMemoryMeterBinder;
import dev.patchbay.profiler.EpochMeterBinder;
import dev.patchbay.profiler.FunctionProfile;
import dev.patchbay.profiler.ProfileSnapshot;
import dev.patchbay.profiler.Profiler;
import dev.patchbay.profiler.ProfilerConfig;
import dev.patchbay.profiler.ProfilerMeterBinder;
import dev.patchbay.profiler.PrometheusEndpoint;
import dev.patchbay.profiler.SamplingProfiler;
import dev.patchbay.profiler.SignalSampler;
import dev.patchbay.profiler.SiteMeterBinder;
import dev.patchbay.wasi.WasiCommand;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

final class DemoProfiling {
    static final Path FLAMEGRAPH = Paths.get("patchbay-flamegraph.html");
    static final Path JFR = Paths.get("patchbay-demo.jfr");
    /** The JFR events Patchbay commits (JfrEvents). */
    static final String[] JFR_EVENTS = {"dev.patchbay.SitePatchBatch", "dev.patchbay.Trap", "dev.patchbay.EpochInterrupt", "dev.patchbay.GuestSample"};

    private DemoProfiling() {}

    /** Part 5's Store and profilers, which part 7's metrics read; closed after part 7. */
    static final class Profiled implements AutoCloseable {
        final Store store;
        Profiler profiler;
        SamplingProfiler sites;
        /** Whether the flame graph was written. */
        boolean written = true;

        Profiled(Store store) { this.store = store; }

        @Override public void close() {
            if (sites != null) sites.close();
            if (profiler != null) profiler.close();
            store.close();
        }
    }

    /** Part 5; the result's {@code written} is false if the flame graph could not be written (the message is printed). */
    static Profiled profile(DemoCommand demo) throws Exception {
        PrintStream out = demo.out();
        demo.heading(5, "Profile live: profiling turned on in the middle of a run, then off again");
        long onMillis = demo.quick ? 300 : 1000;
        Profiled p = new Profiled(new Store(demo.engine));
        try {
            run(demo, out, onMillis, p);
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
        return p;
    }

    private static void run(DemoCommand demo, PrintStream out, long onMillis, Profiled p) throws Exception {
        Store store = p.store;
        store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
        WasiCommand cmd = DemoCommand.instantiate(store, demo.module, List.of("demo.wasm"), new ByteArrayOutputStream());
        WasmFunction work = cmd.instance().function("work");
        Profiler profiler = p.profiler = Profiler.attach(store, new ProfilerConfig().storeName("demo").moduleName(cmd.instance().instance(), "demo.wasm"));
        SamplingProfiler sites = p.sites = new SamplingProfiler().add(store, "demo");
        SignalSampler signals = new SignalSampler();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        Thread guest = new Thread(() -> {
            // The signal sampler learns its target's thread id here, on the owner.
            signals.add(store, "demo");
            started.countDown();
            try {
                while (!done.get()) {
                    work.call(1);
                    calls.incrementAndGet();
                }
            } catch (Trap t) {
                System.err.println("patchbay demo: the profiled guest trapped: " + t.getMessage());
            }
        }, "demo-profiled");
        guest.start();
        started.await();
        Thread.sleep(100);
        out.printf("  work(1) runs in a loop with idle sites; profiling on for %d ms: site samples, then %d ms of signal samples...%n", 2 * onMillis, onMillis);
        profiler.enable().await(Duration.ofSeconds(5));
        sites.start(Duration.ofMillis(1));
        Thread.sleep(onMillis);
        sites.stop();
        signals.start(Duration.ofMillis(1));
        Thread.sleep(onMillis);
        signals.stop();
        profiler.disable().await(Duration.ofSeconds(5));
        done.set(true);
        guest.join(30_000);
        ProfileSnapshot snap = profiler.snapshot();
        Map<String, Long> siteSelf = sites.selfSamplesByFunction(), signalSelf = signals.selfSamplesByFunction();
        long siteTotal = Math.max(1, sites.samples()), signalTotal = Math.max(1, signals.samples());
        long selfTotal = Math.max(1, snap.functions().stream().mapToLong(FunctionProfile::selfNanos).sum());
        out.printf("  the guest made %d calls of work(1); the functions with the most self time while profiling was on:%n", calls.get());
        out.printf("  %-28s %12s %11s %11s %9s | %12s %14s%n", "function", "calls", "total", "self", "self %", "site samples", "signal samples");
        List<FunctionProfile> rows = new ArrayList<>(snap.functions());
        rows.sort(Comparator.comparingLong(FunctionProfile::selfNanos).reversed());
        for (FunctionProfile r : rows.subList(0, Math.min(8, rows.size()))) {
            if (r.calls() == 0) continue;
            out.printf("  %-28s %,12d %11s %11s %8.1f%% | %11.1f%% %13.1f%%%n", "%" + r.function(), r.calls(), duration(r.totalNanos()),
                duration(r.selfNanos()), 100.0 * r.selfNanos() / selfTotal,
                100.0 * siteSelf.getOrDefault(r.function(), 0L) / siteTotal, 100.0 * signalSelf.getOrDefault(r.function(), 0L) / signalTotal);
        }
        out.printf("  %,d site samples (each lands at the next patch site, so straight-line code is charged to the next%n", sites.samples());
        out.printf("  site) and %,d signal samples at 1 ms (each at the instruction the signal interrupted).%n", signals.samples());
        try {
            OutputFiles.write("the demo's flame graph", FLAMEGRAPH, f -> signals.writeFlameGraph(f, "demo.wasm: work()"));
            out.println("  wrote " + FLAMEGRAPH.toAbsolutePath() + " from the signal samples (self-contained; open it in a browser)");
        } catch (OutputFiles.OutputException e) {
            System.err.println("patchbay: " + e.getMessage());
            p.written = false;
        }
        signals.close();
    }

    /** Part 7; returns false if the JFR file could not be written. */
    static boolean metrics(DemoCommand demo, Profiled p, Jfr jfr) throws Exception {
        PrintStream out = demo.out();
        demo.heading(7, "Metrics: a real scrape of the local Prometheus endpoint, and the JFR recording read back");
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ProfilerMeterBinder(p.profiler, p.sites).bindTo(reg);
        new SiteMeterBinder(demo.engine).store(p.store, "demo").bindTo(reg);
        new EpochMeterBinder(demo.engine).bindTo(reg);
        new CodeMemoryMeterBinder(demo.engine).bindTo(reg);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(reg, 0)) {
            HttpResponse<String> rsp = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(endpoint.uri())).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            out.println("  GET " + endpoint.uri() + " -> HTTP " + rsp.statusCode() + ", " + rsp.body().lines().count() + " lines; a few of them:");
            for (String l : pick(rsp.body(), "function=\"" + demo.function("collatz_len") + "\"")) out.println("    " + l);
        }
        Map<String, Long> counts;
        try {
            counts = jfr.dump(JFR);
        } catch (IOException e) {
            System.err.println("patchbay: cannot write the demo's JFR recording " + JFR + ": " + OutputFiles.reason(e));
            return false;
        }
        out.println("  JFR: the recording that ran through the demo is " + JFR.toAbsolutePath() + " (open it in JDK Mission Control);");
        List<String> parts = new ArrayList<>();
        for (String name : JFR_EVENTS) parts.add(String.format(Locale.ROOT, "%,d %s", counts.getOrDefault(name, 0L), name));
        out.println("  read back: " + String.join(", ", parts));
        return true;
    }

    /** A duration in the unit that keeps 3-4 significant digits. */
    private static String duration(double nanos) {
        if (nanos < 1_000) return String.format(Locale.ROOT, "%.0f ns", nanos);
        if (nanos < 1_000_000) return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        if (nanos < 1_000_000_000) return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** A handful of interesting series, one of each kind. */
    private static List<String> pick(String body, String function) {
        String[] wanted = {"patchbay_function_calls", "patchbay_function_time", "patchbay_function_samples", "patchbay_site_requests",
            "patchbay_site_traps", "patchbay_site_patched", "patchbay_site_on", "patchbay_epoch_interrupts", "patchbay_code_memory",
            "patchbay_stores_live"};
        List<String> out = new ArrayList<>();
        for (String w : wanted) {
            // Per-function series for the hot function, rather than the first (an unused import's).
            body.lines().filter(l -> l.startsWith(w) && (!l.startsWith("patchbay_function") || l.contains(function))).findFirst().ifPresent(out::add);
        }
        return out;
    }

    /** A JFR recording of Patchbay's events for the length of the demo. */
    static final class Jfr implements AutoCloseable {
        private final Recording recording = new Recording();

        static Jfr start() {
            Jfr j = new Jfr();
            j.recording.setName("patchbay-demo");
            for (String e : JFR_EVENTS) j.recording.enable(e).withoutThreshold();
            j.recording.start();
            return j;
        }

        /** Stops the recording, writes it, and counts its events by type, read back from the file. */
        Map<String, Long> dump(Path file) throws IOException {
            recording.stop();
            recording.dump(file);
            Map<String, Long> counts = new TreeMap<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) counts.merge(e.getEventType().getName(), 1L, Long::sum);
            return counts;
        }

        @Override public void close() { recording.close(); }
    }
}
