/*
 * The interpreter must agree with Cranelift's own run tests: every integer run line of the
 * peer suite passes when interpreted. This checks the reference semantics against an
 * independent source before anything is checked against the reference.
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.CorpusLocator;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterpreterPeerSuiteTest {
    @Test
    void everyIntegerRunLineOfThePeerSuitePasses() {
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (Path p : CorpusLocator.clifFiles()) {
            ClifFile f = ClifParser.parse(p.getFileName().toString(), CorpusLocator.read(p));
            InterpretedRuns r = InterpretedRuns.check(f);
            passed += r.passed();
            failures.addAll(r.failures());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(2410, passed);
    }
}
