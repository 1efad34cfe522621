/*
 * `patchbay run --break`: a quick terminal stop that prints where the guest stopped, its
 * backtrace with CLIF locations, and the values there, and lets it go on to its result;
 * a malformed or unresolvable location is bad usage (exit 2) that says why.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CliBreakTest {
    @TempDir Path dir;

    Path calls() throws Exception {
        Path p = dir.resolve("calls.clif");
        Files.writeString(p, DapClientTest.CALLS);
        return p;
    }

    @Test
    void aBreakPrintsTheStopAndItsValuesAndTheCallGoesOn() throws Exception {
        String[] r = CliBadInputTest.run("run", calls().toString(), "--invoke", "main(5)", "--break", "10", "--break", "inc:3");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertTrue(out.contains("break %main at 10:5 (hit 1)"), out);
        assertTrue(out.contains("v1 = 15"), "main's v1 at the call: " + out);
        assertTrue(out.contains("break %inc at 3:5 (hit 1)"), out);
        assertTrue(out.contains("#1 %main+0x"), "inc's caller in the backtrace: " + out);
        assertTrue(out.contains("at 10:5"), out);
        assertTrue(out.strip().endsWith("48"), "the result comes last: " + out);
        assertTrue(out.indexOf("break %main") < out.indexOf("break %inc"), out);
    }

    @Test
    void aBadBreakIsBadUsage() throws Exception {
        String f = calls().toString();
        String[] r = CliBadInputTest.run("run", f, "--invoke", "main(5)", "--break", "x:y");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--break must be LINE or FUNCTION:LINE, got 'x:y'"), r[2]);
        r = CliBadInputTest.run("run", f, "--invoke", "main(5)", "--break", "999");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--break: no code at or after line 999"), r[2]);
        r = CliBadInputTest.run("run", f, "--invoke", "main(5)", "--break", "nope:3");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("function %nope"), r[2]);
    }

    /**
     * Runs the CLI in this process with stdout that blocks for `stallMs` on the first write of
     * a stop ("break ..."): that stop holds the guest stopped that long, deterministically.
     * (A guest's own output, written in a hostcall, is the guest's time: it is not stalled.)
     */
    static String[] runWithStalledStdout(long stallMs, String... args) {
        java.io.PrintStream oldOut = System.out, oldErr = System.err;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        java.io.OutputStream slow = new java.io.OutputStream() {
            boolean stalled;

            @Override public synchronized void write(int b) { write(new byte[] {(byte) b}, 0, 1); }

            @Override public synchronized void write(byte[] b, int off, int len) {
                if (!stalled && new String(b, off, Math.min(len, 6), java.nio.charset.StandardCharsets.UTF_8).equals("break ")) {
                    stalled = true;
                    try {
                        Thread.sleep(stallMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                out.write(b, off, len);
            }
        };
        try {
            System.setOut(new java.io.PrintStream(slow, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new String[] {String.valueOf(code), out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void theTimeoutDoesNotCountTheTimeAStopTakes() throws Exception {
        Path loop = dir.resolve("loop.clif");
        Files.writeString(loop, DapClientTest.LOOP);
        // The first stop's output takes 2 s to print; the guest's own run takes microseconds.
        // A watchdog counting wall time interrupted it during that stop (exit 3).
        String[] r = runWithStalledStdout(2_000, "run", loop.toString(), "--invoke", "spin(3)", "--break", "6", "--timeout", "1s");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("(hit 3)") && r[1].strip().endsWith("3"), r[1]);
    }
}
