/*
 * `patchbay dap` on Wasm programs built from C, driven by the real DAP client
 * (@vscode/debugadapter-testsupport, as DapClientTest): a WASI command (demo.wasm, with
 * args) stops at a breakpoint set in demo.c, its stack trace shows demo.c and the lines
 * (the caller's at its call), `next` steps to the next C line as one step, and with the
 * breakpoint cleared it continues to the end with its stdout as output events; an export
 * launched with invoke (lines.wasm) steps into a callee at a C line and out again.
 * Skips, saying why, without node or the npm package.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class DapWasmClientTest {
    @TempDir Path dir;

    @Test
    void aRealDapClientDebugsCProgramsAtTheirLines() throws Exception {
        DapClientTest base = new DapClientTest();
        base.dir = dir;
        base.requireClient();
        Files.copy(WasiRunCliTest.EXAMPLES.resolve("demo.wasm"), dir.resolve("demo.wasm"));
        Files.copy(WasiRunCliTest.EXAMPLES.resolve("demo.c"), dir.resolve("demo.c"));
        Files.copy(CliWasmBreakTest.resource("lines.wasm"), dir.resolve("lines.wasm"));
        Files.copy(CliWasmBreakTest.resource("lines.c"), dir.resolve("lines.c"));
        Files.writeString(dir.resolve("adapter.sh"), "#!/bin/sh\nexec " + base.javaCommand() + " dap 2>>'" + dir.resolve("adapter-stderr.txt") + "'\n");
        Path script = dir.resolve("wasm-session.js");
        try (InputStream in = DapWasmClientTest.class.getResourceAsStream("/dap/wasm-session.js")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder pb = new ProcessBuilder(base.node.toString(), script.toString(), dir.resolve("adapter.sh").toString(), dir.toString(),
            Integer.toString(CliWasmBreakTest.linesRun(10))).redirectErrorStream(true);
        pb.environment().put("NODE_PATH", base.modules.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the DAP session timed out:\n" + out);
        String stderr = Files.exists(dir.resolve("adapter-stderr.txt")) ? Files.readString(dir.resolve("adapter-stderr.txt")) : "";
        assertEquals(0, p.exitValue(), out + "\nadapter stderr:\n" + stderr);
        for (String s : new String[] {"ok debugsACommandAtCLines", "ok stepsIntoAndOutOfAnInvokedExport", "ok aMalformedWasmFailsTheLaunch"}) {
            assertTrue(out.contains(s), s + " in:\n" + out);
        }
    }
}
