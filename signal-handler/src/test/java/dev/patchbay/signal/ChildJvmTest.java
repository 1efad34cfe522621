/*
 * Runs ChildMain scenarios in fresh JVMs: chaining to a previously installed SIGTRAP
 * handler, dying by SIG_DFL exactly as without Patchbay (exit 133, no hs_err file), and
 * the arming smoke test on JDK 17 and on the Temurin 25 under /usr/lib/jvm (skipped if
 * that JDK is absent).
 */
package dev.patchbay.signal;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ChildJvmTest {
    static final Path JDK25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @TempDir
    Path dir;

    static final class Run {
        int exit;
        String out;
        Map<String, String> results = new HashMap<>();
    }

    Run run(Path java, String mode, String... args) throws IOException, InterruptedException {
        return run(java, List.of(), mode, args);
    }

    Run run(Path java, List<String> jvmArgs, String mode, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.add("-Xss8m");
        cmd.addAll(jvmArgs);
        if (featureVersion(java) >= 23) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--sun-misc-unsafe-memory-access=allow"); // as ./patchbay passes on JDK 23+
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildMain.class.getName());
        cmd.add(mode);
        cmd.addAll(List.of(args));
        // Output goes to a file, so a child that hangs cannot block this test on a pipe.
        Path log = dir.resolve(mode + ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
            fail("child JVM '" + mode + "' did not finish within 120 s (hung); its output:\n"
                + Files.readString(log, StandardCharsets.UTF_8));
        }
        Run r = new Run();
        r.exit = p.exitValue();
        r.out = Files.readString(log, StandardCharsets.UTF_8);
        for (String line : r.out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).trim().split("=", 2);
                r.results.put(kv[0], kv[1]);
            }
        }
        return r;
    }

    /** The Java release of a JVM this test runs: this one, or the Temurin 25 beside it. */
    static int featureVersion(Path java) {
        if (java.startsWith(System.getProperty("java.home"))) return Runtime.version().feature();
        if (java.equals(JDK25)) return 25;
        throw new IllegalArgumentException("unknown JVM " + java);
    }

    static Path currentJava() { return Paths.get(System.getProperty("java.home"), "bin", "java"); }

    List<String> hsErrFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            s.filter(p -> p.getFileName().toString().startsWith("hs_err")).forEach(p -> out.add(p.toString()));
            return out;
        }
    }

    @Test
    void foreignInt3ReachesThePreviousHandler() throws Exception {
        Run r = run(currentJava(), "chain");
        assertEquals(0, r.exit, r.out);
        assertEquals("1", r.results.get("ours-installed"), r.out);
        assertEquals("6", r.results.get("sum"), r.out);
        assertEquals("3", r.results.get("foreign-traps"), r.out);
        assertEquals("debug", r.results.get("guest-debugtrap"), "a guest debugtrap is a Trap of ours\n" + r.out);
        assertEquals("3", r.results.get("foreign-traps-after"), "our own traps never reach the previous handler\n" + r.out);
        assertEquals("1", r.results.get("hooked"), r.out);
        assertEquals("1", r.results.get("restored"), "closing the last Engine reinstalls the previous handler\n" + r.out);
        assertTrue(hsErrFiles().isEmpty());
    }

    @Test
    void aHandlerInstalledOverOursIsNotCoveredAgainWhichWouldLoopFaultsBetweenThem() throws Exception {
        // A Wasmtime Engine made while a Patchbay Engine lives installs its SIGSEGV handler
        // over ours and chains to it; reinstalling ours over theirs hung the JVM (the demo,
        // then any later Engine, in one test JVM).
        Run r = run(currentJava(), "replaced");
        assertEquals(0, r.exit, r.out);
        assertEquals("1", r.results.get("left"), "their handler stays when the last Engine closes\n" + r.out);
        assertEquals("1", r.results.get("theirs-kept"), "a new Engine does not cover it again\n" + r.out);
        assertEquals("196", r.results.get("npes"), "HotSpot's null checks still reach HotSpot\n" + r.out);
        assertEquals("1", r.results.get("done"), r.out);
        assertTrue(hsErrFiles().isEmpty());
    }

    @Test
    void sigDflKillsTheProcessAsWithoutPatchbay() throws Exception {
        Run r = run(currentJava(), "sigdfl");
        assertEquals("1", r.results.get("about-to-trap"), r.out);
        assertNull(r.results.get("survived"), r.out);
        assertEquals(133, r.exit, r.out);
        assertTrue(hsErrFiles().isEmpty(), "no hs_err file: " + hsErrFiles());
    }

    @Test
    void armingWorksOnTemurin25() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), "Temurin 25 is not installed at " + JDK25);
        Run r = run(JDK25, "smoke");
        assertEquals(0, r.exit, r.out);
        assertEquals("25", r.results.get("java"), r.out);
        assertEquals("1000", r.results.get("rounds"), r.out);
        assertEquals("1", r.results.get("hooked"), r.out);
        assertFalse(r.out.contains("WARNING:"), "no JVM warnings (native access, sun.misc.Unsafe):\n" + r.out);
        assertTrue(hsErrFiles().isEmpty());
    }

    /** See ChildMain.publish: registry updates under safepoints and implicit NPEs must not hang. */
    @Test
    void registryUpdatesNeverLeaveASignalHandlerWaiting() throws Exception {
        publishUnderSafepoints(currentJava());
    }

    @Test
    void registryUpdatesNeverLeaveASignalHandlerWaitingOnTemurin25() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), "Temurin 25 is not installed at " + JDK25);
        publishUnderSafepoints(JDK25);
    }

    private void publishUnderSafepoints(Path java) throws Exception {
        Run r = run(java, "publish", "3000");
        assertEquals(0, r.exit, r.out);
        assertEquals("1", r.results.get("npes"), r.out);
        assertTrue(Long.parseLong(r.results.get("updates")) > 1000, r.out);
        assertTrue(hsErrFiles().isEmpty());
    }

    @Test
    void armingWorksOnThisJdkInAFreshJvm() throws Exception {
        Run r = run(currentJava(), "smoke");
        assertEquals(0, r.exit, r.out);
        assertEquals("1000", r.results.get("rounds"), r.out);
    }

    /**
     * The first interrupt in a JVM used to load and initialise the classes of its Java side
     * (and link their call sites) on the interrupt path, which took it 10 to 65 ms; the first
     * epoch Engine now does that (InterruptPathWarmup), so the first interrupt loads none of
     * them. Without the warm-up, every class listed here is loaded between the marks.
     */
    @Test
    void theFirstInterruptInAJvmLoadsNoClassOfItsPath() throws Exception {
        Run r = run(currentJava(), List.of("-Xlog:class+load=info:stdout"), "firstInterrupt");
        assertEquals(0, r.exit, r.out);
        assertEquals("true", r.results.get("interrupted"), r.out);
        int from = r.out.indexOf("MARK interrupt"), to = r.out.indexOf("MARK done");
        assertTrue(from >= 0 && to > from, r.out);
        String during = r.out.substring(from, to);
        for (String c : List.of("dev.patchbay.TrapDecoder", "dev.patchbay.GuestFrame", "dev.patchbay.EpochOutcome ",
                "dev.patchbay.PatchRequest", "java.util.concurrent.CompletableFuture ", "dev.patchbay.EpochState$Action")) {
            assertFalse(during.contains(c), c + " was loaded by the first interrupt:\n" + during);
        }
    }

    static String classpath() { return System.getProperty("java.class.path").replace(File.pathSeparatorChar, '\n'); }
}
