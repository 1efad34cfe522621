/*
 * Usage errors follow picocli's conventions: `patchbay` alone exits 2 with its usage on
 * stderr; a mistyped command or option gets picocli's own suggestion ("Did you mean",
 * "Possible solutions") instead of a page of usage; a usage error without a suggestion
 * still prints the command's usage; --help still goes to stdout with exit 0.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CliUsageTest {
    @TempDir
    Path dir;

    static String[] run(String... args) { return CliBadInputTest.run(args); }

    Path id() throws Exception {
        Path f = dir.resolve("id.clif");
        Files.writeString(f, CliHostileInputTest.ID);
        return f;
    }

    @Test
    void noArgumentsExitsTwoWithTheUsage() {
        String[] r = run();
        assertEquals("2", r[0], r[2]);
        assertEquals("", r[1], "nothing on stdout");
        assertTrue(r[2].startsWith("patchbay: no command given\n"), r[2]);
        assertTrue(r[2].contains("Usage: patchbay"), r[2]);
        for (String cmd : new String[] {"compile", "test", "run", "bench", "demo"}) assertTrue(r[2].contains(cmd), r[2]);
    }

    @Test
    void aMistypedCommandGetsPicocliSuggestion() {
        String[] r = run("runn", "x.clif");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("Did you mean: patchbay run?"), r[2]);
        assertFalse(r[2].contains("Usage:"), "the suggestion instead of the usage:\n" + r[2]);
        assertTrue(run("compil", "x.clif")[2].contains("Did you mean: patchbay compile?"));
    }

    @Test
    void aMistypedOptionGetsPicocliSuggestion() throws Exception {
        String[] r = run("run", id().toString(), "--invoke", "id(1)", "--profil");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("Unknown option: '--profil'"), r[2]);
        assertTrue(r[2].contains("Possible solutions: --profile"), r[2]);
        assertFalse(r[2].contains("Usage:"), r[2]);
        String[] c = run("compile", "--jsno", id().toString());
        assertTrue(c[2].contains("Possible solutions: --json"), c[2]);
    }

    @Test
    void aUsageErrorWithoutSuggestionsPrintsTheCommandsUsage() throws Exception {
        String[] r = run("run", "--invoke", "id(1)");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("Missing required parameter: 'FILE'"), r[2]);
        assertTrue(r[2].contains("Usage: patchbay run"), r[2]);
        // --invoke is optional for a .wasm WASI command, so a CLIF file without it is the
        // command's own check, which says what is missing and why.
        String[] noInvoke = run("run", id().toString());
        assertEquals("2", noInvoke[0], noInvoke[2]);
        assertTrue(noInvoke[2].contains("--invoke is required for a CLIF file"), noInvoke[2]);
        String[] bad = run("run", id().toString(), "--invoke", "id(1)", "--epoch-deadline=soon");
        assertEquals("2", bad[0], bad[2]);
        assertTrue(bad[2].contains("'--epoch-deadline'"), "names the option: " + bad[2]);
        assertFalse(bad[2].contains(id() + ": error"), bad[2]);
    }

    @Test
    void helpStillGoesToStdout() {
        String[] r = run("--help");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("Usage: patchbay"), r[1]);
        assertEquals("", r[2]);
    }
}
