/*
 * Wasm test modules are written in WAT and assembled by wabt's wat2wasm (Debian wabt, which
 * CI installs); without it the tests that need it skip, printing why.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

final class Wat {
    private Wat() {}

    static Path tool(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                Path p = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        System.out.println("SKIPPED: " + name + " is not on PATH (Debian package wabt)");
        Assumptions.abort(name + " is not on PATH (Debian package wabt)");
        return null;
    }

    static byte[] wasm(String wat) throws Exception {
        Path tool = tool("wat2wasm");
        Path dir = Files.createTempDirectory("patchbay-wat");
        Path in = dir.resolve("m.wat"), out = dir.resolve("m.wasm");
        Files.writeString(in, wat);
        Process p = new ProcessBuilder(tool.toString(), "--debug-names", in.toString(), "-o", out.toString()).redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("wat2wasm failed: " + msg);
        byte[] b = Files.readAllBytes(out);
        Files.delete(in);
        Files.delete(out);
        Files.delete(dir);
        return b;
    }
}
