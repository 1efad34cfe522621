/*
 * Problem: let Prometheus (or curl) scrape Patchbay's metrics while a program runs, in the
 * format the scraper asks for, without pulling in a web framework, and without one slow or
 * stuck client holding up every other scrape.
 * Approach: the Prometheus project's own exporter (prometheus-metrics-exporter-httpserver,
 * the release micrometer-registry-prometheus is built on) serves the registry's
 * PrometheusRegistry at /metrics, so the exposition is theirs: content negotiation by the
 * Accept header (OpenMetrics 1.0 for a scraper that asks for it, the 0.0.4 text format
 * otherwise, protobuf where the client asks for it), gzip, name[] filters. It runs on the
 * JDK's HttpServer, bound to the loopback address only, with our executor. Its dispatcher
 * thread accepts connections and hands each one to the executor when the first bytes of
 * a request arrive; the executor's thread then reads the request line and headers, builds
 * the scrape and writes it. So:
 *  - Scrapes run concurrently on a bounded pool (DEFAULT_THREADS daemon threads, with
 *    QUEUE_LENGTH more exchanges waiting); past that the server refuses the connection
 *    (the JDK closes it when the executor rejects the exchange). A connection that has
 *    sent nothing, or sits idle between requests, holds no thread: the JDK closes it
 *    after its idle interval (sun.net.httpserver.idleInterval, 30 s by default).
 *  - Every exchange has a deadline (the timeout, counted from when it got a thread). A
 *    watchdog interrupts the thread of an exchange still running then; the JDK reads and
 *    writes the connection through a blocking SocketChannel, an InterruptibleChannel, so
 *    the interrupt closes the connection. A client that sends half a request line, or
 *    reads its response too slowly, is disconnected and frees its thread. (The JDK's own
 *    request timeouts, sun.net.httpserver.maxReqTime and maxRspTime, are process-wide
 *    system properties read once; the exporter sets them to 60 s and 600 s when it is
 *    first loaded, unless they are set already.)
 *  - Paths other than /metrics and the exporter's /-/healthy get 404.
 * The threads are daemons, so an open endpoint never keeps the JVM alive; the exporter
 * starts the server from a pool thread for that reason (the JDK's dispatcher thread
 * inherits the daemon flag of the thread that starts it).
 */
package dev.patchbay.profiler;

import com.sun.net.httpserver.HttpExchange;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a Prometheus registry's metrics at {@code http://127.0.0.1:PORT/metrics} with the
 * Prometheus project's exporter ({@code io.prometheus:prometheus-metrics-exporter-httpserver})
 * on the JDK's HttpServer, on the loopback address only. The format follows the scraper's
 * {@code Accept} header: OpenMetrics text when asked for, the Prometheus text format
 * otherwise. Scrapes run on a small pool of daemon threads, each with a deadline, so a
 * slow or stuck client holds up no other scrape and an open endpoint never keeps the JVM
 * alive. Thread-safe; close it to stop serving.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PrometheusEndpoint.class.getName());

    /** Threads that serve exchanges at once. */
    public static final int DEFAULT_THREADS = 4;
    /** Exchanges that may wait for a thread; beyond threads + this, connections are refused. */
    public static final int QUEUE_LENGTH = 16;
    /** How long one exchange (reading the request, scraping, writing the response) may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor watchdog;
    private final long timeoutNanos;
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private HTTPServer server;

    private PrometheusEndpoint(Duration timeout, int threads) {
        this.timeoutNanos = timeout.toNanos();
        AtomicInteger n = new AtomicInteger();
        // Every task the server hands over (the exchanges, and the exporter's start of the
        // server itself) runs under a deadline.
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_LENGTH), r -> {
            Thread t = new Thread(r, "patchbay-metrics-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (r, pool) -> {
            refused.incrementAndGet();
            // The JDK server closes the connection when execute() throws.
            throw new RejectedExecutionException("metrics endpoint busy: " + threads + " exchanges running, " + QUEUE_LENGTH + " waiting");
        }) {
            @Override public void execute(Runnable task) { super.execute(new Guarded(task)); }
        };
        executor.allowCoreThreadTimeOut(true);
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "patchbay-metrics-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /**
     * Serves a registry with {@link #DEFAULT_TIMEOUT} and {@link #DEFAULT_THREADS}.
     *
     * @param registry the registry to scrape
     * @param port the loopback port, or 0 for a free one ({@link #port()} says which)
     * @return the running endpoint
     * @throws IOException if the port cannot be bound
     * @throws IllegalArgumentException if registry is null or port is out of range
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port) throws IOException {
        return start(registry, port, DEFAULT_TIMEOUT, DEFAULT_THREADS);
    }

    /**
     * Serves a registry with at most {@code threads} exchanges at once and {@link
     * #QUEUE_LENGTH} more waiting (further connections are refused), each ended, its
     * connection closed, if still running after {@code timeout}.
     *
     * @param registry the registry to scrape
     * @param port the loopback port, or 0 for a free one ({@link #port()} says which)
     * @param timeout the deadline of one exchange, more than 0 and at most 1 hour
     * @param threads the threads serving exchanges, 1 to 64
     * @return the running endpoint
     * @throws IOException if the port cannot be bound
     * @throws IllegalArgumentException if an argument is null or out of range
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port, Duration timeout, int threads) throws IOException {
        if (registry == null) throw new IllegalArgumentException("registry is null");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("timeout must be more than 0 and at most 1 hour: " + timeout);
        }
        if (threads < 1 || threads > 64) throw new IllegalArgumentException("threads must be between 1 and 64: " + threads);
        PrometheusEndpoint ep = new PrometheusEndpoint(timeout, threads);
        try {
            ep.server = HTTPServer.builder()
                .inetAddress(InetAddress.getLoopbackAddress())
                .port(port)
                .registry(registry.getPrometheusRegistry())
                .executorService(ep.executor)
                .defaultHandler(PrometheusEndpoint::notFound)
                .buildAndStart();
        } catch (IOException | RuntimeException e) {
            ep.executor.shutdownNow();
            ep.watchdog.shutdownNow();
            throw e;
        }
        LOG.log(System.Logger.Level.DEBUG, "serving metrics at " + ep.uri());
        return ep;
    }

    /** Everything but the exporter's own paths (/metrics, /-/healthy). */
    private static void notFound(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(404, -1);
        }
    }

    /**
     * One exchange and its deadline. The watchdog interrupts the thread only while the
     * exchange is still running on it, and the thread clears any interrupt under the same
     * lock when it ends, so a late deadline never reaches the next exchange on that thread.
     */
    private final class Guarded implements Runnable {
        private final Runnable exchange;
        private Thread thread;
        private boolean done;

        Guarded(Runnable exchange) { this.exchange = exchange; }

        @Override public void run() {
            synchronized (this) {
                thread = Thread.currentThread();
            }
            ScheduledFuture<?> deadline;
            try {
                deadline = watchdog.schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                return; // close() has begun; stopping the server closes the connection
            }
            try {
                exchange.run();
            } finally {
                deadline.cancel(false);
                synchronized (this) {
                    done = true;
                    Thread.interrupted();
                }
            }
        }

        private synchronized void expire() {
            if (done) return;
            timedOut.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "metrics exchange still running after the timeout; closing its connection");
            thread.interrupt();
        }
    }

    /**
     * The port the endpoint listens on.
     *
     * @return the port, the one picked if 0 was asked for
     */
    public int port() { return server.getPort(); }

    /**
     * The scrape URL.
     *
     * @return the URL, such as {@code http://127.0.0.1:9464/metrics}
     */
    public String uri() { return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port() + "/metrics"; }

    /**
     * Exchanges ended by the timeout so far (their connections were closed).
     *
     * @return the count
     */
    public long exchangesTimedOut() { return timedOut.get(); }

    /**
     * Connections refused so far because every thread was busy and the queue was full.
     *
     * @return the count
     */
    public long exchangesRefused() { return refused.get(); }

    /** Stops serving at once: the server, its threads and running exchanges. */
    @Override public void close() {
        server.close();
        executor.shutdownNow();
        watchdog.shutdownNow();
    }
}
