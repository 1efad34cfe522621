/*
 * The peers suite's inputs are what they say: the checked-in .wasm files are the build of
 * the .wat sources beside them (when wat2wasm is installed), each kernel computes its Java
 * reference's value in both peers, and both peers' stop mechanisms stop the runaway loop.
 */
package dev.patchbay.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class WasmKernelsTest {
    @TempDir Path dir;

    @Test
    void theCheckedInWasmIsTheBuildOfTheWat() throws Exception {
        Path wat2wasm = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d, "wat2wasm");
            if (Files.isExecutable(p)) wat2wasm = p;
        }
        if (wat2wasm == null) System.out.println("WasmKernelsTest: skipped, wat2wasm (Debian package wabt) is not installed");
        Assumptions.assumeTrue(wat2wasm != null, "wat2wasm (wabt) is not installed");
        java.util.List<String> names = new java.util.ArrayList<>();
        for (WasmKernels.Kernel k : WasmKernels.ALL) names.add(k.name());
        names.add("runaway");
        for (String n : names) {
            Path wat = dir.resolve(n + ".wat"), out = dir.resolve(n + ".wasm");
            Files.write(wat, WasmKernels.resource("/kernels/wasm/" + n + ".wat"));
            Process p = new ProcessBuilder(wat2wasm.toString(), wat.toString(), "-o", out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "wat2wasm timed out on " + n);
            assertEquals(0, p.exitValue(), n + ".wat: " + log);
            assertArrayEquals(Files.readAllBytes(out), WasmKernels.resource("/kernels/wasm/" + n + ".wasm"),
                n + ".wasm is stale: rebuild it with wat2wasm " + n + ".wat -o " + n + ".wasm");
        }
    }

    @Test
    void everyKernelComputesItsReferenceInBothPeers() {
        for (WasmKernels.Kernel k : WasmKernels.ALL) {
            long arg = Math.max(2, k.quickArg() / 10);
            long expect = k.reference().applyAsLong(arg);
            try (PeersSuite.Loaded wt = PeersSuite.wasmtime(k.wasm(), true); PeersSuite.Loaded ch = PeersSuite.chicory(k.wasm());
                 PeersSuite.Loaded pb = PeersSuite.patchbay(k.wasm(), true); PeersSuite.Loaded pn = PeersSuite.patchbay(k.wasm(), false)) {
                assertEquals(expect, wt.call(arg), k.name() + " in Wasmtime");
                assertEquals(expect, ch.call(arg), k.name() + " in Chicory");
                assertEquals(expect, pb.call(arg), k.name() + " in Patchbay");
                assertEquals(expect, pn.call(arg), k.name() + " in Patchbay without sites");
            }
        }
    }

    @Test
    void everyPeerStopsTheRunawayLoopOnAFreshAndOnAWarmStore() {
        byte[] wasm = WasmKernels.runaway();
        for (boolean warm : new boolean[] {false, true}) {
            for (String r : PeerInterrupts.RUNTIMES) {
                try (PeerInterrupts.Target t = PeerInterrupts.target(r, wasm, warm)) {
                    for (int i = 0; i < 2; i++) {
                        double us = t.stop(2);
                        assertTrue(us > 0 && us < 5_000_000, r + (warm ? ", warm" : ", fresh") + ": " + us + " us");
                    }
                }
            }
        }
    }

    @Test
    void aColdJvmStopIsMeasuredInAChildJvm() {
        double us = PeerInterrupts.coldStop("patchbay_interrupt");
        assertTrue(us > 0 && us < 5_000_000, us + " us");
    }
}
