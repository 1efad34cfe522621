/*
 * The flame graph in a real browser (headless Chromium, Debian package chromium): it fills
 * the window at 800 and at 1600 px (the root frame ends at the right padding, not cut off
 * and not short of it), the icicle view puts the root at the top, and a search with an
 * invalid regular expression is matched as text and says so instead of failing, while a
 * valid one highlights its frames; Ctrl+F, pressed for real through the DevTools protocol,
 * focuses the search box, and typing there searches. Skipped, printing why, without
 * Chromium.
 */
package dev.patchbay.profiler;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class FlameGraphBrowserTest {
    @TempDir Path tmp;
    Path chromium;
    Path page;

    @BeforeEach
    void setUp() throws Exception {
        chromium = ExternalTool.require("install the Debian package chromium; .ci/run does", "chromium", "chromium-browser", "google-chrome");
        Map<String, Long> stacks = new TreeMap<>();
        stacks.put("main;hot", 900L);
        stacks.put("main;hot;host_write_[h]", 40L);
        stacks.put("main;cold", 90L);
        stacks.put("main;cold;leaf", 30L);
        page = tmp.resolve("graph.html");
        new FlameGraph(stacks, "browser test", Duration.ofMillis(1)).write(page);
    }

    /** Runs headless Chromium on the page (with a URL fragment) and returns what it printed. */
    String chromium(int width, String fragment, String... what) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + tmp.resolve("profile-" + width), "--window-size=" + width + ",400"));
        cmd.addAll(List.of(what));
        cmd.add(page.toUri() + fragment);
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("chromium.log").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 90 s");
        }
        assertEquals(0, p.exitValue(), () -> out + readLog());
        return out;
    }

    String readLog() {
        try {
            return Files.readString(tmp.resolve("chromium.log"));
        } catch (Exception e) {
            return "";
        }
    }

    static boolean isRoot(int rgb) {
        int r = rgb >> 16 & 0xFF, g = rgb >> 8 & 0xFF, b = rgb & 0xFF;
        return Math.abs(r - 220) <= 3 && Math.abs(g - 220) <= 3 && Math.abs(b - 210) <= 3;
    }

    static boolean columnHasRoot(BufferedImage img, int x) {
        for (int y = 0; y < img.getHeight(); y++) if (isRoot(img.getRGB(x, y))) return true;
        return false;
    }

    @Test
    void theGraphFillsTheWindowAt800And1600Pixels() throws Exception {
        for (int width : new int[] {800, 1600}) {
            Path shot = tmp.resolve("flame-" + width + ".png");
            chromium(width, "", "--screenshot=" + shot);
            BufferedImage img = ImageIO.read(shot.toFile());
            assertEquals(width, img.getWidth(), "the screenshot is the window");
            int pad = FlameGraph.PAD;
            assertTrue(columnHasRoot(img, pad + 3), width + " px: the root frame starts at the left padding");
            assertTrue(columnHasRoot(img, width / 2), width + " px: the root frame crosses the middle");
            assertTrue(columnHasRoot(img, width - pad - 4), width + " px: the root frame reaches the right padding");
            assertFalse(columnHasRoot(img, width - 3), width + " px: and ends there, inside the window");
        }
    }

    static final Pattern RECT = Pattern.compile("data-d=\"0\"[^>]*>.*?<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\"");

    /** The root frame's rect after the script laid it out: x, y, width. */
    static double[] root(String dom) {
        Matcher m = RECT.matcher(dom);
        assertTrue(m.find(), dom);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))};
    }

    @Test
    void iciclePutsTheRootOnTopAndFlameAtTheBottom() throws Exception {
        int height = FlameGraph.TOP + 4 * FlameGraph.FRAME_HEIGHT + FlameGraph.BOTTOM;
        double[] flame = root(chromium(800, "", "--dump-dom"));
        assertEquals(height - FlameGraph.BOTTOM - FlameGraph.FRAME_HEIGHT, flame[1], 0.01);
        assertEquals(800 - 2 * FlameGraph.PAD, flame[2], 0.01, "laid out at the window's width, not at " + FlameGraph.WIDTH);
        double[] icicle = root(chromium(800, "#icicle", "--dump-dom"));
        assertEquals(FlameGraph.TOP, icicle[1], 0.01);
    }

    @Test
    void ctrlFFocusesTheSearchBoxAndTypingSearches() throws Exception {
        try (DevToolsSession page = DevToolsSession.open(chromium, tmp.resolve("profile-cdp"), 800, this.page.toUri().toString())) {
            page.await("document.readyState === 'complete' && document.getElementById('q')");
            page.eval("document.activeElement.blur(), document.body.focus(), 0");
            assertNotEquals("q", page.eval("document.activeElement ? document.activeElement.id : ''"), "nothing has the focus yet");
            page.press("f", "KeyF", 70, 2);
            assertEquals("q", page.eval("document.activeElement ? document.activeElement.id : ''"), "Ctrl+F focuses the search box");
            page.type("h(o|x)t");
            page.await("document.getElementById('matched').textContent.indexOf('Matched: 88.68%') >= 0");
            page.type("(");
            page.await("document.getElementById('matched').textContent.indexOf('Not a regular expression') >= 0");
            assertTrue(page.eval("document.getElementById('matched').textContent").contains("matched as text"),
                "an invalid pattern typed in is matched as text and says so");
        }
    }

    @Test
    void anInvalidRegexIsMatchedAsTextAndSaysSo() throws Exception {
        String bad = chromium(800, "#q=(hot", "--dump-dom");
        assertTrue(bad.contains("Not a regular expression (Invalid regular expression"), bad);
        assertTrue(bad.contains("matched as text. Matched: 0.00%"), bad);
        assertTrue(root(bad)[2] > 0, "the graph is still laid out");
        String good = chromium(800, "#q=h(o|x)t", "--dump-dom");
        assertTrue(good.contains("Matched: 88.68%"), "hot has 940 of 1,060 samples: " + good.replaceAll("(?s).*(<text id=\"matched\"[^<]*).*", "$1"));
        assertTrue(good.contains("fill=\"rgb(230,0,230)\""), "matches are highlighted");
        String text = chromium(800, "#q=%28hot", "--dump-dom");
        assertTrue(text.contains("Matched: 0.00%"), "the URL-encoded pattern is decoded");
    }
}
