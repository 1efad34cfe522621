/*
 * `patchbay run X.wasm --break`: breakpoints at C lines (demo.c, through demo.wasm's DWARF
 * line table) and at Wasm code offsets, each stop printed with its C file:line, the
 * backtrace with each caller's call line, and the values, while the program runs on to
 * its normal output; bad specs are bad usage (exit 2) that says why; and a trap's
 * backtrace names the C line of every frame.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class CliWasmBreakTest {
    static final String DEMO = WasiRunCliTest.EXAMPLES.resolve("demo.wasm").toString();

    static Path resource(String name) throws Exception {
        return Path.of(CliWasmBreakTest.class.getResource("/wasm/" + name).toURI());
    }

    private static int count(String s, String of) {
        int n = 0;
        for (int i = s.indexOf(of); i >= 0; i = s.indexOf(of, i + 1)) n++;
        return n;
    }

    @Test
    void aCLineBreakPrintsEachStopWithItsCLinesAndTheProgramGoesOn() throws Exception {
        // demo.c:57 is count_primes' calloc: main calls it once, and work(1) once more.
        String[] r = CliBadInputTest.run("run", DEMO, "--break", "demo.c:57", "--", "1");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertEquals(2, count(out, "break demo.c:57 in %f"), out);
        assertTrue(out.contains("_count_primes @0x") && out.contains("(hit 1)") && out.contains("(hit 2)"), out);
        assertTrue(Pattern.compile("#1 %f\\d+_main\\+0x[0-9a-f]+ @0x[0-9a-f]+ demo\\.c:172\n").matcher(out).find(), "main's call line: " + out);
        assertTrue(Pattern.compile("#1 %f\\d+_work\\+0x[0-9a-f]+ @0x[0-9a-f]+ demo\\.c:147\n").matcher(out).find(), "work's call line: " + out);
        assertTrue(Pattern.compile("#2 %f\\d+_main\\+0x[0-9a-f]+ @0x[0-9a-f]+ demo\\.c:176\n").matcher(out).find(), out);
        assertTrue(out.contains("values optimized out here") || out.contains(" = "), "values: " + out);
        // The program's own output is whole, around the stops.
        assertTrue(out.indexOf("break demo.c:57") < out.indexOf("primes below 200000: 17984"), out);
        assertTrue(out.contains("collatz steps of 1..30000: 2864311"), out);
        assertTrue(out.strip().endsWith("work(1) checksum: 00000000c4216a51"), out);
    }

    @Test
    void anOffsetBreakStopsAtThatWasmOffsetWithItsCLine() throws Exception {
        String[] r = CliBadInputTest.run("run", DEMO, "--break", "demo.c:172", "--", "1");
        assertEquals("0", r[0], r[2]);
        Matcher m = Pattern.compile("break demo\\.c:172 in %(f\\d+_main) @(0x[0-9a-f]+) \\(hit 1\\)").matcher(r[1]);
        assertTrue(m.find(), r[1]);
        String[] byOffset = CliBadInputTest.run("run", DEMO, "--break", "@" + m.group(2), "--", "1");
        assertEquals("0", byOffset[0], byOffset[2]);
        assertTrue(byOffset[1].contains("break demo.c:172 in %" + m.group(1) + " @" + m.group(2) + " (hit 1)"), byOffset[1]);
        assertEquals(1, count(byOffset[1], "break "), byOffset[1]);
    }

    @Test
    void anInvokedExportStopsAtACLineToo() throws Exception {
        // lines.c:18, "unsigned b = sum(n / 2);", in the export run.
        String[] r = CliBadInputTest.run("run", resource("lines.wasm").toString(), "--invoke", "run(10)", "--break", "lines.c:18");
        assertEquals("0", r[0], r[2]);
        assertTrue(Pattern.compile("break lines\\.c:18 in %f\\d+_run @0x[0-9a-f]+ \\(hit 1\\)\n  #0 %f\\d+_run\\+0x[0-9a-f]+ @0x[0-9a-f]+ lines\\.c:18\n").matcher(r[1]).find(), r[1]);
        assertTrue(r[1].strip().endsWith(Integer.toString(linesRun(10))), r[1]);
        // run's Wasm local 0 is its parameter n.
        assertTrue(r[1].contains("  locals: local0 = 10\n"), r[1]);
    }

    /** lines.c's run(n): sum(n) - sum(n / 2), unsigned 32-bit. */
    static int linesRun(int n) {
        return sum(n) - sum(n / 2);
    }

    private static int sum(int n) {
        int total = 0;
        for (int i = 0; i < n; i++) total += (i ^ (i >>> 7)) * (int) 2654435761L;
        return total;
    }

    @Test
    void badBreaksAreBadUsageSayingWhy() throws Exception {
        String[][] cases = {
            {"demo.c:x", "--break for a .wasm must be FILE:LINE (a source line, from the module's -g debug info) or @OFFSET (a Wasm code offset, as backtraces show it), got 'demo.c:x'"},
            {"12", "got '12'"},
            {"collatz_len:3", "got 'collatz_len:3'"},
            {"demo.c:0", "--break demo.c:0: lines start at 1"},
            {"demo.c:9999", "--break demo.c:9999: demo.c has no code at or after line 9999"},
            {"nope.c:3", "--break nope.c:3: no source file nope.c in the line table"},
            {"@0x1", "--break @0x1: offset 0x1 is in no function's code"},
        };
        for (String[] c : cases) {
            String[] r = CliBadInputTest.run("run", DEMO, "--break", c[0]);
            assertEquals("2", r[0], c[0] + ": " + r[2]);
            assertTrue(r[2].contains(c[1]), c[0] + ": " + r[2]);
            assertFalse(r[1].contains("20000 samples"), "the guest did not start: " + r[1]);
        }
        // integers.wasm was built without -g: only wasi-libc's own files have lines.
        String[] r = CliBadInputTest.run("run", WasiRunCliTest.EXAMPLES.resolve("integers.wasm").toString(), "--break", "integers.c:10");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("--break integers.c:10: no source file integers.c in the line table, which has "), r[2]);
        assertTrue(r[2].contains("crt1-command.c") && r[2].endsWith("was it built with -g?\n"), r[2]);
    }

    @Test
    void aTrapsBacktraceNamesTheCLineOfEachFrame() throws Exception {
        String[] r = CliBadInputTest.run("run", resource("trap.wasm").toString());
        assertEquals("3", r[0], r[2]);
        String err = r[2];
        assertTrue(err.contains("trap: unreachable"), err);
        assertTrue(Pattern.compile("#0 %f\\d+_check\\+0x[0-9a-f]+ \\(@0x[0-9a-f]+\\) trap\\.c:9\n").matcher(err).find(), err);
        assertTrue(Pattern.compile("#1 %f\\d+_walk\\+0x[0-9a-f]+ \\(@0x[0-9a-f]+\\) trap\\.c:15\n").matcher(err).find(), err);
        assertTrue(Pattern.compile("#2 %f\\d+_main\\+0x[0-9a-f]+ \\(@0x[0-9a-f]+\\) trap\\.c:22\n").matcher(err).find(), err);
    }

    @Test
    void aWasmRunsTimeoutDoesNotCountTheTimeAStopTakes() {
        // As CliBreakTest's: the stop at demo.c:57 prints for 2 s, the guest runs for about
        // 0.1 s of its 1 s --timeout.
        String[] r = CliBreakTest.runWithStalledStdout(2_000, "run", "--timeout", "1s", DEMO, "--break", "demo.c:57", "--", "1");
        assertEquals("0", r[0], r[1] + r[2]);
        assertEquals(2, count(r[1], "break demo.c:57 in %f"), r[1]);
    }
}
