/*
 * Cranelift's float run tests (../shared/clif-runtests-float, 3,734 run lines) run
 * compiled: every line must pass, none may be skipped (a skipped line would name its
 * reason and never count as passed), and idle patch sites in every epoch mode must not
 * change a result. The interpreter runs the same lines in codegen's FloatPeerSuiteTest;
 * run lines compare floats bit for bit, and the suite checks NaN results of the ops whose
 * NaN bits differ between targets with `fcmp uno`, so x86's negative default NaN passes.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.CpuFeatures;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatPeerSuiteCompiledTest {
    private static RunTests.Counts run(CompileOptions opts, ByteArrayOutputStream log) throws Exception {
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        return new RunTests(out, opts).run(List.of(TestPaths.floatRuntests()));
    }

    @Test
    void everyFloatRunLinePassesCompiled() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunTests.Counts c = run(CompileOptions.defaults(), log);
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, c.failed, text);
        if (CpuFeatures.hasFma()) {
            assertEquals(0, c.skipped, text);
            assertEquals(3734, c.passed, text);
            assertTrue(text.strip().endsWith("3734 passed, 0 failed, 0 skipped"), text);
        } else {
            // Without FMA3 only fma's run lines are skipped, each with the refusal's reason.
            assertEquals(3734, c.passed + c.skipped, text);
            for (String line : text.split("\n")) {
                if (line.contains("skipped %")) assertTrue(line.endsWith(Compiler.FMA_REFUSAL), line);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = EpochMode.class, names = {"NOP", "FUSED", "CHECK", "POLL", "FUEL"})
    void idleSitesAndComparisonModesChangeNoFloatResult(EpochMode mode) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CompileOptions opts = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).loopAlign(16).build();
        RunTests.Counts c = run(opts, log);
        assertEquals(0, c.failed, log.toString(StandardCharsets.UTF_8));
        assertEquals(3734, c.passed + c.skipped);
    }
}
