/*
 * The signal sampler in child JVMs: a virtual-thread owner that changes carriers, on the
 * Temurin 25 under /usr/lib/jvm (skipped, saying so, if absent), and a platform owner on
 * both that JDK and this one. Each child must attribute %a's share near 3/4, survive
 * signals sent after close, exit 0 and write no hs_err file.
 */
package dev.patchbay.profiler;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class SignalSamplerChildTest {
    static final Path JDK25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @TempDir Path dir;

    private String run(Path java, String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.toString()));
        if (!java.equals(current())) cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=4"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SignalSamplerChildMain.class.getName(), mode));
        Path log = dir.resolve(mode + "-" + Math.abs(java.hashCode()) + ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("child JVM hung:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("SignalSamplerChildTest " + java + " " + mode + ": " + out.lines().filter(l -> l.startsWith("RESULT")).toList());
        assertEquals(0, p.exitValue(), "child exit " + p.exitValue() + (p.exitValue() > 128 ? " (killed by signal " + (p.exitValue() - 128) + ")" : "") + ":\n" + out);
        assertTrue(out.contains("RESULT ok=true"), out);
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "hs_err file written");
        }
        return out;
    }

    private static Path current() { return Paths.get(System.getProperty("java.home"), "bin", "java"); }

    @Test
    void platformOwnerOnThisJdk() throws Exception {
        run(current(), "platform");
    }

    @Test
    void virtualOwnerAndPlatformOwnerOnTemurin25() throws Exception {
        if (!Files.isExecutable(JDK25)) {
            System.out.println("SignalSamplerChildTest: skipped: no Temurin 25 at " + JDK25);
            Assumptions.abort("no JDK 25 at " + JDK25);
        }
        run(JDK25, "virtual");
        run(JDK25, "platform");
    }
}
