/*
 * The Wasm 2.0 spec suite (../shared/wasm-testsuite) through `patchbay wast`'s runner, in
 * both memory modes: the default guard region and explicit bounds checks. Any failed
 * assertion fails the test; skips are allowed only for the reasons the runner names (SIMD,
 * text-format assert_malformed, and modules the backend cannot compile yet). A script with
 * wrong expectations proves the runner reports failures.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.OptLevel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WastSuiteTest {
    private static final Set<String> ALLOWED_SKIPS = Set.of(WastRunner.SIMD, WastRunner.TEXT_MALFORMED,
        WastRunner.LINKS_UNSUPPORTED);

    private static WastRunner.Result run(List<Path> files, boolean boundsChecks) throws Exception {
        return run(files, boundsChecks, OptLevel.NONE);
    }

    private static WastRunner.Result run(List<Path> files, boolean boundsChecks, OptLevel level) throws Exception {
        Path tool = Wat.tool("wast2json");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        WastRunner.Result r = new WastRunner(tool, boundsChecks, new PrintStream(buf, true, StandardCharsets.UTF_8), level).run(files);
        System.out.println(r.passed + " passed, " + r.failed + " failed, " + r.skipped + " skipped " + r.skipReasons);
        return r;
    }

    private static void suite(boolean boundsChecks) throws Exception {
        suite(boundsChecks, OptLevel.NONE);
    }

    private static void suite(boolean boundsChecks, OptLevel level) throws Exception {
        Path suite = TestPaths.wasmTestsuite();
        WastRunner.Result r = run(WastRunner.scripts(List.of(suite)), boundsChecks, level);
        assertEquals(List.of(), r.failures);
        assertTrue(r.passed >= 11_000, "most of the non-float suite runs: " + r.passed + " passed");
        for (String reason : r.skipReasons.keySet()) assertTrue(ALLOWED_SKIPS.contains(reason), "unexpected skip reason: " + reason);
    }

    @Test
    void theSpecSuitePassesWithTheGuardRegion() throws Exception {
        suite(false);
    }

    @Test
    void theSpecSuitePassesWithBoundsChecks() throws Exception {
        suite(true);
    }

    /**
     * At OptLevel.SPEED the Inliner copies the suite's small functions into their callers
     * (call.wast, fac.wast, imported functions' wrappers, memory and table accessors): every
     * assertion still passes, the exhaustion ones (a recursion that overflows the stack)
     * included.
     */
    @Test
    void theSpecSuitePassesAtSpeed() throws Exception {
        suite(false, OptLevel.SPEED);
    }

    @Test
    void wrongExpectationsAreFailures() throws Exception {
        Path dir = Files.createTempDirectory("patchbay-neg");
        Path f = dir.resolve("neg.wast");
        Files.writeString(f, """
            (module
              (memory 1)
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "ld") (param i32) (result i32) (i32.load (local.get 0))))
            (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
            (assert_trap (invoke "ld" (i32.const 0)) "out of bounds memory access")
            (assert_return (invoke "ld" (i32.const 65536)) (i32.const 0))
            (assert_trap (invoke "ld" (i32.const 65533)) "integer divide by zero")
            (assert_return (invoke "add" (i32.const -1) (i32.const 2)) (i32.const 1))
            (assert_invalid (module (func (result i32))) "type mismatch")
            """);
        WastRunner.Result r = run(List.of(f), false);
        assertEquals(4, r.failed, String.join("\n", r.failures));
        assertEquals(2, r.passed);
        assertTrue(r.failures.get(0).contains("neg.wast:5"), r.failures.get(0));
        Files.delete(f);
        Files.delete(dir);
    }
}
