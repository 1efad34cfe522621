/*
 * The Prometheus endpoint: the official exporter's content negotiation (OpenMetrics for a
 * scraper that asks for it, the text format otherwise), the same client release that
 * Micrometer's registry uses, 404 off its paths; and under hostile local clients (issue
 * 13, item 13): a client that sends half a request line and holds the connection must not
 * block other scrapes; it is disconnected after the timeout, also when it trickles bytes;
 * and the number of threads is bounded (excess connections are refused, not queued
 * without limit). Only loopback connections, bounded in number and time.
 */
package dev.patchbay.profiler;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class PrometheusEndpointTest {
    static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        reg.counter("patchbay.test.scrapes").increment();
        return reg;
    }

    /** A connection that has sent the first half of a request line and then nothing. */
    static Socket halfRequest(PrometheusEndpoint ep) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), ep.port());
        OutputStream out = s.getOutputStream();
        out.write("GET /metr".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Waits for the server to close the connection; returns how long that took, or fails after maxMillis. */
    static long millisUntilClosed(Socket s, long maxMillis) throws IOException {
        long t0 = System.nanoTime();
        s.setSoTimeout((int) maxMillis);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // a response would be a bug too, but what matters is that the connection ends
            }
        } catch (SocketTimeoutException e) {
            fail("the server kept the connection open for more than " + maxMillis + " ms");
        } catch (IOException reset) {
            // closed by the server: a reset is as good as an orderly close
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static CompletableFuture<HttpResponse<String>> scrape(HttpClient http, PrometheusEndpoint ep) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(ep.uri())).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void halfARequestLineDoesNotBlockConcurrentScrapes() throws Exception {
        try (PrometheusEndpoint ep = PrometheusEndpoint.start(registry(), 0); Socket stuck = halfRequest(ep)) {
            Thread.sleep(200); // let the dispatcher hand the stuck connection to a thread
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long t0 = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
            for (int i = 0; i < 3; i++) scrapes.add(scrape(http, ep));
            for (CompletableFuture<HttpResponse<String>> f : scrapes) {
                HttpResponse<String> r = f.get(3, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("patchbay_test_scrapes_total 1.0"), r.body());
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3000, "scrapes took " + ms + " ms with a stuck client open");
            assertFalse(stuck.isClosed());
        }
    }

    @Test
    void aSlowClientIsDisconnectedAfterTheTimeout() throws Exception {
        try (PrometheusEndpoint ep = PrometheusEndpoint.start(registry(), 0, Duration.ofMillis(300), 2); Socket stuck = halfRequest(ep)) {
            long ms = millisUntilClosed(stuck, 5000);
            assertTrue(ms >= 200, "closed before the timeout: " + ms + " ms");
            assertEquals(1, ep.exchangesTimedOut());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(200, scrape(http, ep).get(5, TimeUnit.SECONDS).statusCode(), "the endpoint still serves after a timeout");
        }
    }

    @Test
    void aClientTricklingBytesIsDisconnectedToo() throws Exception {
        // The timeout bounds the whole exchange, not each read: one byte every 50 ms never
        // leaves a read waiting long, and must still be cut off.
        try (PrometheusEndpoint ep = PrometheusEndpoint.start(registry(), 0, Duration.ofMillis(400), 2);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), ep.port())) {
            OutputStream out = s.getOutputStream();
            byte[] line = "GET /metrics?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                .getBytes(StandardCharsets.US_ASCII);
            long t0 = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < line.length && !cut; i++) {
                try {
                    out.write(line[i]);
                    out.flush();
                } catch (IOException e) {
                    cut = true;
                }
                Thread.sleep(50);
                if (!cut && ep.exchangesTimedOut() > 0) cut = true;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(cut, "a trickling client kept its connection for " + ms + " ms");
            assertTrue(ms < 3000, "cut off only after " + ms + " ms");
            millisUntilClosed(s, 3000);
        }
    }

    @Test
    void threadsAreBoundedAndExcessConnectionsRefused() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (PrometheusEndpoint ep = PrometheusEndpoint.start(registry(), 0, Duration.ofSeconds(30), 1)) {
            try {
                // One running and QUEUE_LENGTH waiting: all accepted, none answered.
                for (int i = 0; i < 1 + PrometheusEndpoint.QUEUE_LENGTH; i++) {
                    held.add(halfRequest(ep));
                    Thread.sleep(20);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                Socket extra = null;
                while (ep.exchangesRefused() == 0 && System.nanoTime() < deadline) {
                    if (extra != null) extra.close();
                    extra = halfRequest(ep);
                    held.add(extra);
                    Thread.sleep(50);
                }
                assertTrue(ep.exchangesRefused() > 0, "no connection was refused with every thread busy and the queue full");
                assertTrue(millisUntilClosed(extra, 3000) < 3000);
            } finally {
                for (Socket s : held) s.close();
            }
        }
    }

    static String release(String artifact) throws IOException {
        String res = "/META-INF/maven/io.prometheus/" + artifact + "/pom.properties";
        try (InputStream in = PrometheusEndpointTest.class.getResourceAsStream(res)) {
            assertNotNull(in, "no " + res + " on the class path");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    @Test
    void theExporterIsTheReleaseMicrometerUses() throws IOException {
        // micrometer-registry-prometheus brings prometheus-metrics-core; a different
        // exporter release would pull in another model and exposition code beside it.
        String core = release("prometheus-metrics-core");
        assertEquals(core, release("prometheus-metrics-exporter-httpserver"));
        assertEquals(core, release("prometheus-metrics-model"));
        assertEquals(core, release("prometheus-metrics-exposition-formats"));
    }

    @Test
    void theFormatFollowsTheAcceptHeader() throws Exception {
        try (PrometheusEndpoint ep = PrometheusEndpoint.start(registry(), 0)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> text = scrape(http, ep).get(10, TimeUnit.SECONDS);
            assertEquals(200, text.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElse(""));
            assertTrue(text.body().contains("# TYPE patchbay_test_scrapes_total counter"), text.body());
            assertFalse(text.body().contains("# EOF"));

            // What Prometheus sends when it prefers OpenMetrics.
            HttpResponse<String> om = http.send(HttpRequest.newBuilder(URI.create(ep.uri())).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1").build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, om.statusCode());
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text; version=1.0.0"),
                om.headers().toString());
            assertTrue(om.body().contains("# TYPE patchbay_test_scrapes counter"), om.body());
            assertTrue(om.body().contains("patchbay_test_scrapes_total 1.0"), om.body());
            assertTrue(om.body().endsWith("# EOF\n"), om.body());

            HttpResponse<String> nf = http.send(HttpRequest.newBuilder(URI.create(ep.uri().replace("/metrics", "/nope"))).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(404, nf.statusCode());
            HttpResponse<String> root = http.send(HttpRequest.newBuilder(URI.create(ep.uri().replace("/metrics", "/"))).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(404, root.statusCode());
        }
    }

    @Test
    void startRejectsBadArguments() {
        PrometheusMeterRegistry reg = registry();
        assertThrows(IllegalArgumentException.class, () -> PrometheusEndpoint.start(reg, 65536));
        assertThrows(IllegalArgumentException.class, () -> PrometheusEndpoint.start(reg, -1));
        assertThrows(IllegalArgumentException.class, () -> PrometheusEndpoint.start(reg, 0, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> PrometheusEndpoint.start(reg, 0, Duration.ofSeconds(1), 0));
    }
}
