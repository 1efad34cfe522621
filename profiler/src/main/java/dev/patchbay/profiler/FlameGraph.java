/*
 * Problem: show sampled stacks as a flame graph that anyone can open, offline, with no
 * tool to install: one file, no network access, interactive enough to explore, readable
 * at any window width.
 * Approach: build the call tree of the collapsed stacks and write one SVG whose frames
 * carry their place in the tree as data attributes (samples to the left, samples, depth,
 * name, kind), with a layout at WIDTH for viewers without scripts. An inline script
 * (flamegraph.js, a resource, in CDATA so the file stays well-formed XML) lays the frames
 * out again at the width the page gives it, on every resize, so text keeps its size:
 * flame view (root at the bottom) or icicle (root at the top), click to zoom, hover for
 * counts, and a search by regular expression (Ctrl+F, or the page's search box) that
 * matches an invalid pattern as plain text instead of failing. The header shows the
 * total samples and, for a sampler's graph, the sample period. An .svg file is that SVG
 * alone; any other name gets an HTML page wrapping it with a search box, written as
 * XHTML-compatible markup so tests can parse it with an XML parser.
 *
 * Frame kinds follow the collapsed format's annotations, as async-profiler writes them: a
 * name ending in _[h] is a host frame (a hostcall), _[j] Java, _[k] kernel, _[i] an
 * inlined guest frame; the rest are guest frames, and the root is "all". Each kind has its
 * palette, keyed within it by a hash of the name, so a function keeps its colour across
 * graphs; the suffix is not shown.
 */
package dev.patchbay.profiler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders collapsed stacks as a self-contained, interactive flame graph (one SVG or HTML
 * file that needs no network access): it fits the window's width, switches between flame
 * and icicle views, zooms, and searches frames by regular expression (Ctrl+F). Frames are
 * coloured by kind: guest functions, and frames the collapsed stacks mark as host
 * ({@code _[h]}), Java ({@code _[j]}) or kernel ({@code _[k]}) frames.
 */
public final class FlameGraph {
    /** The width of the layout written into the file, for viewers that run no script. */
    static final int WIDTH = 1200;
    static final int FRAME_HEIGHT = 17;
    static final int PAD = 10;
    static final int TOP = 70;
    static final int BOTTOM = 30;

    /** What a frame is, from its annotation in the collapsed stacks. */
    enum Kind {
        ROOT("root", null), GUEST("guest", null), INLINED("inlined guest", "_[i]"), HOST("host", "_[h]"),
        JAVA("Java", "_[j]"), KERNEL("kernel", "_[k]");

        final String label;
        final String suffix;

        Kind(String label, String suffix) {
            this.label = label;
            this.suffix = suffix;
        }

        static Kind of(String frame) {
            for (Kind k : values()) if (k.suffix != null && frame.endsWith(k.suffix) && frame.length() > k.suffix.length()) return k;
            return GUEST;
        }

        String strip(String frame) { return suffix == null ? frame : frame.substring(0, frame.length() - suffix.length()); }
    }

    private static final class Node {
        final String name;
        final Kind kind;
        long value;
        final Map<String, Node> children = new TreeMap<>();

        Node(String frame, Kind kind) {
            this.kind = kind;
            this.name = kind.strip(frame);
        }
    }

    private final Node root = new Node("all", Kind.ROOT);
    private final String title;
    private final Duration period;
    private final Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    private int maxDepth;

    /**
     * A flame graph of collapsed stacks.
     *
     * @param stacks collapsed stack ({@code "outer;inner"}, outermost first) to sample count;
     *               stacks with no samples are left out
     * @param title the graph's title, or null for "Flame graph"
     */
    public FlameGraph(Map<String, Long> stacks, String title) { this(stacks, title, null); }

    /**
     * A flame graph of a sampler's collapsed stacks, showing the sample period.
     *
     * @param stacks collapsed stack ({@code "outer;inner"}, outermost first) to sample count;
     *               stacks with no samples are left out
     * @param title the graph's title, or null for "Flame graph"
     * @param samplePeriod the time between samples, shown beside the total; null for none
     */
    public FlameGraph(Map<String, Long> stacks, String title, Duration samplePeriod) {
        this.title = title == null ? "Flame graph" : title;
        this.period = samplePeriod;
        for (Map.Entry<String, Long> e : stacks.entrySet()) {
            long n = e.getValue();
            if (n <= 0) continue;
            Node at = root;
            at.value += n;
            String[] frames = e.getKey().split(";");
            maxDepth = Math.max(maxDepth, frames.length);
            for (String f : frames) {
                Kind k = Kind.of(f);
                kinds.add(k);
                at = at.children.computeIfAbsent(f, name -> new Node(name, k));
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
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
            + "<title>" + esc(title) + "</title>\n"
            + "<style>body{margin:0;background:#f8f8f0;font-family:Verdana,sans-serif}"
            + "#bar{padding:6px 10px 0 10px;text-align:right}"
            + "#q{width:18em;font:12px Verdana,sans-serif;padding:2px 4px}"
            + "svg{display:block;width:100%}</style>\n"
            + "</head>\n<body>\n<div id=\"bar\"><input id=\"q\" type=\"search\" placeholder=\"Search frames: regex, Ctrl+F\" "
            + "aria-label=\"Search frames by regular expression\"/></div>\n" + svg(false) + "\n</body>\n</html>\n";
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
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" id=\"flamegraph\" width=\"100%\" height=\"").append(height)
            .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
            .append("\" data-total=\"").append(root.value).append("\" data-depth=\"").append(maxDepth).append("\">\n");
        sb.append("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
            + "g.f:hover rect{stroke:#000;stroke-width:0.5}g.f{cursor:pointer}"
            + ".ctl{cursor:pointer;fill:#246}.ctl:hover{text-decoration:underline}#details,#matched{font-size:12px}"
            + "#subtitle,text.legend{font-size:11px;fill:#444}</style>\n");
        sb.append("<rect id=\"background\" x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" fill=\"#f8f8f0\"/>\n");
        sb.append("<text id=\"title\" x=\"").append(WIDTH / 2).append("\" y=\"24\" text-anchor=\"middle\" style=\"font-size:17px\">")
            .append(esc(title)).append("</text>\n");
        sb.append("<text id=\"subtitle\" x=\"").append(WIDTH / 2).append("\" y=\"43\" text-anchor=\"middle\">").append(esc(subtitle())).append("</text>\n");
        sb.append("<text id=\"reset\" class=\"ctl\" x=\"").append(PAD).append("\" y=\"24\" visibility=\"hidden\">Reset zoom</text>\n");
        sb.append("<text id=\"view\" class=\"ctl\" x=\"").append(WIDTH - PAD - 70).append("\" y=\"24\" text-anchor=\"end\">Icicle</text>\n");
        sb.append("<text id=\"search\" class=\"ctl\" x=\"").append(WIDTH - PAD).append("\" y=\"24\" text-anchor=\"end\">Search</text>\n");
        legend(sb);
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

    /** "12,345 samples, one every 1 ms (site-biased)", or the total alone without a period. */
    String subtitle() {
        String n = String.format(Locale.ROOT, "%,d sample%s", root.value, root.value == 1 ? "" : "s");
        if (period == null) return n;
        return n + ", one every " + format(period) + " (site-biased: each lands at the next patch site)";
    }

    /** A duration in its largest exact unit: 1 ms, 250 us, 1.5 ms. */
    static String format(Duration d) {
        long ns = d.toNanos();
        if (ns % 1_000_000_000L == 0) return ns / 1_000_000_000L + " s";
        if (ns >= 1_000_000) return trim(ns / 1e6) + " ms";
        if (ns >= 1_000) return trim(ns / 1e3) + " us";
        return ns + " ns";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** One swatch per kind of frame the graph has, the root aside. */
    private void legend(StringBuilder sb) {
        double x = PAD;
        for (Kind k : kinds) {
            sb.append(String.format(Locale.ROOT, "<rect class=\"legend\" x=\"%.0f\" y=\"50\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, color("", k)));
            sb.append(String.format(Locale.ROOT, "<text class=\"legend\" x=\"%.0f\" y=\"59\">%s</text>%n", x + 14, esc(k.label)));
            x += 24 + 7 * k.label.length();
        }
    }

    private void frame(Node n, long x, int depth, int height, List<String> out) {
        long total = Math.max(1, root.value);
        double scale = (WIDTH - 2.0 * PAD) / total;
        double px = PAD + x * scale, w = n.value * scale;
        int y = height - BOTTOM - (depth + 1) * FRAME_HEIGHT;
        String pct = String.format(Locale.ROOT, "%.2f", 100.0 * n.value / total);
        out.add(String.format(Locale.ROOT,
            "<g class=\"f\" data-x=\"%d\" data-w=\"%d\" data-d=\"%d\" data-n=\"%s\" data-k=\"%s\"><title>%s (%s, %,d samples, %s%%)</title>"
                + "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\" ry=\"2\"/>"
                + "<text x=\"%.2f\" y=\"%d\"></text></g>%n",
            x, n.value, depth, esc(n.name), n.kind.label, esc(n.name), n.kind.label, n.value, pct, px, y, w, FRAME_HEIGHT - 1,
            color(n.name, n.kind), px + 3, y + FRAME_HEIGHT - 5));
        long cx = x;
        for (Node c : n.children.values()) {
            frame(c, cx, depth + 1, height, out);
            cx += c.value;
        }
    }

    /** A colour from the kind's palette, picked by a stable hash of the name. */
    static String color(String name, Kind kind) {
        if (kind == Kind.ROOT) return "rgb(220,220,210)";
        int h = 0;
        for (int i = 0; i < name.length(); i++) h = h * 31 + name.charAt(i);
        h ^= h >>> 16;
        int a = Math.floorMod(h, 50), b = Math.floorMod(h >>> 8, 60), c = Math.floorMod(h >>> 4, 55);
        switch (kind) {
            case HOST: return "rgb(" + (60 + a) + "," + (140 + b) + "," + (200 + c) + ")";
            case JAVA: return "rgb(" + (50 + a) + "," + (180 + b) + "," + (50 + c) + ")";
            case KERNEL: return "rgb(" + (200 + c) + "," + (120 + b) + "," + (40 + a) + ")";
            case INLINED: return "rgb(" + (200 + c) + "," + (200 + b / 2) + "," + (60 + a) + ")";
            default: return "rgb(" + (205 + a) + "," + Math.floorMod(h >>> 8, 180) + "," + c + ")";
        }
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

    /** The layout, zoom, views and search: flamegraph.js, beside this class. */
    private static final String SCRIPT = script();

    private static String script() {
        try (InputStream in = FlameGraph.class.getResourceAsStream("flamegraph.js")) {
            if (in == null) throw new IllegalStateException("flamegraph.js is missing from the profiler's jar");
            String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (js.contains("]]>")) throw new IllegalStateException("flamegraph.js must not contain ']]>' (it goes in a CDATA section)");
            return js;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
