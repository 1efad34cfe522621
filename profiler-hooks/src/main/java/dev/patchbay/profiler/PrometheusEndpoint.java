/*
 * Problem: let Prometheus (or curl) scrape Patchbay's metrics while a program runs,
 * without pulling in a web framework.
 * Approach: the JDK's built-in HttpServer, bound to the loopback address only, serving
 * GET /metrics from a Micrometer PrometheusMeterRegistry in the Prometheus text format.
 * One daemon thread serves requests, so an open endpoint never keeps the JVM alive.
 */
package dev.patchbay.profiler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a Prometheus registry's metrics at {@code http://127.0.0.1:PORT/metrics} with the JDK's
 * HttpServer, on a daemon thread.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PrometheusEndpoint.class.getName());
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;

    private PrometheusEndpoint(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
    }

    /** Serves the registry at http://127.0.0.1:port/metrics (port 0 picks a free port). */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "patchbay-metrics");
            t.setDaemon(true);
            return t;
        });
        PrometheusEndpoint ep = new PrometheusEndpoint(server, executor, registry);
        server.createContext("/metrics", ep::handle);
        server.setExecutor(executor);
        server.start();
        LOG.log(System.Logger.Level.DEBUG, "serving metrics at " + ep.uri());
        return ep;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", CONTENT_TYPE);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "metrics scrape failed", e);
            throw e;
        }
    }

    public int port() { return server.getAddress().getPort(); }

    /** The scrape URL, e.g. http://127.0.0.1:9464/metrics. */
    public String uri() { return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + "/metrics"; }

    @Override public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
