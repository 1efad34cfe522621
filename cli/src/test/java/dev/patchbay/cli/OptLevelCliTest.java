package dev.patchbay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --opt-level=speed: fib's recursion becomes a loop, with the same results, and the loop still stops. */
class OptLevelCliTest {
    @Test
    void speedKeepsFibsResultAndHalvesItsCalls() {
        String[] none = CliBadInputTest.run("run", "../examples/fib.clif", "--invoke", "fib(25)", "--profile");
        String[] speed = CliBadInputTest.run("run", "--opt-level=speed", "../examples/fib.clif", "--invoke", "fib(25)", "--profile");
        assertEquals("0", none[0], none[2]);
        assertEquals("0", speed[0], speed[2]);
        assertTrue(none[1].startsWith("75025"), none[1]);
        assertTrue(speed[1].startsWith("75025"), speed[1]);
        // fib(25) calls fib 242,785 times as written; the loop keeps one call of the two.
        assertTrue(none[1].contains("242785") || none[1].contains("242,785"), none[1]);
        assertTrue(!speed[1].contains("242785") && !speed[1].contains("242,785"), speed[1]);
    }

    @Test
    void compileShowsOneCallLeft() {
        String[] r = CliBadInputTest.run("compile", "--opt-level=speed", "--instrument=none", "../examples/fib.clif");
        assertEquals("0", r[0], r[2]);
        String fib = r[1].substring(r[1].indexOf("function %fib"));
        fib = fib.substring(0, fib.indexOf("\nfunction ") > 0 ? fib.indexOf("\nfunction ") : fib.length());
        assertEquals(1, fib.split(" call 0x", -1).length - 1, fib);
    }

    @Test
    void compileOfAWasmModuleTakesTheOptLevelToo() {
        // compile X.wasm ignored --opt-level: the disassembly did not show what run compiles.
        String wasm = "../benchmarks/src/main/resources/kernels/wasm/fib.wasm";
        String[] none = CliBadInputTest.run("compile", "--instrument=none", wasm);
        String[] speed = CliBadInputTest.run("compile", "--opt-level=speed", "--instrument=none", wasm);
        assertEquals("0", none[0], none[2]);
        assertEquals("0", speed[0], speed[2]);
        assertTrue(!none[1].equals(speed[1]), "the same code at both levels");
        int callsNone = none[1].split(" call 0x", -1).length, callsSpeed = speed[1].split(" call 0x", -1).length;
        assertTrue(callsSpeed > callsNone, "inlining copies fib's calls into its body: " + callsNone + " -> " + callsSpeed);
    }

    @Test
    void aRecursionThatNeverEndsIsALoopThatTheTimeoutStops(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("forever.clif");
        Files.writeString(f, """
            function %forever(i64) -> i64 {
                fn0 = %forever(i64) -> i64
            block0(v0: i64):
                v1 = iadd_imm v0, 1
                v2 = call fn0(v1)
                v3 = iadd v2, v0
                return v3
            }
            """);
        String[] r = CliBadInputTest.run("run", "--opt-level=speed", f.toString(), "--invoke", "forever(0)", "--timeout", "200ms");
        assertEquals("3", r[0], r[1] + r[2]);
        String[] none = CliBadInputTest.run("run", f.toString(), "--invoke", "forever(0)", "--timeout", "5s");
        assertTrue(none[2].contains("stk_ovf") || none[2].contains("stack"), "as written it overflows the stack: " + none[2]);
    }

    /**
     * At SPEED fib is inlined into itself Inliner.MAX_DEPTH (4) levels deep, each level
     * with the loop TailRecursion made of it, and no inlined level has an entry site of its
     * own: what keeps it interruptible is that each of those loops is still a loop, which
     * gets its loop-header epoch site, and the real calls keep theirs. fib(90) makes about
     * 10^18 calls, so it ends only when interrupted.
     */
    @Test
    void anInlinedRecursionThatDoesNotEndIsStoppedByTheTimeout() {
        String[] c = CliBadInputTest.run("compile", "--opt-level=speed", "--instrument=epoch", "../examples/fib.clif");
        assertEquals("0", c[0], c[2]);
        String fib = c[1].substring(c[1].indexOf("function %fib"));
        assertEquals(1, fib.split("return from call to %fib", -1).length - 1, "one real call left: " + fib);
        assertEquals(1, fib.split("epoch \\(on: [0-9a-f ]+\\) at block\\d+ \\(entry\\)", -1).length - 1, fib);
        assertEquals(dev.patchbay.codegen.opt.Inliner.MAX_DEPTH + 1, fib.split("\\(loop back edge\\)", -1).length - 1,
            "a loop-header site for fib's own loop and one per inlined level: " + fib);
        long t0 = System.nanoTime();
        String[] r = CliBadInputTest.run("run", "--opt-level=speed", "../examples/fib.clif", "--invoke", "fib(90)", "--timeout", "200ms");
        assertEquals("3", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("interrupt"), r[2]);
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
    }

    @Test
    void anUnknownLevelIsBadInput() {
        String[] r = CliBadInputTest.run("compile", "--opt-level=fast", "../examples/fib.clif");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--opt-level: unknown level 'fast' (expected none or speed)"), r[2]);
    }
}
