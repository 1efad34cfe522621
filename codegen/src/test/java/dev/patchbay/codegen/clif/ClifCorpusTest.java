/*
 * Runs the parser and verifier over Cranelift's run tests (shared/clif-runtests), the
 * corpus Patchbay must compile. Pins the counts so a parser change that silently drops
 * functions or run lines is caught, and checks that exactly the functions using types we
 * do not lower are skipped, by an independent textual scan of each function.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.verify.Verifier;
import dev.patchbay.codegen.verify.VerifierError;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ClifCorpusTest {
    private static final Pattern WIDE_OR_FLOAT = Pattern.compile("\\b(i128|f16|f128|[if][0-9]+x[0-9]+)\\b");
    private static final Pattern FUNCTION_NAME = Pattern.compile("^function %([A-Za-z0-9_]+)", Pattern.MULTILINE);

    private static List<ClifFile> parseAll() {
        List<ClifFile> out = new ArrayList<>();
        for (Path p : CorpusLocator.clifFiles()) {
            out.add(ClifParser.parse(p.getFileName().toString(), CorpusLocator.read(p)));
        }
        return out;
    }

    @Test
    void corpusIsPresent() {
        assertEquals(42, CorpusLocator.clifFiles().size(), "files in " + CorpusLocator.corpusDir());
    }

    @Test
    void runDirectiveCounts() {
        int total = 0, compiled = 0;
        for (ClifFile f : parseAll()) {
            for (ClifEntry e : f.entries()) {
                total += e.runDirectives().size();
                if (!e.isSkipped()) compiled += e.runDirectives().size();
            }
        }
        assertEquals(2441, total, "run directives in the corpus");
        assertEquals(2438, compiled, "run directives on functions Patchbay compiles (28 of them on float functions)");
    }

    @Test
    void exactlyTheWideAndFloatFunctionsAreSkipped() {
        for (Path p : CorpusLocator.clifFiles()) {
            String text = CorpusLocator.read(p);
            ClifFile file = ClifParser.parse(p.getFileName().toString(), text);
            Set<String> expected = new TreeSet<>();
            Matcher m = FUNCTION_NAME.matcher(text);
            List<int[]> spans = new ArrayList<>();
            List<String> names = new ArrayList<>();
            while (m.find()) {
                spans.add(new int[] {m.start(), 0});
                names.add(m.group(1));
            }
            for (int i = 0; i < spans.size(); i++) {
                int end = i + 1 < spans.size() ? spans.get(i + 1)[0] : text.length();
                String code = stripComments(text.substring(spans.get(i)[0], end));
                if (WIDE_OR_FLOAT.matcher(code).find()) expected.add(names.get(i));
            }
            Set<String> actual = new TreeSet<>();
            for (SkippedFunction s : file.skipped()) {
                actual.add(s.name());
                assertTrue(s.reason().startsWith("unsupported type"),
                    s.name() + ": " + s.reason());
                assertTrue(s.loc().isKnown());
            }
            assertEquals(expected, actual, "skipped functions in " + p.getFileName());
            assertEquals(names.size(), file.entries().size(), "functions in " + p.getFileName());
        }
    }

    @Test
    void skipReasonsNameTheFirstOffendingType() {
        ClifFile call = ClifParser.parse("call.clif", CorpusLocator.read(CorpusLocator.corpusDir().resolve("call.clif")));
        // Floats compile now: a float function is not skipped.
        assertEquals(null, Compiler.backendRefusal(call.function("callee_f64")));
        ClifFile trapz = ClifParser.parse("trapz.clif", CorpusLocator.read(CorpusLocator.corpusDir().resolve("trapz.clif")));
        assertEquals("unsupported type i128", skipReason(trapz, "trapz_i128"));
        ClifFile select = ClifParser.parse("select.clif", CorpusLocator.read(CorpusLocator.corpusDir().resolve("select.clif")));
        assertEquals(null, Compiler.backendRefusal(select.function("select_eq_f32")));
    }

    private static String skipReason(ClifFile f, String name) {
        for (SkippedFunction s : f.skipped()) if (s.name().equals(name)) return s.reason();
        return fail(name + " was not skipped");
    }

    private static String stripComments(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n")) {
            int i = line.indexOf(';');
            sb.append(i >= 0 ? line.substring(0, i) : line).append('\n');
        }
        return sb.toString();
    }

    @TestFactory
    List<DynamicTest> everyCompiledFunctionVerifies() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ClifFile file : parseAll()) {
            for (Function f : file.parsedFunctions()) {
                tests.add(DynamicTest.dynamicTest(file.fileName() + " %" + f.name, () -> {
                    List<VerifierError> errs = Verifier.verify(f);
                    assertTrue(errs.isEmpty(), () -> String.join("\n", errors(file, errs)));
                }));
            }
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    private static List<String> errors(ClifFile file, List<VerifierError> errs) {
        List<String> out = new ArrayList<>();
        for (VerifierError e : errs) out.add(Diagnostics.format(file.fileName(), e));
        return out;
    }

    @TestFactory
    List<DynamicTest> everyCompiledFunctionRoundTrips() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ClifFile file : parseAll()) {
            for (Function f : file.parsedFunctions()) {
                tests.add(DynamicTest.dynamicTest(file.fileName() + " %" + f.name, () -> {
                    String printed = FunctionPrinter.print(f);
                    ClifFile again = ClifParser.parse("printed-" + f.name + ".clif", printed);
                    assertEquals(1, again.parsedFunctions().size(), printed);
                    Function g = again.parsedFunctions().get(0);
                    assertNull(IrEquivalence.difference(f, g), () -> "after printing:\n" + printed);
                    assertEquals(printed, FunctionPrinter.print(g));
                    assertTrue(Verifier.verify(g).isEmpty());
                }));
            }
        }
        return tests;
    }

    @Test
    void settingsWarnOncePerName() {
        ClifFile bitops = ClifParser.parse("bitops.clif", CorpusLocator.read(CorpusLocator.corpusDir().resolve("bitops.clif")));
        assertEquals(2, bitops.settings().size());
        assertEquals(List.of("bitops.clif:3:5: warning: ignoring setting 'opt_level=none'"), bitops.warnings());
    }
}
