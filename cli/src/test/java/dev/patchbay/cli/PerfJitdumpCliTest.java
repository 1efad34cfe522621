package dev.patchbay.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real perf on a running guest: `perf record -k 1` of a child JVM running `patchbay run
 * --perf` with a loop of about a second, `perf inject --jit`, and `perf report` names the
 * guest function. Skips, printing why, without perf or where the kernel refuses to record
 * (perf_event_paranoid, a container's seccomp): user-space cpu-clock sampling is what
 * perf_event_paranoid=2 still allows.
 */
class PerfJitdumpCliTest {
    /** The bundled example's loop: %sum(n) adds 0..n-1, about a second for 10^9. */
    static final Path EXAMPLE = Path.of("..", "examples", "sum-loop.clif");
    static final String GUEST = "sum";

    record Result(int exit, String output) {}

    static Result exec(Path dir, List<String> cmd) throws Exception {
        Path log = dir.resolve("out-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static Path perf() {
        return onPath("perf", "linux-perf");
    }

    /** {@code tool} on PATH, or a skip that names the Debian package to install. */
    static Path onPath(String tool, String debianPackage) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, tool);
            if (Files.isExecutable(p)) return p;
        }
        skip(tool + " is not on PATH (Debian package " + debianPackage + ")");
        return null;
    }

    static void skip(String why) {
        System.out.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    static boolean named(String report) {
        return java.util.regex.Pattern.compile("\\[\\.\\] " + GUEST + "\\s*$", java.util.regex.Pattern.MULTILINE).matcher(report).find();
    }

    @Test
    void perfReportNamesTheGuestFunction(@TempDir Path dir) throws Exception {
        String perf = perf().toString();
        Path clif = EXAMPLE.toAbsolutePath();
        Path data = dir.resolve("perf.data"), injected = dir.resolve("perf.jit.data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(perf, "record", "-k", "1", "-e", "cpu-clock", "-o", data.toString(), "--",
            java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
            "run", "--perf-dir", dir.toString(), clif.toString(), "--invoke", GUEST + "(1000000000)"));
        Result rec = exec(dir, cmd);
        if (rec.exit() != 0 && !rec.output().contains("499999999500000000")) {
            // perf itself refused (no child output): say exactly what it said.
            skip("perf record cannot record here (exit " + rec.exit() + "): " + rec.output().strip());
        }
        assertEquals(0, rec.exit(), rec.output());
        assertTrue(rec.output().contains("499999999500000000"), "the guest ran: " + rec.output());
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().matches("jit-\\d+\\.dump")), "the child wrote its jitdump in --perf-dir");
        }
        Result inj = exec(dir, List.of(perf, "inject", "--jit", "-i", data.toString(), "-o", injected.toString()));
        assertEquals(0, inj.exit(), inj.output());
        Result rep = exec(dir, List.of(perf, "report", "-i", injected.toString(), "--stdio", "--sort", "sym"));
        assertEquals(0, rep.exit(), rep.output());
        assertTrue(named(rep.output()), "perf report names the guest function:\n" + rep.output());
        // And the raw recording alone does not: the name comes from the jitdump.
        Result raw = exec(dir, List.of(perf, "report", "-i", data.toString(), "--stdio", "--sort", "sym"));
        assertFalse(named(raw.output()), raw.output());
    }

    @Test
    void anUnwritablePerfDirIsABadInputNamingTheOption(@TempDir Path dir) throws Exception {
        Path clif = EXAMPLE.toAbsolutePath();
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[] r = CliBadInputTest.run("run", "--perf-dir", file.resolve("sub").toString(), clif.toString(), "--invoke", GUEST + "(10)");
        assertEquals(String.valueOf(Main.EXIT_BAD_INPUT), r[0], r[2]);
        assertTrue(r[2].startsWith("patchbay: --perf: cannot write the perf jitdump file"), r[2]);
        assertFalse(r[2].contains("\tat "), r[2]);
    }

    @Test
    void runWithPerfWritesTheDumpAndStillPrintsTheResult(@TempDir Path dir) throws Exception {
        Path clif = EXAMPLE.toAbsolutePath();
        String[] r = CliBadInputTest.run("run", "--perf-dir", dir.toString(), clif.toString(), "--invoke", GUEST + "(10)");
        assertEquals("0", r[0], r[2]);
        assertEquals("45", r[1].strip());
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("jit-" + ProcessHandle.current().pid() + ".dump")));
        }
    }
}
