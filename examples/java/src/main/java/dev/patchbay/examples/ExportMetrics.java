/*
 * Export Patchbay's metrics through Micrometer: per-function profiles, site patching,
 * epochs and code memory, here into a Prometheus registry (any MeterRegistry works). The
 * meters read the native counters only when the registry is scraped, here also over
 * HTTP through PrometheusEndpoint, as a Prometheus server would. JfrEvents sends the same
 * story to JFR (patch batches, traps, epochs) while a recording runs.
 *
 *   mvn -q package exec:exec@export-metrics
 */
package dev.patchbay.examples;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.profiler.CodeMemoryMeterBinder;
import dev.patchbay.profiler.EpochMeterBinder;
import dev.patchbay.profiler.JfrEvents;
import dev.patchbay.profiler.Profiler;
import dev.patchbay.profiler.ProfilerConfig;
import dev.patchbay.profiler.ProfilerMeterBinder;
import dev.patchbay.profiler.PrometheusEndpoint;
import dev.patchbay.profiler.SiteMeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

public final class ExportMetrics {
    public static void main(String[] args) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true).profiling(true)); Store store = new Store(engine)) {
            Instance instance = store.instantiate(Module.fromClif(engine, "fib.clif", CompileAndCall.FIB));
            JfrEvents jfr = JfrEvents.register(engine).name(store, "example");
            try (Profiler profiler = Profiler.attach(store, new ProfilerConfig().storeName("example"))) {
                new ProfilerMeterBinder(profiler).bindTo(registry);
                new SiteMeterBinder(engine).store(store, "example").bindTo(registry);
                new EpochMeterBinder(engine).bindTo(registry);
                new CodeMemoryMeterBinder(engine).bindTo(registry);

                check(profiler.enable("fib").await(Duration.ofSeconds(5)), "fib's profile sites turned on");
                instance.func("fib").call(15);

                double calls = registry.get("patchbay.function.calls").tag("function", "fib").functionCounter().count();
                double mapped = registry.get("patchbay.code.memory.mapped").gauge().value();
                String scrape = registry.scrape();
                scrape.lines().filter(l -> l.startsWith("patchbay_function_calls") || l.startsWith("patchbay_code_memory_mapped")
                    || l.startsWith("patchbay_site_requests")).forEach(System.out::println);

                check(calls == 1973, "fib(15) calls fib 1,973 times, the counter says " + calls);
                check(mapped > 0, "code memory is mapped: " + mapped);
                check(scrape.contains("patchbay_function_calls_total{function=\"fib\""), "the scrape has fib's call counter");

                try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
                    HttpResponse<String> r = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(endpoint.uri())).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    System.out.println("scraped " + endpoint.uri() + ": HTTP " + r.statusCode() + ", " + r.body().length() + " bytes");
                    check(r.statusCode() == 200, "the endpoint answers 200, not " + r.statusCode());
                    check(r.body().contains("patchbay_function_calls_total{function=\"fib\""), "the HTTP scrape has fib's call counter");
                }
            }
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
