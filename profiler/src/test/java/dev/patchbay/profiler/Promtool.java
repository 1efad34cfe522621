/*
 * Runs Prometheus's own linter, `promtool check metrics` (Debian package prometheus), on a
 * scrape. Tests that need it skip, printing why, where it is not installed.
 */
package dev.patchbay.profiler;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

final class Promtool {
    private Promtool() {}

    /** What promtool said: its exit code and its output (stdout and stderr). */
    record Result(int exit, String output) {}

    /** The promtool on PATH; skips the calling test, saying so, if there is none. */
    static Path require() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(p)) return p;
        }
        String why = "promtool is not on PATH (install the Debian package prometheus; .ci/run does): skipping the promtool check";
        System.out.println("SKIPPED: " + why);
        Assumptions.abort(why);
        return null;
    }

    /** Runs `promtool check metrics` with the scrape on its standard input. */
    static Result checkMetrics(String scrape) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(require().toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream o = p.getInputStream()) {
            o.transferTo(out);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("promtool did not finish in 60 s");
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }
}
