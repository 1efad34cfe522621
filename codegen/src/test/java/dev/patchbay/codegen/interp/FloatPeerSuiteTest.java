/*
 * The interpreter's float semantics against Cranelift's own float run tests
 * (../shared/clif-runtests-float, 34 files, 3,734 run lines): every run line must pass when
 * interpreted, compared bit for bit as Cranelift's runtest compares floats. None may be
 * skipped: each of these functions parses into Patchbay IR. Every function also verifies,
 * and prints to text that parses back to the same IR and the same text.
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifEntry;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.CorpusLocator;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.clif.IrEquivalence;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.verify.Verifier;
import dev.patchbay.codegen.verify.VerifierError;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatPeerSuiteTest {
    private static final String CORPUS = "clif-runtests-float";

    private static List<ClifFile> parseAll() {
        List<ClifFile> out = new ArrayList<>();
        for (Path p : CorpusLocator.clifFiles(CORPUS)) {
            out.add(ClifParser.parse(p.getFileName().toString(), CorpusLocator.read(p)));
        }
        return out;
    }

    @Test
    void everyFloatRunLinePassesInTheInterpreter() {
        assertEquals(34, CorpusLocator.clifFiles(CORPUS).size());
        int passed = 0, skipped = 0;
        List<String> failures = new ArrayList<>();
        for (ClifFile f : parseAll()) {
            InterpretedRuns r = InterpretedRuns.check(f);
            passed += r.passed();
            skipped += r.skipped();
            failures.addAll(r.failures());
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
        assertEquals(0, skipped, "run lines the interpreter could not run");
        assertEquals(3734, passed);
    }

    @Test
    void everyFloatFunctionParsesVerifiesAndIsSkippedOnlyForTheBackend() {
        int functions = 0;
        for (ClifFile file : parseAll()) {
            for (ClifEntry e : file.entries()) {
                Function f = e.parsedFunction();
                assertTrue(f != null, file.fileName() + " %" + e.name() + ": " + e.skippedFunction());
                functions++;
                List<VerifierError> errs = Verifier.verify(f);
                List<String> shown = new ArrayList<>();
                for (VerifierError err : errs) shown.add(Diagnostics.format(file.fileName(), err));
                assertTrue(errs.isEmpty(), String.join("\n", shown));
                if (e.isSkipped()) {
                    assertEquals(Compiler.FMA_REFUSAL, e.skippedFunction().reason(), e.name());
                } else {
                    assertNull(Compiler.backendRefusal(f), e.name());
                }
            }
        }
        assertEquals(144, functions);
    }

    @Test
    void theCompilerRefusesAPreserveAllFunctionThatUsesFloats() {
        Function f = ClifParser.parse("f.clif", "function %neg(f64) -> f64 preserve_all {\nblock0(v0: f64):\n    v1 = fneg v0\n    return v1\n}\n")
            .parsedFunctions().get(0);
        CompileException e = assertThrows(CompileException.class, () -> Compiler.compile(List.of(f), CompileOptions.defaults()));
        assertEquals("%neg: x86-64 backend: a preserve_all function may not use f32/f64 (its XMM registers are not saved)", e.getMessage());
    }

    @Test
    void everyFloatFunctionRoundTripsThroughThePrinter() {
        for (ClifFile file : parseAll()) {
            for (Function f : file.parsedFunctions()) {
                String printed = FunctionPrinter.print(f);
                ClifFile again = ClifParser.parse("printed-" + f.name + ".clif", printed);
                assertEquals(1, again.parsedFunctions().size(), printed);
                Function g = again.parsedFunctions().get(0);
                assertNull(IrEquivalence.difference(f, g), () -> file.fileName() + " after printing:\n" + printed);
                assertEquals(printed, FunctionPrinter.print(g));
            }
        }
    }
}
