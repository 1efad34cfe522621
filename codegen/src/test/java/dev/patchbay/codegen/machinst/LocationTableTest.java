/*
 * The location table on real CLIF (the bundled examples): both directions agree, every
 * entry lies in its function's code, a location with no code of its own slides forward to
 * the next one in source order, and emission with the table is the same bytes (the
 * filetests, CompileFileTest, compare the disassembly byte for byte).
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.SourceLoc;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocationTableTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static CompiledModule compile(List<Function> fns, EpochMode mode) {
        return Compiler.compile(fns, CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).build());
    }

    private static List<Function> parse(String file) throws Exception {
        return ClifParser.parse(file, Files.readString(EXAMPLES.resolve(file))).functions();
    }

    @Test
    void bothDirectionsAgreeOnEveryExample() throws Exception {
        for (String file : List.of("fib.clif", "hot-cold.clif", "sum-loop.clif", "runaway.clif")) {
            for (EpochMode mode : List.of(EpochMode.FUSED, EpochMode.NOP)) {
                List<Function> fns = parse(file);
                CompiledModule m = compile(fns, mode);
                LocationTable t = m.locations;
                assertTrue(t.size() > 0, file);
                for (LocationTable.Entry e : t.entries()) {
                    FunctionInfo f = m.functions.get(e.function());
                    // The last entry of a function (no location) may be its code's end.
                    int end = e.hasLocation() ? f.codeEnd - 1 : f.codeEnd;
                    assertTrue(e.offset() >= f.start && e.offset() <= end, file + ": " + e + " outside " + f.name);
                }
                int located = 0;
                for (int fi = 0; fi < fns.size(); fi++) {
                    for (Block b : fns.get(fi).layout) {
                        for (Inst i : b.insts) {
                            LocationTable.Entry e = t.firstAtOrAfter(fi, i.loc.line, i.loc.col);
                            assertNotNull(e, file + " " + i.loc + ": every function ends in a return, which has code");
                            SourceLoc back = m.locations.locationAt(fi, e.offset());
                            assertEquals(e.line(), back.line, file + " " + i.loc);
                            assertEquals(e.col(), back.col, file + " " + i.loc);
                            assertTrue(e.line() > i.loc.line || e.line() == i.loc.line && e.col() >= i.loc.col,
                                file + " " + i.loc + " slid backwards to " + e.loc());
                            if (e.line() == i.loc.line) located++;
                            // Code of its own: an instruction that emits bytes is found where it is.
                            if (i.op == Opcode.RETURN || i.op == Opcode.CALL) {
                                assertEquals(i.loc.line, e.line(), file + ": " + i.op + " at " + i.loc + " has code");
                            }
                        }
                    }
                }
                assertTrue(located > 0, file);
            }
        }
    }

    @Test
    void aLineBetweenInstructionsSlidesToTheNextInstruction() throws Exception {
        List<Function> fns = parse("fib.clif");
        CompiledModule m = compile(fns, EpochMode.FUSED);
        List<String> lines = Files.readAllLines(EXAMPLES.resolve("fib.clif"));
        int header = lines.indexOf("block1:") + 1;      // 1-based line of the block header
        assertTrue(header > 0);
        LocationTable.Entry e = m.locations.firstAtOrAfter(0, header, 0);
        assertNotNull(e);
        // block1's first instruction (v2 = iadd_imm v0, -1) or, if it has no code of its own
        // (folded into the call's argument move), the call after it.
        // (The profile sites the instrumentation pass puts in the block carry the header's
        // location; they are no location of the program's.)
        assertTrue(e.line() == header + 1 || e.line() == header + 2, "slid to line " + e.line());
        assertTrue(lines.get(e.line() - 1).contains("v2 = iadd_imm") || lines.get(e.line() - 1).contains("call fn0(v2)"));
        // The blank line after the function's header slides into block0.
        LocationTable.Entry first = m.locations.firstAtOrAfter(0, 1, 0);
        assertEquals(lines.indexOf("    v1 = icmp_imm slt v0, 2") + 1 <= first.line(), true);
        // Past the function's last instruction: nothing.
        assertNull(m.locations.firstAtOrAfter(0, lines.size() + 1, 0));
        // Each location start is a location's lowest offset, in order.
        int[] starts = m.locations.locationStarts(0);
        assertTrue(starts.length >= 5);
        for (int i = 1; i < starts.length; i++) assertTrue(starts[i] > starts[i - 1]);
        for (int s : starts) assertTrue(m.locations.locationAt(0, s).isKnown());
    }

    @Test
    void theProloguesCodeHasNoLocation() throws Exception {
        CompiledModule m = compile(parse("fib.clif"), EpochMode.FUSED);
        FunctionInfo f = m.functions.get(0);
        assertEquals(SourceLoc.NONE.line, m.locations.locationAt(0, f.start).line, "push rbp belongs to no IR instruction");
    }
}
