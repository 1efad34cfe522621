/*
 * The collapsed stacks Patchbay writes (`--collapsed FILE`, StackCounts.writeCollapsed) are
 * the format other flame graph tools read. Checked against async-profiler's converter
 * (tools.profiler:jfr-converter, test scope): it renders our file as its HTML flame graph,
 * and reading that HTML back gives the same stacks and counts.
 */
package dev.patchbay.profiler;

import one.convert.Arguments;
import one.convert.FlameGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollapsedInteropTest {
    @TempDir Path tmp;

    @Test
    void asyncProfilersConverterReadsOurCollapsedStacks() throws Exception {
        StackCounts counts = new StackCounts();
        String[][] stacks = {
            {"main", "fib", "fib", "fib"}, {"main", "fib"}, {"main", "sum"}, {"main", "hostcall:sleep"},
            {"main", "odd;name with spaces"},
        };
        long[] n = {30, 10, 5, 2, 1};
        for (int i = 0; i < stacks.length; i++) for (long k = 0; k < n[i]; k++) counts.add(stacks[i]);
        Path collapsed = tmp.resolve("stacks.collapsed"), html = tmp.resolve("flame.html"), back = tmp.resolve("back.collapsed");
        counts.writeCollapsed(collapsed);

        Arguments toHtml = new Arguments("--title", "guest", collapsed.toString(), html.toString());
        FlameGraph.convert(collapsed.toString(), html.toString(), toHtml);
        String page = Files.readString(html);
        assertTrue(page.contains("<canvas"), "async-profiler's HTML flame graph");

        Arguments toCollapsed = new Arguments("-o", "collapsed", html.toString(), back.toString());
        FlameGraph.convert(html.toString(), back.toString(), toCollapsed);
        Map<String, Long> theirs = StackCounts.parse(Files.readString(back));
        assertEquals(counts.snapshot(), theirs, "the stacks and counts survive the round trip through its renderer");
        assertEquals(48, theirs.values().stream().mapToLong(Long::longValue).sum());
    }
}
