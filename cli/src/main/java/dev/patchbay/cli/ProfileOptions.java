/*
 * Problem: `patchbay run` should profile the program it runs: count and time calls, sample
 * stacks into a flame graph, and serve live metrics, all opt-in.
 * Approach: a picocli mixin with the profiling flags and a Session that RunCommand starts
 * after instantiating and finishes after the call:
 *   --profile            native entry/exit hooks; a table (function, calls, total, self,
 *                        mean) prints at the end
 *   --sample PERIOD      the sampling profiler (e.g. 1ms); --flamegraph implies 1ms
 *   --flamegraph FILE    a self-contained HTML (or .svg) flame graph of the samples
 *   --metrics-port PORT  Prometheus metrics at http://127.0.0.1:PORT/metrics while the
 *                        program runs; --hold keeps serving after it until interrupted
 * The flags live here rather than in RunCommand so that command stays small.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.profiler.CodeMemoryMeterBinder;
import dev.patchbay.profiler.EpochMeterBinder;
import dev.patchbay.profiler.JfrEvents;
import dev.patchbay.profiler.PrometheusEndpoint;
import dev.patchbay.profiler.Profiler;
import dev.patchbay.profiler.ProfilerConfig;
import dev.patchbay.profiler.ProfilerMeterBinder;
import dev.patchbay.profiler.SamplingProfiler;
import dev.patchbay.profiler.SiteMeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class ProfileOptions {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s)");

    @Option(names = "--profile", description = "Count and time every function with the native profile hooks; print a table at the end.")
    boolean profile;

    @Option(names = "--sample", paramLabel = "PERIOD", description = "Sample guest stacks every PERIOD (e.g. 1ms, 500us) at the next patch site.")
    String sample;

    @Option(names = "--flamegraph", paramLabel = "FILE", description = "Write the samples as a flame graph: HTML, or SVG if FILE ends in .svg (samples every 1ms unless --sample says otherwise).")
    Path flamegraph;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the program runs.")
    Integer metricsPort;

    @Option(names = "--hold", description = "With --metrics-port: keep serving metrics after the run until interrupted (Ctrl-C).")
    boolean hold;

    boolean any() { return profile || sample != null || flamegraph != null || metricsPort != null; }

    /** Starts what the flags ask for. Throws IllegalArgumentException for bad flag values. */
    Session start(Engine engine, Store store, Instance inst, Path file) {
        if (hold && metricsPort == null) throw new IllegalArgumentException("--hold needs --metrics-port");
        Duration period = sample != null ? parseDuration(sample) : flamegraph != null ? Duration.ofMillis(1) : null;
        Session s = new Session(store);
        if (!any()) return s;
        String module = file.getFileName().toString();
        JfrEvents.register(engine).name(store, "main");
        try {
            if (profile || metricsPort != null) {
                try {
                    s.profiler = Profiler.attach(store, new ProfilerConfig().storeName("main").moduleName(inst, module));
                } catch (IllegalStateException e) {
                    if (profile) throw new IllegalArgumentException(e.getMessage());
                }
                if (profile) s.profiler.enable();
            }
            if (period != null) s.sampler = new SamplingProfiler().add(store, "main");
            if (metricsPort != null) {
                PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                if (s.profiler != null) new ProfilerMeterBinder(s.profiler, s.sampler).bindTo(reg);
                new SiteMeterBinder(engine).store(store, "main").bindTo(reg);
                new EpochMeterBinder(engine).bindTo(reg);
                new CodeMemoryMeterBinder(engine).bindTo(reg);
                s.endpoint = PrometheusEndpoint.start(reg, metricsPort);
                System.err.println("metrics: " + s.endpoint.uri());
            }
            if (s.sampler != null) s.sampler.start(period);
        } catch (IOException e) {
            s.abort();
            throw new IllegalArgumentException("cannot serve metrics on port " + metricsPort + ": " + e.getMessage());
        } catch (RuntimeException e) {
            s.abort();
            throw e;
        }
        s.flamegraph = flamegraph;
        s.hold = hold;
        s.showTable = profile;
        return s;
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 1ms, 500us, 2s)");
        double v = Double.parseDouble(m.group(1));
        double nanos = v * switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            default -> 1e9;
        };
        if (nanos < 10_000) throw new IllegalArgumentException("sampling period " + text + " is below the 10us minimum");
        if (nanos > 3.6e12) throw new IllegalArgumentException("sampling period " + text + " is above one hour");
        return Duration.ofNanos((long) nanos);
    }

    /** What a run started; finish() reports and releases it. */
    static final class Session {
        private final Store store;
        Profiler profiler;
        SamplingProfiler sampler;
        PrometheusEndpoint endpoint;
        Path flamegraph;
        boolean hold, showTable;

        Session(Store store) { this.store = store; }

        /** Stops sampling, prints the table, writes the flame graph; with --hold serves until interrupted. */
        void finish() {
            finish(System.out, System.err);
        }

        void finish(PrintStream out, PrintStream err) {
            if (sampler != null) {
                sampler.stop();
                err.println("samples: " + sampler.samples() + " (site-biased: each lands at the next patch site reached)");
                if (flamegraph != null) {
                    try {
                        sampler.writeFlameGraph(flamegraph, "patchbay: " + flamegraph.getFileName());
                        err.println("wrote " + flamegraph);
                    } catch (IOException e) {
                        err.println("patchbay: cannot write " + flamegraph + ": " + e.getMessage());
                    }
                }
            }
            if (showTable && profiler != null) {
                out.println();
                out.print(profiler.snapshot().format());
                out.flush();
            }
            if (hold && endpoint != null) {
                err.println("holding: metrics stay at " + endpoint.uri() + " until interrupted (Ctrl-C)");
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            abort();
        }

        /** Releases everything without reporting. */
        void abort() {
            if (sampler != null) sampler.close();
            if (endpoint != null) endpoint.close();
            if (profiler != null && !store.isClosed()) profiler.close();
        }
    }
}
