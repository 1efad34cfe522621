/*
 * Cranelift's own run tests (../shared/clif-runtests) are our peer conformance suite.
 * Every run line must pass compiled, float ones included, and the rest (i128 functions,
 * which do not parse into IR) must be counted as skipped, never as passed. Idle patch
 * sites must not change any result, so the suite also runs with every site kind inserted
 * and with each epoch comparison mode. FloatPeerSuiteCompiledTest does the same for
 * Cranelift's float suite.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.OptLevel;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerSuiteTest {
    private static RunTests.Counts run(CompileOptions opts, ByteArrayOutputStream log) throws Exception {
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        return new RunTests(out, opts).run(List.of(TestPaths.runtests()));
    }

    @Test
    void allRunLinesPass() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunTests.Counts c = run(CompileOptions.defaults(), log);
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, c.failed, text);
        // 2410 integer run lines and the 28 on float functions, which the interpreter also
        // runs (InterpreterPeerSuiteTest); 3 on i128 functions, which do not parse into IR.
        assertEquals(2438, c.passed, text);
        assertEquals(3, c.skipped, text);
        assertTrue(text.strip().endsWith("2438 passed, 0 failed, 3 skipped"), text);
        int wideLines = 0;
        java.util.regex.Pattern skip = java.util.regex.Pattern.compile("skipped %\\S+ \\((\\d+) run lines?\\): (.*)$");
        for (String line : text.split("\n")) {
            if (!line.contains("skipped %")) continue;
            java.util.regex.Matcher m = skip.matcher(line);
            assertTrue(m.find(), line);
            if (m.group(2).startsWith("unsupported type i128")) wideLines += Integer.parseInt(m.group(1));
            else throw new AssertionError("unexpected skip reason: " + line);
        }
        assertEquals(3, wideLines, text);
    }

    @ParameterizedTest
    @EnumSource(value = EpochMode.class, names = {"NOP", "FUSED", "CHECK", "POLL", "FUEL"})
    void idleSitesAndComparisonModesChangeNoResult(EpochMode mode) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CompileOptions opts = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).loopAlign(16).build();
        RunTests.Counts c = run(opts, log);
        assertEquals(0, c.failed, log.toString(StandardCharsets.UTF_8));
        assertEquals(2438, c.passed);
    }

    /**
     * At OptLevel.SPEED the passes run first: a file's functions call each other (call.clif,
     * the return-area and stack-argument files), so the Inliner copies callees into callers,
     * and every run line must still pass, with fused sites idle.
     */
    @Test
    void allRunLinesPassAtSpeed() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CompileOptions opts = CompileOptions.builder().optLevel(OptLevel.SPEED)
            .plan(InstrumentationPlan.all().withEpochMode(EpochMode.FUSED)).loopAlign(16).build();
        RunTests.Counts c = run(opts, log);
        assertEquals(0, c.failed, log.toString(StandardCharsets.UTF_8));
        assertEquals(2438, c.passed);
        assertEquals(3, c.skipped);
    }
}
