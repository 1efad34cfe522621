/*
 * Runs Prometheus's own linter, `promtool check metrics` (Debian package prometheus), on a
 * scrape. Tests that need it skip, printing why, where it is not installed.
 */
package dev.patchbay.profiler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

final class Promtool {
    private Promtool() {}

    /** What promtool said: its exit code and its output (stdout and stderr). */
    record Result(int exit, String output) {}

    /** The promtool on PATH; skips the calling test, saying so, if there is none. */
    static Path require() { return ExternalTool.require("install the Debian package prometheus; .ci/run does", "promtool"); }

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
