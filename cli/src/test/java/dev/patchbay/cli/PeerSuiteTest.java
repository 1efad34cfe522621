/*
 * Cranelift's own run tests (../shared/clif-runtests) are our peer conformance suite.
 * Every run line in an integer-only function must pass, and the rest (i128 and float
 * functions) must be counted as skipped, never as passed. Idle patch sites must not
 * change any result, so the suite also runs with every site kind inserted and with each
 * epoch comparison mode.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.CompileOptions;
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
    void allIntegerRunLinesPass() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunTests.Counts c = run(CompileOptions.defaults(), log);
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, c.failed, text);
        assertEquals(2410, c.passed, text);
        assertEquals(31, c.skipped, text);
        assertTrue(text.strip().endsWith("2410 passed, 0 failed, 31 skipped"), text);
        for (String line : text.split("\n")) {
            if (line.contains("skipped %")) assertTrue(line.contains("unsupported type"), line);
        }
    }

    @ParameterizedTest
    @EnumSource(value = EpochMode.class, names = {"NOP", "FUSED", "CHECK", "POLL", "FUEL"})
    void idleSitesAndComparisonModesChangeNoResult(EpochMode mode) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CompileOptions opts = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).loopAlign(16).build();
        RunTests.Counts c = run(opts, log);
        assertEquals(0, c.failed, log.toString(StandardCharsets.UTF_8));
        assertEquals(2410, c.passed);
    }
}
