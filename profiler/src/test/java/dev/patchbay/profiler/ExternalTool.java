/*
 * Finding an outside program a test runs (promtool, chromium) on PATH, and skipping the
 * test, printing why, where it is missing: CI installs them (.ci/run), a developer's
 * machine may not have them.
 */
package dev.patchbay.profiler;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

final class ExternalTool {
    private ExternalTool() {}

    /** The first of the names found on PATH; skips the calling test, saying why, if none is. */
    static Path require(String why, String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        String message = String.join(" or ", names) + " is not on PATH (" + why + "): skipping";
        System.out.println("SKIPPED: " + message);
        Assumptions.abort(message);
        return null;
    }
}
