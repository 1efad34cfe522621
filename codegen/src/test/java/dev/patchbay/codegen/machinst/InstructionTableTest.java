/*
 * The instruction table against the disassembler: for every filetest, compiled as its
 * header says and again with loop and function alignment (so relax() moves code across
 * padding), each function's recorded instruction starts are exactly the offsets objdump
 * decodes in [start, codeEnd): none missing, none extra, none in the middle of an
 * instruction.
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.disasm.Disassembler;
import dev.patchbay.codegen.filetests.CompileFileTestAccess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class InstructionTableTest {
    private static final Path DIR = Paths.get("src/test/resources/filetests");

    @TestFactory
    List<DynamicTest> everyFiletestsStartsAreTheDisassemblersInstructions() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".clif")).sorted().collect(Collectors.toList());
        }
        assertFalse(files.isEmpty());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        return tests;
    }

    private static void check(Path clif) throws IOException {
        Assumptions.assumeTrue(Disassembler.objdumpAvailable(), "objdump is not on the PATH");
        String text = Files.readString(clif, StandardCharsets.UTF_8);
        ClifFile file = ClifParser.parse(clif.getFileName().toString(), text);
        CompileOptions header = CompileOptions.builder().plan(CompileFileTestAccess.plan(text)).build();
        for (CompileOptions opts : List.of(header, header.toBuilder().loopAlign(16).functionAlign(32).functionPad(3).build())) {
            CompiledModule m = Compiler.compile(file.functions(), opts);
            int total = 0;
            for (FunctionInfo f : m.functions) {
                List<Disassembler.Line> lines = Disassembler.objdump(Arrays.copyOfRange(m.code(), f.start, f.codeEnd), f.start);
                assertNotNull(lines, "objdump decodes %" + f.name);
                int[] want = lines.stream().mapToInt(l -> l.offset).toArray();
                for (Disassembler.Line l : lines) assertNotEquals("(bad)", l.text, "%" + f.name + " decodes cleanly at 0x" + Integer.toHexString(l.offset));
                int[] have = m.instructions.startsIn(f.start, f.end);
                assertArrayEquals(want, have, () -> clif.getFileName() + " %" + f.name + " (" + opts + "): recorded " + hexes(have)
                    + "\n objdump " + hexes(want));
                total += want.length;
            }
            assertEquals(total, m.instructions.size(), "no start outside the functions' instructions");
        }
    }

    private static String hexes(int[] a) {
        return Arrays.stream(a).mapToObj(Integer::toHexString).collect(Collectors.joining(" "));
    }

    @Test
    void lookupsAroundAStart() {
        InstructionTable t = new InstructionTable(new int[] {0, 3, 8, 9});
        assertTrue(t.isStart(8));
        assertFalse(t.isStart(5));
        assertEquals(3, t.startAtOrBefore(5));
        assertEquals(8, t.startAfter(5));
        assertEquals(-1, t.startAfter(9));
        assertEquals(-1, new InstructionTable(new int[] {2}).startAtOrBefore(1));
        assertArrayEquals(new int[] {3, 8}, t.startsIn(1, 9));
        assertThrows(IllegalArgumentException.class, () -> new InstructionTable(new int[] {3, 3}));
    }
}
