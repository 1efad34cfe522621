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
}
