/*
 * `patchbay dap` driven by a real DAP client: @vscode/debugadapter-testsupport (the one VS
 * Code's adapter authors use), run by node on test resource dap/session.js, against a child
 * JVM running the CLI's Main. Scenarios: a program runs to the end and its result arrives as
 * an output event with exit code 0; a malformed program fails the launch request with the
 * compiler's file:line:col message; terminate stops a runaway guest (trap: interrupt, exit 3);
 * a breakpoint in a CLIF file stops the guest, its variables are listed, it steps into,
 * out of and over, and continues to the end; pause stops a runaway loop at its back edge;
 * a conditional breakpoint (a bad one unverified, naming the column), the disassembly at
 * its stop, an instruction breakpoint and an instruction step; a logpoint whose output
 * events are counted against the program's own count; a launch timeout that ends a runaway
 * guest but is not spent by a second-long stop;
 * and the same client over TCP to `dap --port 0`, which serves one session and exits.
 * Skips, saying why, without node or the npm package (.ci/run installs it into .ci/node).
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class DapClientTest {
    @TempDir Path dir;

    static Path onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** node_modules holding @vscode/debugadapter-testsupport: $PATCHBAY_NODE_MODULES, or .ci/node above the working directory. */
    static Path nodeModules() {
        String env = System.getenv("PATCHBAY_NODE_MODULES");
        if (env != null && Files.isDirectory(Path.of(env, "@vscode/debugadapter-testsupport"))) return Path.of(env);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path m = p.resolve(".ci/node/node_modules");
            if (Files.isDirectory(m.resolve("@vscode/debugadapter-testsupport"))) return m;
        }
        return null;
    }

    Path node, modules;

    void requireClient() {
        node = onPath("node");
        modules = nodeModules();
        String why = node == null ? "node is not installed" : modules == null
            ? "@vscode/debugadapter-testsupport is not installed (bash .ci/run installs it into .ci/node)" : null;
        if (why != null) System.out.println("DapClientTest: skipped, " + why);
        Assumptions.assumeTrue(why == null, why);
    }

    String session(String... extra) throws Exception {
        Path script = dir.resolve("session.js");
        try (InputStream in = DapClientTest.class.getResourceAsStream("/dap/session.js")) {
            Files.write(script, in.readAllBytes());
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(node.toString(), script.toString(), dir.resolve("adapter.sh").toString(), dir.toString()));
        cmd.addAll(java.util.List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("NODE_PATH", modules.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the DAP session timed out:\n" + out);
        String stderr = Files.exists(dir.resolve("adapter-stderr.txt")) ? Files.readString(dir.resolve("adapter-stderr.txt")) : "";
        assertEquals(0, p.exitValue(), out + "\nadapter stderr:\n" + stderr);
        return out;
    }

    String javaCommand() {
        return "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -Xss8m -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName();
    }

    /** For the debugging scenario: main calls inc on line 10. */
    static final String CALLS = String.join("\n",
        "function %inc(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 1",
        "    return v1",
        "}",
        "function %main(i64) -> i64 {",
        "    fn0 = %inc(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 10",
        "    v2 = call fn0(v1)",
        "    v3 = imul_imm v2, 3",
        "    return v3",
        "}", "");

    /** The sum of 0..n-1; line 6 is the loop body (v2 = i, v3 = the sum so far). */
    static final String LOOP = String.join("\n",
        "function %spin(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = iadd v3, v2",
        "    v5 = iadd_imm v2, 1",
        "    v6 = icmp ult v5, v0",
        "    brif v6, block1(v5, v4), block2",
        "block2:",
        "    return v4",
        "}", "");

    /** Counts the i < n with i % 3 == 0; line 9 runs that many times (v3 the count so far). */
    static final String THIRDS = String.join("\n",
        "function %thirds(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iconst.i64 0",
        "    jump block1(v1, v1)",
        "block1(v2: i64, v3: i64):",
        "    v4 = urem_imm v2, 3",
        "    brif v4, block3(v3), block2",
        "block2:",
        "    v5 = iadd_imm v3, 1",
        "    jump block3(v5)",
        "block3(v6: i64):",
        "    v7 = iadd_imm v2, 1",
        "    v8 = icmp ult v7, v0",
        "    brif v8, block1(v7, v6), block4",
        "block4:",
        "    return v6",
        "}", "");

    @Test
    void overTcpWithPort() throws Exception {
        requireClient();
        Files.writeString(dir.resolve("fib.clif"), CliProfileTest.FIB);
        Files.writeString(dir.resolve("adapter.sh"), "#!/bin/sh\nexit 1\n"); // unused over TCP
        Process server = new ProcessBuilder("/bin/sh", "-c", "exec " + javaCommand() + " dap --port 0").start();
        try {
            java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
            String line = err.readLine();
            assertNotNull(line, "the server printed nothing");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(line);
            assertTrue(m.find(), line);
            String out = session(m.group(1));
            assertTrue(out.contains("ok runsToTheEnd"), out);
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server ends with its one session");
            assertEquals(0, server.exitValue());
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aRealDapClientLaunchesRunsAndTerminates() throws Exception {
        requireClient();
        Files.writeString(dir.resolve("fib.clif"), CliProfileTest.FIB);
        Files.writeString(dir.resolve("bad.clif"), "function %f() -> i64 {\nblock0:\n    v0 = iconst.i64\n    return v0\n}\n");
        Files.writeString(dir.resolve("runaway.clif"), String.join("\n",
            "function %spin(i64) -> i64 {",
            "block0(v0: i64):",
            "    jump block1(v0)",
            "block1(v1: i64):",
            "    v2 = iadd_imm v1, 1",
            "    jump block1(v2)",
            "}", ""));
        Files.writeString(dir.resolve("calls.clif"), CALLS);
        Files.writeString(dir.resolve("loop.clif"), LOOP);
        Files.writeString(dir.resolve("thirds.clif"), THIRDS);
        Files.writeString(dir.resolve("adapter.sh"), "#!/bin/sh\nexec " + javaCommand() + " dap 2>>'" + dir.resolve("adapter-stderr.txt") + "'\n");
        String out = session();
        for (String s : new String[] {"ok runsToTheEnd", "ok aBadProgramFailsTheLaunch", "ok terminateStopsARunawayGuest",
                "ok debugsAProgram", "ok pauseStopsARunawayGuest",
                "ok conditionsInstructionsAndDisassembly", "ok aLogpointSendsOneOutputPerRun", "ok aTimeoutEndsARunawayButAStopDoesNotSpendIt",
                "ok everyStepsResponseComesBeforeItsStop"}) {
            assertTrue(out.contains(s), s + " in:\n" + out);
        }
    }
}
