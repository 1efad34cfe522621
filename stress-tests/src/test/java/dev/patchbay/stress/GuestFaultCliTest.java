/*
 * Issue 13 through `./patchbay`: guest faults that used to kill the process are traps
 * (exit 3, the trap code on stderr), and the frame and parameter limits are input
 * errors (exit 2, file:line:col). Runs that execute guest code run the CLI in a child
 * JVM on this JDK and on Temurin 25, so a regression fails the test instead of killing
 * surefire; compile-only cases run in-process.
 */
package dev.patchbay.stress;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GuestFaultCliTest {
    @TempDir
    Path dir;

    static final String FAULTS = String.join("\n",
        "function %brk(i64) -> i64 {",
        "block0(v0: i64):",
        "    debugtrap",
        "    v1 = iadd_imm v0, 1",
        "    return v1",
        "}",
        "function %jump(i64, i64) -> i64 {",
        "    sig0 = (i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call_indirect sig0, v0(v1)",
        "    return v2",
        "}",
        "");

    ChildJvm.Result cli(boolean temurin25, String... args) throws Exception {
        Path jvm = temurin25 ? ChildJvm.TEMURIN_25 : ChildJvm.currentJava();
        Assumptions.assumeTrue(Files.isExecutable(jvm), "no JVM at " + jvm);
        ChildJvm.Result r = ChildJvm.run(jvm, temurin25, dir, Duration.ofSeconds(90), List.of(), dev.patchbay.cli.Main.class, args);
        assertTrue(r.hsErr.isEmpty(), "no hs_err file: " + r);
        assertFalse(r.timedOut, r.toString());
        return r;
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void debugtrapUnderRunIsADebugTrapWithExit3(boolean temurin25) throws Exception {
        Path f = dir.resolve("faults.clif");
        Files.writeString(f, FAULTS);
        ChildJvm.Result r = cli(temurin25, "run", f.toString(), "--invoke", "brk(1)");
        assertEquals(3, r.exit, "a trap, not SIGTRAP's default action (133): " + r);
        assertTrue(r.out.contains("trap: debug"), r.toString());
        assertTrue(r.out.contains("%brk+0x"), "with the backtrace: " + r);
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void callIndirectToZeroUnderRunIsABadTargetTrapWithExit3(boolean temurin25) throws Exception {
        Path f = dir.resolve("faults.clif");
        Files.writeString(f, FAULTS);
        ChildJvm.Result r = cli(temurin25, "run", f.toString(), "--invoke", "jump(0, 1)");
        assertEquals(3, r.exit, r.toString());
        assertTrue(r.out.contains("trap: bad_target"), r.toString());
        assertTrue(r.out.contains("%jump+0x"), "with the backtrace: " + r);
    }

    @Test
    void stackSlotsOverTheFrameLimitAreAnInputErrorWithExit2() throws Exception {
        Path f = dir.resolve("wrap.clif");
        Files.writeString(f, String.join("\n",
            "function %wrap(i64) -> i64 {",
            "    ss0 = explicit_slot 2147483647",
            "    ss1 = explicit_slot 2147483641",
            "block0(v0: i64):",
            "    stack_store v0, ss1",
            "    v1 = stack_load.i64 ss1",
            "    return v1",
            "}", ""));
        for (String cmd : new String[] {"compile", "run"}) {
            String[] r = cmd.equals("run") ? BadInputTest.cli("run", f.toString(), "--invoke", "wrap(1)") : BadInputTest.cli("compile", f.toString());
            assertEquals("2", r[0], cmd + ": " + r[2]);
            assertTrue(r[2].contains(f + ":2:5: error: function %wrap: the stack slots up to ss0 need 2147483647 bytes, over the limit of "
                + "1073741824 bytes (1 GiB) per function"), cmd + ": " + r[2]);
        }
    }

    @Test
    void moreThanAThousandParametersAreAnInputErrorWithExit2() throws Exception {
        Path f = dir.resolve("many.clif");
        StringBuilder sb = new StringBuilder("function %many(");
        for (int i = 0; i < 1001; i++) sb.append(i == 0 ? "" : ", ").append("i64");
        sb.append(") -> i64 {\nblock0(");
        for (int i = 0; i < 1001; i++) sb.append(i == 0 ? "" : ", ").append("v").append(i).append(": i64");
        sb.append("):\n    return v0\n}\n");
        Files.writeString(f, sb.toString());
        String[] r = BadInputTest.cli("compile", f.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(f + ":1:1: error: function %many: the signature has 1001 parameters, over the limit of 1000"), r[2]);
    }
}
