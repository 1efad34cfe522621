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
     * The Inliner copies %spin into %main at SPEED, with no entry site of its own: what
     * keeps the never-ending recursion interruptible is the loop TailRecursion made of it,
     * which is still a loop in %main and gets its loop-header epoch site there.
     */
    @Test
    void anInlinedRecursionThatNeverEndsIsStoppedByTheTimeout(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("spin.clif");
        Files.writeString(f, """
            function %spin(i64) -> i64 {
                fn0 = %spin(i64) -> i64
            block0(v0: i64):
                v1 = icmp_imm eq v0, 0
                brif v1, block2, block1
            block1:
                v2 = iadd_imm v0, -2
                v5 = iconst.i64 1
                v3 = call fn0(v2)
                v4 = iadd v3, v5
                return v4
            block2:
                return v0
            }

            function %main(i64) -> i64 {
                fn0 = %spin(i64) -> i64
            block0(v0: i64):
                v1 = call fn0(v0)
                v2 = imul_imm v1, 3
                return v2
            }
            """);
        String[] c = CliBadInputTest.run("compile", "--opt-level=speed", "--instrument=none", f.toString());
        assertEquals("0", c[0], c[2]);
        String main = c[1].substring(c[1].indexOf("function %main"));
        assertEquals(0, main.split(" call 0x", -1).length - 1, "spin is inlined into main: " + main);
        String[] even = CliBadInputTest.run("run", "--opt-level=speed", f.toString(), "--invoke", "main(10)");
        assertEquals("0", even[0], even[2]);
        assertTrue(even[1].startsWith("15"), even[1]);
        // An odd argument steps over 0 and around the 64-bit ring forever.
        long t0 = System.nanoTime();
        String[] odd = CliBadInputTest.run("run", "--opt-level=speed", f.toString(), "--invoke", "main(7)", "--timeout", "200ms");
        assertEquals("3", odd[0], odd[1] + odd[2]);
        assertTrue(odd[2].contains("interrupt"), odd[2]);
        assertTrue(odd[2].contains("%main"), "the trap is in main's frame, which holds the inlined loop: " + odd[2]);
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
    }

    @Test
    void anUnknownLevelIsBadInput() {
        String[] r = CliBadInputTest.run("compile", "--opt-level=fast", "../examples/fib.clif");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--opt-level: unknown level 'fast' (expected none or speed)"), r[2]);
    }
}
