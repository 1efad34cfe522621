/*
 * The sampling profiler on a program with one hot and one cold function: more than 80% of
 * the samples land in the hot one; the collapsed stacks are well-formed and rooted at the
 * entry function; the flame graph files (HTML and SVG) parse as XML and contain a frame
 * per function with consistent sample counts.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class SamplingProfilerTest {
    @TempDir Path tmp;

    static SamplingProfiler sampleHotCold(Engine engine, Store store, Instance inst, long millis) throws Exception {
        SamplingProfiler sp = new SamplingProfiler(store);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread guest = new Thread(() -> {
            try {
                long n = 2_000_000;
                long want = 10 * n * (10 * n - 1) / 2 + n * (n - 1) / 2;
                while (!stop.get()) assertEquals(want, inst.func("main").call(n)[0]);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "guest");
        guest.start();
        sp.start(Duration.ofMillis(1));
        Thread.sleep(millis);
        // A loaded machine samples less often: go on (up to 10 s) until there are enough.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sp.samples() < 200 && System.nanoTime() < deadline && guest.isAlive()) Thread.sleep(50);
        sp.stop();
        stop.set(true);
        guest.join(30_000);
        assertNull(failure.get(), () -> "guest failed: " + failure.get());
        return sp;
    }

    @Test
    void findsTheHotFunction() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            SamplingProfiler sp = sampleHotCold(engine, store, inst, 1500);
            long total = sp.samples(), hot = sp.selfSamples("hot"), cold = sp.selfSamples("cold");
            assertTrue(total >= 100, "enough samples at 1 ms: " + total);
            assertTrue(hot > 0.8 * total, "hot has more than 80% of " + total + " samples: " + sp.collapsedStacks());
            assertTrue(cold < hot);
            Map<String, Long> stacks = StackCounts.parse(sp.collapsedStacks());
            assertEquals(sp.stacks(), stacks);
            for (String stack : stacks.keySet()) assertTrue(stack.startsWith("main"), "rooted at the entry function: " + stack);
            assertTrue(stacks.containsKey("main;hot"), stacks.toString());
            sp.close();
        }
    }

    @Test
    void flameGraphFilesAreValid() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            SamplingProfiler sp = sampleHotCold(engine, store, inst, 300);
            Path html = tmp.resolve("flame.html"), svg = tmp.resolve("flame.svg"), collapsed = tmp.resolve("stacks.txt");
            sp.writeFlameGraph(html);
            sp.writeFlameGraph(svg);
            sp.writeCollapsedStacks(collapsed);
            assertEquals(sp.stacks(), StackCounts.parse(Files.readString(collapsed)));
            long total = sp.samples();
            for (Path p : new Path[] {html, svg}) {
                Document doc = parse(p);
                NodeList svgs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg");
                assertEquals(1, svgs.getLength(), p + " has one svg");
                Element root = (Element) svgs.item(0);
                assertEquals(total, Long.parseLong(root.getAttribute("data-total")));
                Map<String, Long> byName = new HashMap<>();
                NodeList gs = root.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
                int frames = 0;
                for (int i = 0; i < gs.getLength(); i++) {
                    Element g = (Element) gs.item(i);
                    if (!"f".equals(g.getAttribute("class"))) continue;
                    frames++;
                    byName.merge(g.getAttribute("data-n"), Long.parseLong(g.getAttribute("data-w")), Long::sum);
                    assertEquals(1, g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").getLength());
                    assertEquals(1, g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").getLength());
                }
                assertTrue(frames >= 3, "all, main and hot at least");
                assertEquals(total, byName.get("all"));
                assertEquals(total, byName.get("main"), "every stack is rooted at main");
                assertTrue(byName.get("hot") > 0);
                assertEquals(1, root.getElementsByTagNameNS("http://www.w3.org/2000/svg", "script").getLength());
            }
            String text = Files.readString(html);
            assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%,d samples, one every 1 ms", total)), "total and period shown");
            assertFalse(text.contains("http://") && text.replace("http://www.w3.org/", "").contains("http://"),
                "no network references besides XML namespaces");
            assertFalse(text.contains("https://"));
            sp.close();
        }
    }

    /** A Store closed before its profiler: close() is quiet, and the samples stay readable. */
    @Test
    void closingAfterTheStoreIsClosedIsQuiet() throws Exception {
        SamplingProfiler sp;
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            sp = sampleHotCold(engine, store, inst, 100);
        }
        long samples = sp.samples();
        assertDoesNotThrow(sp::close);
        assertEquals(samples, sp.samples());
    }

    @Test
    void escapesAndRendersArbitraryStacks() throws Exception {
        Map<String, Long> stacks = new HashMap<>();
        stacks.put("a;b<c>&\"d\"", 3L);
        stacks.put("a;e", 1L);
        stacks.put("a;e;write_[h]", 2L);
        FlameGraph g = new FlameGraph(stacks, "t <&>");
        Path p = tmp.resolve("x.html");
        g.write(p);
        Document doc = parse(p);
        assertNotNull(doc.getDocumentElement());
        assertEquals(6, g.totalSamples());
        // Frames carry their kind; an annotation is not part of the name shown.
        NodeList gs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        Map<String, String> kinds = new HashMap<>();
        for (int i = 0; i < gs.getLength(); i++) {
            Element e = (Element) gs.item(i);
            if ("f".equals(e.getAttribute("class"))) kinds.put(e.getAttribute("data-n"), e.getAttribute("data-k"));
        }
        assertEquals("host", kinds.get("write"), kinds.toString());
        assertEquals("guest", kinds.get("e"));
        assertEquals("root", kinds.get("all"));
        assertNotEquals(FlameGraph.color("write", FlameGraph.Kind.HOST), FlameGraph.color("write", FlameGraph.Kind.GUEST));
        assertTrue(g.subtitle().startsWith("6 samples"), g.subtitle());
        assertEquals("6 samples, one every 250 us (site-biased: each lands at the next patch site)",
            new FlameGraph(stacks, null, Duration.ofNanos(250_000)).subtitle());
        assertEquals("1.5 ms", FlameGraph.format(Duration.ofNanos(1_500_000)));
        assertEquals("2 s", FlameGraph.format(Duration.ofSeconds(2)));
        assertEquals("a_b", StackCounts.clean("a;b"));
        assertEquals("x_y", StackCounts.clean("x y"));
    }

    static Document parse(Path p) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(p.toFile());
    }
}
