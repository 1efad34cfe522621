/*
 * `patchbay test` and run lines that never return (issue 13, item 12): every run line has
 * a timeout (10 s by default, --timeout to change); a line that times out is interrupted,
 * reported as a failure at its file:line, and the rest of the file and the other files
 * still run. Code that cannot be interrupted (compiled without epoch sites, through the
 * RunTests API) is reported as such and its thread abandoned, not waited for forever.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.CompileOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RunLineTimeoutTest {
    @TempDir
    Path dir;

    /** Line 10 is a run line that never returns; line 15 one that passes, after it in the same file. */
    static final String SPIN = String.join("\n",
        "function %spin(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}",
        "; run: %spin(0) == 1",
        "function %id(i64) -> i64 {",
        "block0(v0: i64):",
        "    return v0",
        "}",
        "; run: %id(3) == 3", "");

    /** Counts v0 down to zero: about a second for 2e9, then returns 0. */
    static final String COUNTDOWN = String.join("\n",
        "function %down(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, -1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}",
        "; run: %down(2000000000) == 0",
        "function %id(i64) -> i64 {",
        "block0(v0: i64):",
        "    return v0",
        "}",
        "; run: %id(3) == 3", "");

    static final String OTHER = "function %two() -> i64 {\nblock0:\n    v0 = iconst.i64 2\n    return v0\n}\n; run: %two() == 2\n";

    @Test
    void aRunLineThatNeverReturnsFailsAtItsLineAfterTheTimeoutAndTheRestStillRun() throws Exception {
        Path spin = dir.resolve("a-spin.clif"), other = dir.resolve("b-other.clif");
        Files.writeString(spin, SPIN);
        Files.writeString(other, OTHER);
        long t0 = System.nanoTime();
        String[] r = assertTimeoutPreemptively(Duration.ofSeconds(60),
            () -> CliBadInputTest.run("test", "--timeout=300ms", spin.toString(), other.toString()), "patchbay test hung");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[1].contains(spin + ":10:1: error: %spin(0): timed out after 300ms (interrupted)"), r[1]);
        assertTrue(r[1].contains("#0 %spin+0x"), "the backtrace of where it was stopped:\n" + r[1]);
        assertTrue(r[1].contains(spin + ": 1 passed, 1 failed, 0 skipped"), "the line after it, in the same Store, still runs:\n" + r[1]);
        assertTrue(r[1].contains(other + ": 1 passed, 0 failed, 0 skipped"), "the next file still runs:\n" + r[1]);
        assertTrue(r[1].strip().endsWith("2 passed, 1 failed, 0 skipped"), r[1]);
        assertTrue(ms >= 290, "not before the timeout: " + ms + " ms");
        assertTrue(ms < 20_000, "took " + ms + " ms");
    }

    @Test
    void runLinesHaveADocumentedDefaultTimeout() {
        assertEquals(Duration.ofSeconds(10), RunTests.DEFAULT_TIMEOUT);
        String[] r = CliBadInputTest.run("test", "--help");
        assertEquals("0", r[0]);
        assertTrue(r[1].replaceAll("\\s+", " ").contains("--timeout=DURATION Fail a run line that has not returned after this long"), r[1]);
        assertTrue(r[1].contains("(default: 10s)"), r[1]);
    }

    @Test
    void aRunLineThatCannotBeInterruptedIsReportedAndItsThreadAbandoned() throws Exception {
        Path f = dir.resolve("down.clif");
        Files.writeString(f, COUNTDOWN);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // Compiled without epoch sites: no interrupt can reach the loop.
        try (RunTests runs = new RunTests(new PrintStream(log, true, StandardCharsets.UTF_8), CompileOptions.defaults())
                .timeout(Duration.ofMillis(200))) {
            RunTests.Counts c = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> runs.run(List.of(f)));
            String text = log.toString(StandardCharsets.UTF_8);
            assertEquals(1, c.failed, text);
            assertEquals(1, c.passed, "the next line runs in a fresh Store on a new thread:\n" + text);
            assertTrue(text.contains(f + ":10:1: error: %down(2000000000): timed out after 200ms and cannot be interrupted"), text);
            assertTrue(text.contains("its thread is left running"), text);
            // The abandoned call ends on its own and closes its Store.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (runs.abandonedCalls() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(0, runs.abandonedCalls(), "the abandoned countdown never finished");
        }
    }

    @Test
    void fastRunLinesAreUnaffectedByTheTimeout() throws Exception {
        Path f = dir.resolve("other.clif");
        Files.writeString(f, OTHER);
        String[] r = CliBadInputTest.run("test", "--timeout=500ms", f.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].strip().endsWith("1 passed, 0 failed, 0 skipped"), r[1]);
    }
}
