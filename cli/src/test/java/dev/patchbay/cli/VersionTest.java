/*
 * `patchbay --version` must print the version the build was made from (the filtered
 * version.properties), so a release never ships a stale hand-written string.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionTest {
    @Test void versionComesFromTheBuild() {
        String expected = System.getProperty("patchbay.expectedVersion");
        String v = VersionProvider.version();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), "not a version: " + v);
        if (expected != null && !expected.isEmpty()) assertEquals(expected, v);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(Main.EXIT_OK, Main.execute("--version"));
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("patchbay " + v + "\n"), out.toString(StandardCharsets.UTF_8));
    }
}
