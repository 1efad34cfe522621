/*
 * Compile tests (Cranelift calls them filetests): each .clif under
 * src/test/resources/filetests is compiled with the options named in its
 * `; patchbay: instrument=... epoch-mode=... loop-align=N` header, and the annotated disassembly must
 * equal the .expected file beside it, byte for byte. Run with -Dpatchbay.bless=true to
 * rewrite the expected files after an intended change, then review the diff.
 */
package dev.patchbay.codegen.filetests;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CompileFileTest {
    private static final Path DIR = Paths.get("src/test/resources/filetests");

    @TestFactory
    List<DynamicTest> filetests() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".clif")).sorted().collect(Collectors.toList());
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        return tests;
    }

    static InstrumentationPlan plan(String text) {
        InstrumentationPlan plan = InstrumentationPlan.NONE;
        for (String line : text.split("\n")) {
            if (!line.startsWith("; patchbay:")) continue;
            EpochMode mode = EpochMode.NOP;
            List<SiteKind> kinds = new ArrayList<>();
            for (String kv : line.substring("; patchbay:".length()).trim().split("\\s+")) {
                String[] p = kv.split("=", 2);
                if (p[0].equals("instrument")) {
                    for (String k : p[1].split(",")) {
                        if (k.equals("all")) kinds.addAll(List.of(SiteKind.EPOCH, SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT));
                        else if (!k.equals("none")) kinds.add(SiteKind.parse(k));
                    }
                } else if (p[0].equals("epoch-mode")) {
                    mode = EpochMode.parse(p[1]);
                }
            }
            plan = InstrumentationPlan.of(kinds.toArray(new SiteKind[0]));
            if (plan.includes(SiteKind.EPOCH)) plan = plan.withEpochMode(mode);
        }
        return plan;
    }

    /** The header's `loop-align=N` (loop headers padded to N bytes, as the epoch suite's 32), or 0. */
    static int loopAlign(String text) {
        for (String line : text.split("\n")) {
            if (!line.startsWith("; patchbay:")) continue;
            for (String kv : line.substring("; patchbay:".length()).trim().split("\\s+")) {
                if (kv.startsWith("loop-align=")) return Integer.parseInt(kv.substring("loop-align=".length()));
            }
        }
        return 0;
    }

    private static void check(Path clif) throws IOException {
        Assumptions.assumeTrue(Disassembler.objdumpAvailable(), "objdump is not on the PATH");
        String text = Files.readString(clif, StandardCharsets.UTF_8);
        ClifFile file = ClifParser.parse(clif.getFileName().toString(), text);
        CompileOptions opts = CompileOptions.builder().plan(plan(text)).loopAlign(loopAlign(text)).build();
        String actual = Disassembler.format(Compiler.compile(file.functions(), opts));
        Path expected = Paths.get(clif.toString().replaceAll("\\.clif$", ".expected"));
        if (Boolean.getBoolean("patchbay.bless") || !Files.exists(expected)) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
            if (!Boolean.getBoolean("patchbay.bless")) {
                throw new AssertionError("no " + expected + " yet: wrote it from the current output; review it and rerun");
            }
        }
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual, clif + " changed; if intended, rerun with -Dpatchbay.bless=true");
    }
}
