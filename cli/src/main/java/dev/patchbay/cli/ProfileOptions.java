/*
 * Problem: `patchbay run` should profile the program it runs: count and time calls, sample
 * stacks into a flame graph, and serve live metrics, all opt-in.
 * Approach: a picocli mixin with the profiling flags and a Session that RunCommand starts
 * after instantiating and finishes after the call:
 *   --profile            native entry/exit hooks; a table (function, calls, total, self,
 *                        mean) prints at the end
 *   --sample PERIOD      the sampling profiler (e.g. 1ms); --flamegraph implies 1ms
 *   --sampler KIND       sites (the default: the site-biased SamplingProfiler, which stops
 *                        at the next patch site) or signal (the SignalSampler: a signal
 *                        interrupts the owner at any instruction)
 *   --flamegraph FILE    a self-contained HTML (or .svg) flame graph of the samples
 *   --collapsed FILE     the samples in Brendan Gregg's collapsed format (flamegraph.pl,
 *                        speedscope, async-profiler's converters read it); implies 1ms too
 *   --metrics-port PORT  Prometheus metrics at http://127.0.0.1:PORT/metrics while the
 *                        program runs; --hold keeps serving after it until interrupted
 * The flags live here rather than in RunCommand so that command stays small.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.profiler.CodeMemoryMeterBinder;
import dev.patchbay.profiler.EpochMeterBinder;
import dev.patchbay.profiler.JfrEvents;
import dev.patchbay.profiler.PrometheusEndpoint;
import dev.patchbay.profiler.Profiler;
import dev.patchbay.profiler.ProfilerConfig;
import dev.patchbay.profiler.ProfilerMeterBinder;
import dev.patchbay.profiler.SamplingProfiler;
import dev.patchbay.profiler.SignalSampler;
import dev.patchbay.profiler.SiteMeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

final class ProfileOptions {
    @Option(names = "--profile", description = "Count and time every function with the native profile hooks; print a table at the end.")
    boolean profile;

    @Option(names = "--sample", paramLabel = "PERIOD", description = "Sample guest stacks every PERIOD (e.g. 1ms, 500us; 10us to 1h) at the next patch site.")
    String sample;

    @Option(names = "--sampler", paramLabel = "KIND", description = "Which sampler --sample, --flamegraph and --collapsed use: sites (default; stops at the next patch site, so straight-line code is charged to the next site) or signal (a signal interrupts the guest at any instruction).")
    String sampler;

    @Option(names = "--flamegraph", paramLabel = "FILE", description = "Write the samples as a flame graph: HTML, or SVG if FILE ends in .svg (samples every 1ms unless --sample says otherwise).")
    Path flamegraph;

    @Option(names = "--collapsed", paramLabel = "FILE", description = "Write the samples in the collapsed-stack format of flamegraph.pl: one 'outer;inner count' line per stack (samples every 1ms unless --sample says otherwise).")
    Path collapsed;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the program runs (0 picks a free port).")
    Integer metricsPort;

    @Option(names = "--hold", description = "With --metrics-port: keep serving metrics after the run until interrupted (Ctrl-C).")
    boolean hold;

    boolean any() { return profile || sample != null || flamegraph != null || collapsed != null || metricsPort != null; }

    static final Duration MIN_SAMPLE = Duration.ofNanos(10_000), MAX_SAMPLE = Duration.ofHours(1);

    private Duration period;

    /** Parses and checks the flags before any work; throws IllegalArgumentException naming the flag. */
    void validate() {
        if (hold && metricsPort == null) throw new IllegalArgumentException("--hold needs --metrics-port");
        if (metricsPort != null) Values.count("--metrics-port", metricsPort, 0, 65535);
        if (sampler != null && !sampler.equals("sites") && !sampler.equals("signal")) {
            throw new IllegalArgumentException("--sampler must be sites or signal, not '" + sampler + "'");
        }
        period = sample != null ? Values.duration("--sample", sample, MIN_SAMPLE, MAX_SAMPLE)
            : flamegraph != null || collapsed != null ? Duration.ofMillis(1) : null;
        OutputFiles.check("--flamegraph", flamegraph);
        OutputFiles.check("--collapsed", collapsed);
    }

    /** Starts what the flags ask for. Throws an OptionException, naming the flag, for what cannot be started. */
    Session start(Engine engine, Store store, Instance inst, Path file) {
        validate();
        Session s = new Session(store);
        if (!any()) return s;
        String module = file.getFileName().toString();
        JfrEvents.register(engine).name(store, "main");
        try {
            if (profile || metricsPort != null) {
                try {
                    s.profiler = Profiler.attach(store, new ProfilerConfig().storeName("main").moduleName(inst, module));
                } catch (IllegalStateException e) {
                    // --metrics-port alone goes on without per-function counters.
                    if (profile) {
                        throw new OptionException("--profile needs profile sites, and " + module + " was compiled without them (--instrument="
                            + instrumented(inst) + "); use --instrument=all or profile-entry,profile-exit");
                    }
                }
                if (profile) s.profiler.enable();
            }
            if (period != null && "signal".equals(sampler)) s.signalSampler = new SignalSampler().add(store, "main");
            else if (period != null) s.sampler = new SamplingProfiler().add(store, "main");
            if (metricsPort != null) {
                PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                if (s.profiler != null) {
                    (s.signalSampler != null ? new ProfilerMeterBinder(s.profiler, s.signalSampler) : new ProfilerMeterBinder(s.profiler, s.sampler)).bindTo(reg);
                }
                new SiteMeterBinder(engine).store(store, "main").bindTo(reg);
                new EpochMeterBinder(engine).bindTo(reg);
                new CodeMemoryMeterBinder(engine).bindTo(reg);
                s.endpoint = PrometheusEndpoint.start(reg, metricsPort);
                System.err.println("metrics: " + s.endpoint.uri());
            }
            if (s.sampler != null) s.sampler.start(period);
            if (s.signalSampler != null) s.signalSampler.start(period);
        } catch (IOException e) {
            s.abort();
            throw new OptionException("--metrics-port=" + metricsPort + ": cannot serve metrics on 127.0.0.1:" + metricsPort + ": " + OutputFiles.reason(e));
        } catch (RuntimeException e) {
            s.abort();
            throw e;
        }
        s.flamegraph = flamegraph;
        s.collapsed = collapsed;
        s.hold = hold;
        s.showTable = profile;
        return s;
    }

    /** The site kinds the instance's code has, as --instrument names them. */
    private static String instrumented(Instance inst) {
        Set<String> kinds = new TreeSet<>();
        for (PatchSite p : inst.module().compiled().patchSites) kinds.add(p.kind.label());
        return kinds.isEmpty() ? "none" : String.join(",", kinds);
    }

    /** What a run started; finish() reports and releases it. */
    static final class Session {
        private final Store store;
        Profiler profiler;
        SamplingProfiler sampler;
        SignalSampler signalSampler;
        PrometheusEndpoint endpoint;
        Path flamegraph, collapsed;
        boolean hold, showTable;

        Session(Store store) { this.store = store; }

        /**
         * Stops sampling, prints the table, writes the flame graph; with --hold serves until
         * interrupted. Returns false if an output file could not be written (the message is
         * printed).
         */
        boolean finish() {
            return finish(System.out, System.err);
        }

        boolean finish(PrintStream out, PrintStream err) {
            boolean ok = true;
            if (sampler != null) {
                sampler.stop();
                err.println("samples: " + sampler.samples() + " (site-biased: each lands at the next patch site reached)");
                if (flamegraph != null) {
                    ok &= write(err, "--flamegraph", flamegraph, f -> sampler.writeFlameGraph(f, "patchbay: " + f.getFileName()));
                }
                if (collapsed != null) ok &= write(err, "--collapsed", collapsed, sampler::writeCollapsedStacks);
            }
            if (signalSampler != null) {
                signalSampler.stop();
                err.println("samples: " + signalSampler.samples() + " (signal: at any instruction; " + signalSampler.signalsSent() + " signals, "
                    + signalSampler.notInGuest() + " outside guest code, " + signalSampler.drops() + " dropped)");
                if (flamegraph != null) {
                    ok &= write(err, "--flamegraph", flamegraph, f -> signalSampler.writeFlameGraph(f, "patchbay: " + f.getFileName()));
                }
                if (collapsed != null) ok &= write(err, "--collapsed", collapsed, signalSampler::writeCollapsedStacks);
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
            return ok;
        }

        private static boolean write(PrintStream err, String option, Path file, OutputFiles.Writer writer) {
            try {
                OutputFiles.write(option, file, writer);
                err.println("wrote " + file);
                return true;
            } catch (OutputFiles.OutputException e) {
                err.println("patchbay: " + e.getMessage());
                return false;
            }
        }

        /** Releases everything without reporting. */
        void abort() {
            if (sampler != null) sampler.close();
            if (signalSampler != null) signalSampler.close();
            if (endpoint != null) endpoint.close();
            if (profiler != null && !store.isClosed()) profiler.close();
        }
    }
}
