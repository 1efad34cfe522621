/*
 * The DWARF line table reader against llvm-dwarfdump: every row of clang's DWARF 2, 3, 4
 * and 5 line tables for lines.c, and of demo.wasm's (clang -O2 -g, several units), comes
 * out with llvm-dwarfdump's address, line, column, file, is_stmt and end_sequence. Then the
 * mapping both ways on a known program, and malformed tables: every truncation and a set of
 * corrupted fields are a DwarfException with an offset, never another exception.
 */
package dev.patchbay.wasm.dwarf;

import dev.patchbay.wasm.FunctionBody;
import dev.patchbay.wasm.Instruction;
import dev.patchbay.wasm.WasmModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

class LineTableTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = LineTableTest.class.getResourceAsStream("/dwarf/" + name)) {
            assertNotNull(in, "test resource dwarf/" + name);
            byte[] b = in.readAllBytes();
            return name.endsWith(".gz") ? new GZIPInputStream(new java.io.ByteArrayInputStream(b)).readAllBytes() : b;
        }
    }

    static Path demoWasm() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolve("examples/wasm/demo.wasm");
            if (Files.isRegularFile(c)) return c;
        }
        throw new IllegalStateException("cannot find examples/wasm/demo.wasm above " + Paths.get("").toAbsolutePath());
    }

    private static void assertMatchesDump(WasmModule m, String dump) {
        List<DwarfDump.Row> want = DwarfDump.rows(dump);
        List<LineRow> got = LineTable.of(m).rows();
        assertFalse(want.isEmpty(), "the dump has rows");
        assertEquals(want.size(), got.size(), "row count");
        for (int i = 0; i < want.size(); i++) {
            DwarfDump.Row w = want.get(i);
            LineRow g = got.get(i);
            String where = "row " + i + ": " + g;
            assertEquals(w.address(), g.address(), where);
            assertEquals(m.codeSectionOffset() + w.address(), g.moduleOffset(), where);
            assertEquals(w.line(), g.line(), where);
            assertEquals(w.column(), g.column(), where);
            assertEquals(w.fileName(), g.fileName(), where);
            assertEquals(w.isStmt(), g.isStmt(), where);
            assertEquals(w.endSequence(), g.endSequence(), where);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void everyRowIsLlvmDwarfdumps(int version) throws IOException {
        WasmModule m = WasmModule.decode(resource("lines-v" + version + ".wasm"));
        assertEquals(version, m.customSection(".debug_line").orElseThrow().bytes()[4], "the input's DWARF version");
        assertMatchesDump(m, new String(resource("lines-v" + version + ".debug_line.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void demoWasmsRowsAreLlvmDwarfdumps() throws IOException {
        WasmModule m = WasmModule.decode(Files.readAllBytes(demoWasm()));
        assertMatchesDump(m, new String(resource("demo.debug_line.txt.gz"), StandardCharsets.UTF_8));
    }

    @Test
    void version5JoinsTheCompilationDirectory() throws IOException {
        LineTable t = LineTable.of(WasmModule.decode(resource("lines-v5.wasm")));
        Set<String> files = new HashSet<>();
        for (LineRow r : t.rows()) files.add(r.file());
        assertEquals(Set.of("/src/dwarf/lines.c", "/src/dwarf/lines.h"), files);
    }

    /** Statement rows inside functions begin at instructions: the addresses are code-section relative. */
    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void statementsInsideFunctionsBeginAtInstructions(int version) throws IOException {
        WasmModule m = WasmModule.decode(resource("lines-v" + version + ".wasm"));
        Set<Long> starts = new HashSet<>();
        for (FunctionBody f : m.functions()) for (Instruction in : f.instructions()) starts.add((long) in.offset());
        int checked = 0;
        for (LineRow r : LineTable.of(m).rows()) {
            if (r.endSequence() || !r.isStmt()) continue;
            boolean inCode = m.functions().stream().anyMatch(f -> r.moduleOffset() >= f.codeOffset() && r.moduleOffset() < f.codeEnd());
            if (!inCode) continue; // a function's first row is at its locals, before its code
            assertTrue(starts.contains(r.moduleOffset()), "row " + r + " at 0x" + Long.toHexString(r.moduleOffset()) + " is not an instruction start");
            checked++;
        }
        assertTrue(checked > 10, "checked " + checked);
    }

    @Test
    void aLineResolvesToWhereItsStatementsBeginAndBack() throws IOException {
        LineTable t = LineTable.of(WasmModule.decode(resource("lines-v4.wasm")));
        // lines.c:18, "unsigned b = sum(n / 2);"
        LineAddresses b = t.lines("lines.c", 18);
        assertEquals(18, b.line());
        assertFalse(b.moduleOffsets().isEmpty());
        for (long off : b.moduleOffsets()) {
            LineRow r = t.at(off).orElseThrow();
            assertEquals("lines.c:18", r.shortText());
            assertTrue(r.isStmt());
        }
        // Every offset where a run of rows at 18 starts, and nothing else.
        List<LineRow> rows = t.rows();
        for (int i = 1; i + 1 < rows.size(); i++) {
            LineRow r = rows.get(i);
            if (r.isStmt() && r.line() == 18 && r.fileName().equals("lines.c") && rows.get(i - 1).line() != 18
                && rows.get(i + 1).address() != r.address()) {
                assertTrue(b.moduleOffsets().contains(r.moduleOffset()), r.toString());
            }
        }
    }

    @Test
    void aLineWithoutCodeSlidesToTheNextLineWithCode() throws IOException {
        LineTable t = LineTable.of(WasmModule.decode(resource("lines-v4.wasm")));
        // Line 9 is blank, line 10 is the for loop.
        assertEquals(10, t.lines("lines.c", 9).line());
        assertEquals(t.lines("lines.c", 10), t.lines("lines.c", 9));
        // The header's lines belong to lines.h, not lines.c.
        assertEquals(3, t.lines("lines.h", 1).line());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> t.lines("lines.c", 200));
        assertEquals("lines.c has no code at or after line 200", past.getMessage());
    }

    @Test
    void filesMatchByPathSuffixOnWholeElements() throws IOException {
        LineTable t = LineTable.of(WasmModule.decode(resource("lines-v5.wasm")));
        assertEquals("/src/dwarf/lines.c", t.lines("lines.c", 18).file());
        assertEquals("/src/dwarf/lines.c", t.lines("dwarf/lines.c", 18).file());
        assertEquals("/src/dwarf/lines.c", t.lines("/src/dwarf/lines.c", 18).file());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.lines("ines.c", 18));
        assertTrue(e.getMessage().contains("no source file ines.c"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.lines("other/lines.c", 18));
        assertTrue(e.getMessage().contains("no source file other/lines.c"), e.getMessage());
        // A v4 table names the file without its directory; a client's absolute path still matches.
        LineTable v4 = LineTable.of(WasmModule.decode(resource("lines-v4.wasm")));
        assertEquals("lines.c", v4.lines("/home/me/project/lines.c", 18).file());
    }

    @Test
    void anOffsetOutsideEverySequenceHasNoRow() throws IOException {
        WasmModule m = WasmModule.decode(resource("lines-v4.wasm"));
        LineTable t = LineTable.of(m);
        assertTrue(t.at(0).isEmpty());
        assertTrue(t.at(m.codeSectionOffset()).isEmpty(), "the function count is no code");
        LineRow end = t.rows().get(t.rows().size() - 1);
        assertTrue(end.endSequence());
        assertTrue(t.at(end.moduleOffset()).isEmpty(), "a sequence ends before its end row");
        assertEquals(t.rows().get(t.rows().size() - 2), t.at(end.moduleOffset() - 1).orElseThrow());
    }

    @Test
    void aModuleWithoutDebugInfoHasTheEmptyTable() {
        // (module (func)) : no custom sections at all
        byte[] bin = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b};
        WasmModule m = WasmModule.decode(bin);
        LineTable t = LineTable.of(m);
        assertSame(LineTable.EMPTY, t);
        assertTrue(t.at(20).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.lines("demo.c", 1));
        assertTrue(e.getMessage().contains("no debug information"), e.getMessage());
    }

    @Test
    void everyTruncationIsADwarfExceptionWithAnOffset() throws IOException {
        WasmModule m = WasmModule.decode(resource("lines-v5.wasm"));
        byte[] line = m.customSection(".debug_line").orElseThrow().bytes();
        byte[] lineStr = m.customSection(".debug_line_str").map(c -> c.bytes()).orElse(null);
        for (int n = 1; n < line.length; n++) {
            byte[] cut = Arrays.copyOf(line, n);
            DwarfException e = assertThrows(DwarfException.class, () -> LineTable.read(cut, lineStr, null, 100), "cut at " + n);
            assertTrue(e.offset() >= 0 && e.offset() <= n, e.getMessage());
            assertTrue(e.getMessage().startsWith(".debug_line at byte offset " + e.offset() + ": "), e.getMessage());
        }
    }

    @Test
    void corruptFieldsAreDwarfExceptionsSayingWhatAndWhere() throws IOException {
        byte[] line = WasmModule.decode(resource("lines-v4.wasm")).customSection(".debug_line").orElseThrow().bytes();
        // v4 header: unit_length(4) version(2) header_length(4) min_inst(1) max_ops(1) default_is_stmt(1)
        // line_base(1) line_range(1) opcode_base(1)
        assertCorrupt(line, 4, (byte) 7, 4, "unsupported line table version 7");
        assertCorrupt(line, 4, (byte) 1, 4, "unsupported line table version 1");
        assertCorrupt(line, 14, (byte) 0, 14, "line_range is 0");
        assertCorrupt(line, 15, (byte) 0, 15, "opcode_base is 0");
        assertCorrupt(line, 1, (byte) 0x7F, 0, "runs past the section's end");
        byte[] reserved = line.clone();
        reserved[0] = (byte) 0xF5;
        reserved[1] = reserved[2] = reserved[3] = (byte) 0xFF;
        DwarfException r = assertThrows(DwarfException.class, () -> LineTable.read(reserved, null, null, 0));
        assertEquals("reserved unit length 0xfffffff5", r.getMessage().substring(r.getMessage().indexOf(": ") + 2));
        assertCorrupt(line, 9, (byte) 0x7F, 6, "header length");
        // A set_file to a file the header does not list, in place of the program's first opcode.
        byte[] bad = line.clone();
        int headerLength = (bad[6] & 0xFF) | (bad[7] & 0xFF) << 8;
        int program = 10 + headerLength;
        byte[] setFile = {4, 9, 1};
        System.arraycopy(setFile, 0, bad, program, 3);
        DwarfException e = assertThrows(DwarfException.class, () -> LineTable.read(bad, null, null, 0));
        assertTrue(e.getMessage().contains("row names file 9, but the header lists"), e.getMessage());
        assertEquals(program + 2, e.offset());
    }

    private static void assertCorrupt(byte[] good, int at, byte value, long wantOffset, String wantMessage) {
        byte[] bad = good.clone();
        bad[at] = value;
        DwarfException e = assertThrows(DwarfException.class, () -> LineTable.read(bad, null, null, 0), wantMessage);
        assertTrue(e.getMessage().contains(wantMessage), e.getMessage());
        assertEquals(wantOffset, e.offset(), e.getMessage());
        assertEquals(".debug_line", e.section());
    }

    /** Random corruption of demo.wasm's line table: each result is rows or a DwarfException, nothing else. */
    @Test
    void randomCorruptionIsRowsOrADwarfException() throws IOException {
        WasmModule m = WasmModule.decode(Files.readAllBytes(demoWasm()));
        byte[] line = m.customSection(".debug_line").orElseThrow().bytes();
        byte[] str = m.customSection(".debug_str").orElseThrow().bytes();
        java.util.Random rnd = new java.util.Random(18);
        int failed = 0;
        for (int i = 0; i < 300; i++) {
            byte[] bad = line.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) bad[rnd.nextInt(Math.min(bad.length, 4096))] = (byte) rnd.nextInt(256);
            try {
                LineTable.read(bad, null, str, m.codeSectionOffset());
            } catch (DwarfException e) {
                failed++;
                assertTrue(e.offset() >= 0 && e.offset() <= bad.length, e.getMessage());
            }
        }
        assertTrue(failed > 0, "some corruption is detected");
    }

    @Test
    void malformedDebugInfoNeverStopsTheModuleDecoding() throws IOException {
        byte[] bin = resource("lines-v4.wasm");
        WasmModule good = WasmModule.decode(bin);
        int at = good.customSection(".debug_line").orElseThrow().offset();
        byte[] bad = bin.clone();
        bad[at + 4] = 9; // the version
        WasmModule m = WasmModule.decode(bad).validate();
        assertEquals(good.functions().size(), m.functions().size());
        assertThrows(DwarfException.class, () -> LineTable.of(m));
    }
}
