/*
 * Problem: show sampled stacks as a flame graph that anyone can open, offline, with no
 * tool to install: one file, no network access, interactive enough to explore.
 * Approach: build the call tree of the collapsed stacks, lay it out here (x = samples to
 * the left, y = depth; the root "all" at the bottom, callers below callees, siblings
 * sorted by name) and write one SVG whose frames carry their layout as data attributes.
 * A small inline script (in CDATA, so the file stays well-formed XML) zooms into a frame
 * on click, shows a frame's samples on hover, searches frames by regular expression and
 * fits labels to their widths. An .svg file is that SVG alone; any other name gets an
 * HTML page wrapping it, written as XHTML-compatible markup so tests can parse it with
 * an XML parser. Colours are a warm palette keyed by a hash of the function name, so a
 * function keeps its colour across graphs.
 */
package dev.patchbay.profiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders collapsed stacks as a self-contained, interactive flame graph (one SVG or HTML file that
 * needs no network access).
 */
public final class FlameGraph {
    static final int WIDTH = 1200;
    static final int FRAME_HEIGHT = 17;
    static final int PAD = 10;
    static final int TOP = 50;
    static final int BOTTOM = 30;

    private static final class Node {
        final String name;
        long value;
        final Map<String, Node> children = new TreeMap<>();

        Node(String name) { this.name = name; }
    }

    private final Node root = new Node("all");
    private final String title;
    private int maxDepth;

    /**
     * A flame graph of collapsed stacks.
     *
     * @param stacks collapsed stack ({@code "outer;inner"}, outermost first) to sample count;
     *               stacks with no samples are left out
     * @param title the graph's title, or null for "Flame graph"
     */
    public FlameGraph(Map<String, Long> stacks, String title) {
        this.title = title == null ? "Flame graph" : title;
        for (Map.Entry<String, Long> e : stacks.entrySet()) {
            long n = e.getValue();
            if (n <= 0) continue;
            Node at = root;
            at.value += n;
            String[] frames = e.getKey().split(";");
            maxDepth = Math.max(maxDepth, frames.length);
            for (String f : frames) {
                at = at.children.computeIfAbsent(f, Node::new);
                at.value += n;
            }
        }
    }

    /**
     * The samples the graph shows, over all stacks.
     *
     * @return the total
     */
    public long totalSamples() { return root.value; }

    /**
     * Writes the graph to a file: SVG if the file name ends in {@code .svg}, else a
     * self-contained HTML page (both need no network access).
     *
     * @param file the file, replaced if it exists
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Files.writeString(file, name.endsWith(".svg") ? svg(true) : html(), StandardCharsets.UTF_8);
    }

    /**
     * The graph as a self-contained HTML page: the SVG inline, with its script.
     *
     * @return the page
     */
    public String html() {
        return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            + "<title>" + esc(title) + "</title>\n"
            + "<style>body{margin:0;background:#fff;font-family:Verdana,sans-serif}</style>\n"
            + "</head>\n<body>\n" + svg(false) + "\n</body>\n</html>\n";
    }

    /**
     * The graph as an SVG document, with click-to-zoom, hover details and search.
     *
     * @param standalone whether to begin with an XML declaration, as a {@code .svg} file does
     * @return the SVG text
     */
    public String svg(boolean standalone) {
        int height = TOP + (maxDepth + 1) * FRAME_HEIGHT + BOTTOM;
        StringBuilder sb = new StringBuilder();
        if (standalone) sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" id=\"flamegraph\" width=\"").append(WIDTH)
            .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
            .append("\" data-total=\"").append(root.value).append("\" data-height=\"").append(height).append("\">\n");
        sb.append("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
            + "g.f:hover rect{stroke:#000;stroke-width:0.5}g.f{cursor:pointer}"
            + ".ctl{cursor:pointer;fill:#246}#details{font-size:12px}</style>\n");
        sb.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" fill=\"#f8f8f0\"/>\n");
        sb.append("<text x=\"").append(WIDTH / 2).append("\" y=\"24\" text-anchor=\"middle\" style=\"font-size:17px\">")
            .append(esc(title)).append("</text>\n");
        sb.append("<text id=\"reset\" class=\"ctl\" x=\"").append(PAD).append("\" y=\"24\" visibility=\"hidden\">Reset zoom</text>\n");
        sb.append("<text id=\"search\" class=\"ctl\" x=\"").append(WIDTH - PAD).append("\" y=\"24\" text-anchor=\"end\">Search</text>\n");
        sb.append("<text id=\"matched\" x=\"").append(WIDTH - PAD).append("\" y=\"").append(height - 10).append("\" text-anchor=\"end\"></text>\n");
        sb.append("<text id=\"details\" x=\"").append(PAD).append("\" y=\"").append(height - 10).append("\"> </text>\n");
        sb.append("<g id=\"frames\">\n");
        List<String> out = new ArrayList<>();
        frame(root, 0, 0, height, out);
        for (String s : out) sb.append(s);
        sb.append("</g>\n");
        sb.append("<script type=\"text/javascript\"><![CDATA[\n").append(SCRIPT).append("\n]]></script>\n");
        sb.append("</svg>");
        return sb.toString();
    }

    private void frame(Node n, long x, int depth, int height, List<String> out) {
        long total = Math.max(1, root.value);
        double scale = (WIDTH - 2.0 * PAD) / total;
        double px = PAD + x * scale, w = n.value * scale;
        int y = height - BOTTOM - (depth + 1) * FRAME_HEIGHT;
        String pct = String.format(Locale.ROOT, "%.2f", 100.0 * n.value / total);
        out.add(String.format(Locale.ROOT,
            "<g class=\"f\" data-x=\"%d\" data-w=\"%d\" data-d=\"%d\" data-n=\"%s\"><title>%s (%,d samples, %s%%)</title>"
                + "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\" ry=\"2\"/>"
                + "<text x=\"%.2f\" y=\"%d\"></text></g>%n",
            x, n.value, depth, esc(n.name), esc(n.name), n.value, pct, px, y, w, FRAME_HEIGHT - 1, color(n.name),
            px + 3, y + FRAME_HEIGHT - 5));
        long cx = x;
        for (Node c : n.children.values()) {
            frame(c, cx, depth + 1, height, out);
            cx += c.value;
        }
    }

    /** A warm colour from a stable hash of the name. */
    static String color(String name) {
        if (name.equals("all")) return "rgb(220,220,210)";
        int h = 0;
        for (int i = 0; i < name.length(); i++) h = h * 31 + name.charAt(i);
        h ^= h >>> 16;
        int r = 205 + Math.floorMod(h, 50);
        int g = Math.floorMod(h >>> 8, 180);
        int b = Math.floorMod(h >>> 4, 55);
        return "rgb(" + r + "," + g + "," + b + ")";
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#39;"); break;
                default:
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') sb.append('?');
                    else sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Zoom, hover details, search and label fitting. It sits in a CDATA section, so its
     * '&&' and comparisons stay well-formed XML (CDATA only forbids "]]>", absent here).
     */
    private static final String SCRIPT = String.join("\n",
        "(function () {",
        "  var svg = document.getElementById('flamegraph');",
        "  var W = " + WIDTH + ", PAD = " + PAD + ", FH = " + FRAME_HEIGHT + ", BOTTOM = " + BOTTOM + ";",
        "  var H = +svg.getAttribute('data-height');",
        "  var total = +svg.getAttribute('data-total') || 1;",
        "  var frames = Array.prototype.slice.call(svg.querySelectorAll('g.f'));",
        "  var details = document.getElementById('details');",
        "  var matched = document.getElementById('matched');",
        "  var reset = document.getElementById('reset');",
        "  var zoomed = null;",
        "  function num(g, a) { return +g.getAttribute('data-' + a); }",
        "  function fit(g) {",
        "    var r = g.querySelector('rect'), t = g.querySelector('text');",
        "    var w = +r.getAttribute('width'), name = g.getAttribute('data-n');",
        "    t.setAttribute('x', +r.getAttribute('x') + 3);",
        "    var chars = Math.floor((w - 6) / 7);",
        "    t.textContent = chars >= name.length ? name : (chars >= 3 ? name.substring(0, chars - 2) + '..' : '');",
        "  }",
        "  function layout() {",
        "    var zx = zoomed ? num(zoomed, 'x') : 0, zw = zoomed ? num(zoomed, 'w') : total, zd = zoomed ? num(zoomed, 'd') : 0;",
        "    var scale = (W - 2 * PAD) / zw;",
        "    frames.forEach(function (g) {",
        "      var x = num(g, 'x'), w = num(g, 'w'), d = num(g, 'd'), r = g.querySelector('rect');",
        "      var inside = x >= zx && x + w <= zx + zw && d >= zd;",
        "      var ancestor = d < zd && x <= zx && x + w >= zx + zw;",
        "      if (!inside && !ancestor) { g.style.display = 'none'; return; }",
        "      g.style.display = '';",
        "      g.style.opacity = ancestor ? 0.5 : 1;",
        "      r.setAttribute('x', ancestor ? PAD : PAD + (x - zx) * scale);",
        "      r.setAttribute('width', ancestor ? W - 2 * PAD : w * scale);",
        "      fit(g);",
        "    });",
        "    reset.setAttribute('visibility', zoomed ? 'visible' : 'hidden');",
        "  }",
        "  frames.forEach(function (g) {",
        "    g.addEventListener('click', function () { zoomed = num(g, 'd') === 0 ? null : g; layout(); });",
        "    g.addEventListener('mouseover', function () {",
        "      var w = num(g, 'w');",
        "      details.textContent = g.getAttribute('data-n') + ': ' + w + ' samples (' + (100 * w / total).toFixed(2) + '%)';",
        "    });",
        "    g.addEventListener('mouseout', function () { details.textContent = ' '; });",
        "  });",
        "  reset.addEventListener('click', function () { zoomed = null; layout(); });",
        "  document.getElementById('search').addEventListener('click', function () {",
        "    var q = window.prompt('Search frames (regular expression); empty clears', '');",
        "    var re = q ? new RegExp(q) : null, hit = 0, seen = {};",
        "    frames.forEach(function (g) {",
        "      var r = g.querySelector('rect');",
        "      if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));",
        "      var m = re ? re.test(g.getAttribute('data-n')) : false;",
        "      r.setAttribute('fill', m ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));",
        "      if (m) {",
        "        var x = num(g, 'x'), w = num(g, 'w'), covered = false;",
        "        for (var k in seen) { var s = seen[k]; if (x >= s[0] && x + w <= s[0] + s[1]) covered = true; }",
        "        if (!covered) { seen[x + ':' + w] = [x, w]; hit += w; }",
        "      }",
        "    });",
        "    matched.textContent = re ? 'Matched: ' + (100 * hit / total).toFixed(2) + '%' : '';",
        "  });",
        "  layout();",
        "})();");
}
