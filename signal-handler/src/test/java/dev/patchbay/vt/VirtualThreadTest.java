/*
 * Issue 13, item 1: the guest stack floor follows a virtual thread from carrier to
 * carrier. Runs VirtualThreadMain in a child JVM on the Temurin 25 under /usr/lib/jvm (and
 * on the build JVM itself when it has virtual threads); a child that dies by a signal, or
 * sees a spurious stk_ovf, fails the test.
 */
package dev.patchbay.vt;

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

class VirtualThreadTest {
    static final Path JDK25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @TempDir
    Path dir;

    @Test
    void guestsOnVirtualThreadsThatChangeCarriersNeverOverflowSpuriouslyOrCrash() throws Exception {
        Path java = Runtime.version().feature() >= 21 ? Paths.get(System.getProperty("java.home"), "bin", "java") : JDK25;
        if (!Files.isExecutable(java)) {
            System.out.println("VirtualThreadTest: skipped: no JDK 21+ here (looked for " + JDK25 + ")");
            Assumptions.abort("no JDK with virtual threads at " + JDK25);
        }
        List<String> cmd = new ArrayList<>(List.of(java.toString(),
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            // Few carriers, so that sleeping threads come back on a different one.
            "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=4",
            "-cp", System.getProperty("java.class.path"), VirtualThreadMain.class.getName()));
        Path log = dir.resolve("vt.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("child JVM hung:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child exit " + p.exitValue() + (p.exitValue() > 128 ? " (killed by signal " + (p.exitValue() - 128) + ")" : "") + ":\n" + out);
        assertTrue(out.contains("RESULT spurious=0"), out);
        assertTrue(out.contains("RESULT vinterrupt=8"), "Thread.interrupt() stopped every virtual owner:\n" + out);
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "hs_err file written");
        }
    }
}
