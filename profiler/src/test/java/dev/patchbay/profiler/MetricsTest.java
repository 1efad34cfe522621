/*
 * Metrics: the binders register Micrometer meters with the expected names, tags and values,
 * a scrape of the Prometheus endpoint over HTTP (loopback only) returns the patchbay_
 * series, and Prometheus's own linter (promtool check metrics) passes that scrape.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class MetricsTest {
    @Test
    void bindersExposeProfilerSiteEpochAndCodeMemoryMeters() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            try (Profiler p = Profiler.attach(store, new ProfilerConfig().storeName("s1").moduleName(inst, "fib.clif"))) {
                SimpleMeterRegistry reg = new SimpleMeterRegistry();
                new ProfilerMeterBinder(p).bindTo(reg);
                new SiteMeterBinder(engine).store(store, "s1").bindTo(reg);
                new EpochMeterBinder(engine).bindTo(reg);
                new CodeMemoryMeterBinder(engine).bindTo(reg);
                p.enable().await(Duration.ofSeconds(5));
                inst.func("fib").call(20);
                assertEquals(21_891, reg.get("patchbay.function.calls").tags("function", "fib", "module", "fib.clif", "store", "s1")
                    .functionCounter().count());
                assertTrue(reg.get("patchbay.function.time").functionCounter().count() > 0);
                assertTrue(reg.get("patchbay.function.self.time").functionCounter().count() > 0);
                assertEquals(3, reg.get("patchbay.site.on").tag("store", "s1").gauge().value(), "the entry site and both exit sites of fib");
                assertTrue(reg.get("patchbay.site.requests").functionCounter().count() >= 1);
                assertTrue(reg.get("patchbay.site.patched").functionCounter().count() >= 2);
                assertTrue(reg.get("patchbay.site.patch.duration").timer().count() >= 1);
                assertEquals(0, reg.get("patchbay.epoch.interrupts").functionCounter().count());
                assertTrue(reg.get("patchbay.code.memory.mapped").gauge().value() > 0);
                assertTrue(reg.get("patchbay.stores.live").gauge().value() >= 1);
            }
        }
    }

    @Test
    void prometheusEndpointServesPatchbaySeries() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (Profiler p = Profiler.attach(store, new ProfilerConfig().storeName("main").moduleName(inst, "hotcold.clif"));
                 SamplingProfiler sp = new SamplingProfiler(store);
                 PrometheusEndpoint ep = PrometheusEndpoint.start(reg, 0)) {
                new ProfilerMeterBinder(p, sp).bindTo(reg);
                new SiteMeterBinder(engine).store(store, "main").bindTo(reg);
                new EpochMeterBinder(engine).bindTo(reg);
                new CodeMemoryMeterBinder(engine).bindTo(reg);
                p.enable().await(Duration.ofSeconds(5));
                inst.func("main").call(1000);
                System.gc(); // meters must not depend on objects only they reference (Micrometer holds them weakly)
                assertTrue(ep.uri().startsWith("http://127.0.0.1:"), ep.uri());
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ep.uri())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                String body = r.body();
                for (String series : new String[] {
                    "patchbay_function_calls_total{function=\"hot\",module=\"hotcold.clif\",store=\"main\"} 1",
                    "patchbay_function_calls_total{function=\"main\",module=\"hotcold.clif\",store=\"main\"} 1",
                    "patchbay_function_time_seconds_total{", "patchbay_function_self_time_seconds_total{",
                    "patchbay_function_samples_total{", "patchbay_site_on{store=\"main\"} 6",
                    "patchbay_site_requests_total", "patchbay_site_traps_total", "patchbay_site_patched_total",
                    "patchbay_site_patch_duration_seconds_count", "patchbay_site_patch_duration_seconds_sum",
                    "patchbay_site_patch_duration_seconds_max",
                    "patchbay_epoch_interrupts_total", "patchbay_epoch_deadlines_total", "patchbay_epoch_continues_total",
                    "patchbay_epoch_yields_total", "patchbay_code_memory_mapped_bytes", "patchbay_stores_live",
                }) {
                    assertTrue(body.contains(series), "scrape has " + series + ":\n" + body);
                }
                HttpResponse<String> nf = http.send(HttpRequest.newBuilder(URI.create(ep.uri().replace("/metrics", "/nope"))).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(404, nf.statusCode());
            }
        }
    }

    @Test
    void promtoolPassesAScrapeOfEveryBinder() throws Exception {
        Promtool.require();
        // promtool does find problems: a counter without _total and a meter without help.
        Promtool.Result bad = Promtool.checkMetrics("# TYPE patchbay_bad counter\npatchbay_bad 1\n");
        assertNotEquals(0, bad.exit(), bad.output());
        assertTrue(bad.output().contains("_total"), bad.output());

        try (Engine engine = new Engine(new dev.patchbay.EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (Profiler p = Profiler.attach(store, new ProfilerConfig().storeName("main").moduleName(inst, "hotcold.clif"));
                 SamplingProfiler sp = new SamplingProfiler(store);
                 ProfilerMeterBinder pb = new ProfilerMeterBinder(p, sp);
                 SiteMeterBinder sb = new SiteMeterBinder(engine).store(store, "main");
                 EpochMeterBinder eb = new EpochMeterBinder(engine);
                 CodeMemoryMeterBinder cb = new CodeMemoryMeterBinder(engine);
                 PrometheusEndpoint ep = PrometheusEndpoint.start(reg, 0)) {
                pb.bindTo(reg);
                sb.bindTo(reg);
                eb.bindTo(reg);
                cb.bindTo(reg);
                p.enable().await(Duration.ofSeconds(5));
                inst.func("main").call(1000);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                String body = http.send(HttpRequest.newBuilder(URI.create(ep.uri())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(body.contains("patchbay_site_patch_duration_seconds_max"), body);
                Promtool.Result r = Promtool.checkMetrics(body);
                assertEquals(0, r.exit(), () -> "promtool check metrics:\n" + r.output() + "\non the scrape:\n" + body);
                assertEquals("", r.output().strip(), "promtool had remarks");
            }
        }
    }
}
