/*
 * Hand-written run tests for every opcode family the peer suite leaves out
 * (src/test/resources/runtests). Each file is checked twice: on compiled code through
 * RunTests, which must report no failure and no skip, and on the reference interpreter,
 * which must agree with every expected value (they were computed independently of both).
 * A third test parses these files and the peer suite and checks that together they use
 * every opcode of the IR, so a new opcode cannot arrive without a run test (the float
 * opcodes: in Cranelift's float suite, which the interpreter runs).
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.interp.InterpretedRuns;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpcodeRunTest {
    static Path dir() {
        Path p = Paths.get("src", "test", "resources", "runtests");
        assertTrue(Files.isDirectory(p), "missing " + p.toAbsolutePath());
        return p;
    }

    private static ClifFile parse(Path p) throws Exception {
        return ClifParser.parse(p.toString(), Files.readString(p));
    }

    @Test
    void compiledCodePassesEveryRunLine() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunTests.Counts c = new RunTests(new PrintStream(log, true, StandardCharsets.UTF_8)).run(List.of(dir()));
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, c.failed, text);
        assertEquals(0, c.skipped, text);
        assertTrue(c.passed >= 3000, text);
    }

    @Test
    void theInterpreterAgreesWithEveryExpectedValue() throws Exception {
        List<String> failures = new ArrayList<>();
        int passed = 0;
        for (Path p : RunTests.expand(List.of(dir()))) {
            InterpretedRuns r = InterpretedRuns.check(parse(p));
            assertEquals(0, r.skipped(), p.toString());
            passed += r.passed();
            failures.addAll(r.failures());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(passed >= 3000, "only " + passed + " run lines");
    }

    @Test
    void everyOpcodeIsCoveredByTheseFilesOrThePeerSuite() throws Exception {
        Set<Opcode> missing = EnumSet.allOf(Opcode.class);
        for (Path p : RunTests.expand(List.of(dir(), TestPaths.runtests()))) {
            for (Function f : parse(p).functions()) {
                for (Block b : f.layout) for (Inst i : b.insts) missing.remove(i.op);
            }
        }
        // The float opcodes: their run tests are Cranelift's float suite, compiled
        // (FloatPeerSuiteCompiledTest) and interpreted (codegen's FloatPeerSuiteTest).
        for (Path p : RunTests.expand(List.of(TestPaths.floatRuntests()))) {
            for (Function f : parse(p).parsedFunctions()) {
                for (Block b : f.layout) for (Inst i : b.insts) missing.remove(i.op);
            }
        }
        // debugtrap executes int3 for a debugger; with no debugger attached it ends the
        // process, so it cannot be a run line. signal-handler's ChildJvmTest runs it in a
        // child JVM and checks that it reaches the previous SIGTRAP handler.
        missing.remove(Opcode.DEBUGTRAP);
        assertTrue(missing.isEmpty(), "opcodes without a run test: " + missing);
    }
}
