/*
 * Problem: samples arrive on guest owner threads, at safepoints, and must be cheap to
 * record; readers want the collapsed-stack text format that flame graph tools share
 * (Brendan Gregg's flamegraph.pl, async-profiler's collapsed output): one line per
 * distinct stack, frames outermost first joined by ';', a space, and the sample count.
 * Approach: a concurrent map from the joined stack to a LongAdder. Frame names are
 * guest function names; ';' and whitespace in a name would break the format, so they
 * are replaced by '_'.
 */
package dev.patchbay.profiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sample counts per stack, cheap to record from many threads, written in the collapsed-stack text
 * format that flame graph tools read.
 */
public final class StackCounts {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** An empty count. */
    public StackCounts() {}

    /**
     * Counts one sample of a stack. Any thread. A {@code ';'} or whitespace in a frame name,
     * which would break the format, becomes {@code '_'}.
     *
     * @param framesOutermostFirst the stack's frames, outermost first
     */
    public void add(String[] framesOutermostFirst) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < framesOutermostFirst.length; i++) {
            if (i > 0) sb.append(';');
            sb.append(clean(framesOutermostFirst[i]));
        }
        counts.computeIfAbsent(sb.toString(), k -> new LongAdder()).increment();
    }

    static String clean(String frame) {
        String s = frame.replace(';', '_');
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) sb.append(Character.isWhitespace(s.charAt(i)) ? '_' : s.charAt(i));
        return sb.length() == 0 ? "_" : sb.toString();
    }

    /**
     * The samples counted, over all stacks.
     *
     * @return the count
     */
    public long total() {
        long n = 0;
        for (LongAdder a : counts.values()) n += a.sum();
        return n;
    }

    /**
     * The counts now.
     *
     * @return collapsed stack to count, sorted by stack; a copy
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * The counts per innermost frame.
     *
     * @return frame name to count, sorted by name; a copy
     */
    public Map<String, Long> selfCounts() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.merge(k.substring(k.lastIndexOf(';') + 1), v.sum(), Long::sum));
        return m;
    }

    /**
     * The counts in the collapsed format.
     *
     * @return {@code "a;b;c 12"} lines, sorted by stack
     */
    public String collapsed() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        return sb.toString();
    }

    /**
     * Writes {@link #collapsed()} to a file, in UTF-8.
     *
     * @param file the file, replaced if it exists
     * @throws IOException if it cannot be written
     */
    public void writeCollapsed(Path file) throws IOException {
        Files.writeString(file, collapsed(), StandardCharsets.UTF_8);
    }

    /**
     * Parses the collapsed format, for tests and for rendering saved profiles again. Blank
     * lines are skipped; a stack given twice is added up.
     *
     * @param text {@code "stack count"} lines
     * @return stack to count, sorted by stack
     * @throws IllegalArgumentException if a line has no count
     * @throws NumberFormatException if a count is not a number
     */
    public static Map<String, Long> parse(String text) {
        Map<String, Long> m = new TreeMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) continue;
            int sp = l.lastIndexOf(' ');
            if (sp <= 0) throw new IllegalArgumentException("not a collapsed-stack line: '" + line + "'");
            m.merge(l.substring(0, sp), Long.parseLong(l.substring(sp + 1)), Long::sum);
        }
        return m;
    }
}
