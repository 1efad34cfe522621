/*
 * Compiler.compile must not change its input. The instrumentation pass inserts site calls
 * and hook declarations into IR; run on the caller's functions, it made a second compile of
 * the same list see the first compile's sites (a plan without sites still got them, and each
 * compile with sites added another set), and the caller's functions printed differently
 * afterwards. These tests compile one parsed list again and again, with every instrumentation
 * plan and epoch mode, and check after each compile that the functions print as before and
 * that the module is exactly the module compiled from a fresh parse.
 */
package dev.patchbay.codegen;

import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.CorpusLocator;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.machinst.CallSite;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.Relocation;
import dev.patchbay.codegen.machinst.TrapSite;
import dev.patchbay.codegen.instrument.Instrumenter;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompilerInputTest {
    private static final String COUNT_DOWN = String.join("\n",
        "function %count_down(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, -1",
        "    brif v2, block1(v2), block2",
        "",
        "block2:",
        "    return v1",
        "}",
        "");

    /** Every plan shape: no sites, each epoch mode with the profile sites, profile sites alone. */
    private static List<CompileOptions> allOptions() {
        List<CompileOptions> out = new ArrayList<>();
        out.add(CompileOptions.defaults());
        for (EpochMode m : EpochMode.values()) {
            if (m == EpochMode.NONE) continue;
            out.add(CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(m)).build());
        }
        out.add(CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT)).build());
        out.add(CompileOptions.defaults());
        return out;
    }

    private static String print(List<Function> fns) {
        return fns.stream().map(FunctionPrinter::print).collect(Collectors.joining("\n"));
    }

    /** Everything a module says, as text, so two modules compare in one assertEquals with a readable diff. */
    static String fingerprint(CompiledModule m) {
        StringBuilder sb = new StringBuilder();
        sb.append("epoch ").append(m.epochMode).append(" trap stub ").append(m.trapStub).append(" hooks ").append(m.hookTrampolines).append('\n');
        for (FunctionInfo f : m.functions) {
            sb.append("fn ").append(f.index).append(' ').append(f.name).append(f.signature).append(" [").append(f.start).append(", ")
                .append(f.codeEnd).append(", ").append(f.end).append(") frame ").append(f.frameSize).append(" entry ").append(f.entryTrampoline).append('\n');
        }
        for (PatchSite s : m.patchSites) {
            sb.append("site ").append(s.id).append(" @").append(s.offset).append('+').append(s.length).append(' ').append(s.kind)
                .append(" fn ").append(s.functionIndex).append(' ').append(s.callee).append(' ').append(s.irLocation)
                .append(" on ").append(HexFormat.of().formatHex(s.onBytes())).append(" off ").append(HexFormat.of().formatHex(s.offBytes())).append('\n');
        }
        for (TrapSite t : m.trapSites) sb.append("trap @").append(t.offset).append(' ').append(t.code).append('\n');
        for (CallSite c : m.callSites) sb.append("call ret @").append(c.returnOffset).append(' ').append(c.callee).append('\n');
        for (Relocation r : m.relocations) sb.append("reloc @").append(r.offset).append(' ').append(r.kind).append(' ').append(r.target).append('\n');
        for (ImportInfo i : m.imports) sb.append("import ").append(i.index).append(' ').append(i.name).append(i.signature).append(" @").append(i.trampoline).append('\n');
        sb.append(HexFormat.of().formatHex(m.code())).append('\n');
        return sb.toString();
    }

    private static String compileOrError(List<Function> fns, CompileOptions opts) {
        try {
            return fingerprint(Compiler.compile(fns, opts));
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /**
     * Compiles one parse of the text with every option in turn, and checks after each compile
     * that its functions print as they did and that the module is the one a fresh parse gives.
     */
    private static void checkReuse(String name, String text) {
        List<Function> reused = ClifParser.parse(name, text).functions();
        String before = print(reused);
        for (CompileOptions opts : allOptions()) {
            String fromReused = compileOrError(reused, opts);
            assertEquals(before, print(reused), name + ": compiling with " + opts.plan() + " changed the input");
            String fromFresh = compileOrError(ClifParser.parse(name, text).functions(), opts);
            assertEquals(fromFresh, fromReused, name + ": " + opts.plan() + " compiled a reused list differently from a fresh one");
        }
    }

    @Test
    void aPlanWithoutSitesAfterOneWithSitesGetsNoSites() {
        List<Function> fns = ClifParser.parse("count_down.clif", COUNT_DOWN).functions();
        String before = print(fns);
        CompileOptions sites = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(EpochMode.NOP)).build();
        CompiledModule first = Compiler.compile(fns, sites);
        assertEquals(4, first.patchSites.size(), "epoch at entry and loop header, profile entry and exit");
        assertEquals(before, print(fns));
        assertEquals(0, fns.get(0).extFuncs.size(), "the hooks are declared in the compiler's copy, not in the input");
        assertEquals(0, Compiler.compile(fns, CompileOptions.defaults()).patchSites.size());
        assertEquals(fingerprint(first), fingerprint(Compiler.compile(fns, sites)), "a second compile adds no second set of sites");
    }

    @Test
    void aCopyPrintsTheSameAndSharesNothingAPassChanges() {
        Function f = ClifParser.parse("count_down.clif", COUNT_DOWN).functions().get(0);
        String before = FunctionPrinter.print(f);
        Function c = f.copy();
        assertEquals(before, FunctionPrinter.print(c));
        assertTrue(Instrumenter.instrument(c, InstrumentationPlan.all().withEpochMode(EpochMode.FUEL)) > 0);
        assertNotEquals(before, FunctionPrinter.print(c));
        assertEquals(before, FunctionPrinter.print(f));
        assertEquals(f.instCount() + 5, c.instCount(), "fuel in each of 3 blocks, profile entry and exit");
    }

    @TestFactory
    List<DynamicTest> filetestsCompileTheSameWhenReused() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : clifFiles(Path.of("src/test/resources/filetests"))) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkReuse(p.getFileName().toString(), Files.readString(p))));
        }
        for (Path p : clifFiles(Path.of("../examples"))) {
            tests.add(DynamicTest.dynamicTest("examples/" + p.getFileName(), () -> checkReuse(p.getFileName().toString(), Files.readString(p))));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> theRunTestCorpusCompilesTheSameWhenReused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : CorpusLocator.clifFiles()) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkReuse(p.getFileName().toString(), CorpusLocator.read(p))));
        }
        return tests;
    }

    private static List<Path> clifFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = s.filter(p -> p.toString().endsWith(".clif")).sorted().collect(Collectors.toList());
            if (out.isEmpty()) throw new UncheckedIOException(new IOException("no .clif files in " + dir.toAbsolutePath()));
            return out;
        }
    }
}
