/*
 * Parts 4 and 5 of the demo, which share one running program: examples/hot-cold.clif
 * runs on a guest thread; profiling (native entry/exit counters and 1 ms sampling) is
 * turned on in the middle of the run and off again; the table and a flame graph are
 * produced; then the local Prometheus endpoint is scraped over HTTP while the Store is
 * still alive, and a few patchbay_ series are shown.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.profiler.CodeMemoryMeterBinder;
import dev.patchbay.profiler.EpochMeterBinder;
import dev.patchbay.profiler.ProfileSnapshot;
import dev.patchbay.profiler.Profiler;
import dev.patchbay.profiler.ProfilerConfig;
import dev.patchbay.profiler.ProfilerMeterBinder;
import dev.patchbay.profiler.PrometheusEndpoint;
import dev.patchbay.profiler.SamplingProfiler;
import dev.patchbay.profiler.SiteMeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

final class DemoProfiling {
    static final Path FLAMEGRAPH = Paths.get("patchbay-flamegraph.html");

    private DemoProfiling() {}

    /** Runs parts 4 and 5; returns false if the flame graph could not be written (the message is printed). */
    static boolean run(DemoCommand demo, boolean quick) throws Exception {
        boolean written = true;
        PrintStream out = demo.out();
        demo.heading(4, "Profile live: profiling turned on in the middle of a run, then off again");
        long onMillis = quick ? 300 : 1000;
        try (Engine engine = new Engine(demo.config().epochInterruption(true)); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(DemoCommand.compile("hot-cold", InstrumentationPlan.all())));
            Func main = inst.func("main");
            Profiler profiler = Profiler.attach(store, new ProfilerConfig().storeName("demo").moduleName(inst, "hot-cold.clif"));
            SamplingProfiler sampler = new SamplingProfiler().add(store, "demo");
            CountDownLatch started = new CountDownLatch(1);
            Thread guest = new Thread(() -> {
                started.countDown();
                try {
                    main.call(Long.MAX_VALUE);
                } catch (Trap stopped) {
                    // interrupted at the end of the demo
                }
            }, "demo-hot-cold");
            guest.start();
            started.await();
            Thread.sleep(100);
            out.printf("  the program runs with idle sites; profiling on for %d ms...%n", onMillis);
            profiler.enable().await(Duration.ofSeconds(5));
            sampler.start(Duration.ofMillis(1));
            Thread.sleep(onMillis);
            sampler.stop();
            profiler.disable().await(Duration.ofSeconds(5));
            ProfileSnapshot snap = profiler.snapshot();
            out.print(snap.format().replaceAll("(?m)^", "  "));
            Map<String, Long> self = sampler.selfSamplesByFunction();
            long total = sampler.samples();
            out.printf("  %d samples at 1 ms (site-biased: samples land at sites): %s%n", total, shares(self, total));
            try {
                OutputFiles.write("the demo's flame graph", FLAMEGRAPH, f -> sampler.writeFlameGraph(f, "examples/hot-cold.clif"));
                out.println("  wrote " + FLAMEGRAPH.toAbsolutePath() + " (self-contained; open it in a browser)");
            } catch (OutputFiles.OutputException e) {
                System.err.println("patchbay: " + e.getMessage());
                written = false;
            }

            demo.heading(5, "Metrics: a real scrape of the local Prometheus endpoint");
            PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new ProfilerMeterBinder(profiler, sampler).bindTo(reg);
            new SiteMeterBinder(engine).store(store, "demo").bindTo(reg);
            new EpochMeterBinder(engine).bindTo(reg);
            new CodeMemoryMeterBinder(engine).bindTo(reg);
            try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(reg, 0)) {
                HttpResponse<String> rsp = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(endpoint.uri())).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
                out.println("  GET " + endpoint.uri() + " -> HTTP " + rsp.statusCode() + ", " + rsp.body().lines().count() + " lines; a few of them:");
                for (String l : pick(rsp.body())) out.println("    " + l);
            }
            store.interrupt();
            guest.join(10_000);
            sampler.close();
            profiler.close();
        }
        return written;
    }

    private static String shares(Map<String, Long> self, long total) {
        List<String> parts = new ArrayList<>();
        self.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .forEach(e -> parts.add("%" + e.getKey() + " " + Math.round(100.0 * e.getValue() / Math.max(1, total)) + "%"));
        return String.join(", ", parts);
    }

    /** A handful of interesting series, one of each kind. */
    private static List<String> pick(String body) {
        String[] wanted = {"patchbay_function_calls", "patchbay_function_time", "patchbay_function_samples", "patchbay_site_requests",
            "patchbay_site_traps", "patchbay_site_patched", "patchbay_site_on", "patchbay_epoch_interrupts", "patchbay_code_memory",
            "patchbay_stores_live"};
        List<String> out = new ArrayList<>();
        for (String w : wanted) {
            body.lines().filter(l -> l.startsWith(w) && !l.startsWith("#")).findFirst().ifPresent(out::add);
        }
        return out;
    }
}
