/*
 * A CompiledModule is what Engine.load copies into executable memory and what the runtime
 * patches into running code, and a user can reach it (Module.compiled()). So nothing it hands
 * out, and nothing handed to its constructors, may be a live view of its state: a caller who
 * writes into an array it got back, or into an array or list it passed in, must not change what
 * the module says. These tests write into every such array and list and check the module did
 * not notice.
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CompiledModuleImmutabilityTest {
    private static final String CLIF = String.join("\n",
        "function %hook() preserve_all {",
        "block0:",
        "    return",
        "}",
        "",
        "function %count_down(i64) -> i64 {",
        "    fn0 = colocated patchable %hook() preserve_all",
        "",
        "block0(v0: i64):",
        "    call fn0()",
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

    private static CompiledModule compile(EpochMode mode) {
        CompileOptions opts = CompileOptions.builder().plan(InstrumentationPlan.all().withEpochMode(mode)).build();
        return Compiler.compile(ClifParser.parse("immutability.clif", CLIF).functions(), opts);
    }

    private static void scribble(byte[] b) { Arrays.fill(b, (byte) 0xCC); }

    @Test
    void writingIntoReturnedSiteBytesChangesNoSite() {
        for (EpochMode mode : List.of(EpochMode.NOP, EpochMode.FUSED)) {
            CompiledModule m = compile(mode);
            assertFalse(m.patchSites.isEmpty());
            for (PatchSite s : m.patchSites) {
                byte[] on = s.onBytes(), off = s.offBytes();
                assertNotSame(on, s.onBytes());
                scribble(on);
                scribble(off);
                assertFalse(Arrays.equals(on, s.onBytes()), "site " + s.id + ": on bytes followed a write to a copy");
                assertFalse(Arrays.equals(off, s.offBytes()), "site " + s.id + ": off bytes followed a write to a copy");
                // The code ships with every site off, and still agrees with the metadata.
                assertArrayEquals(s.offBytes(), m.bytesAt(s.offset, s.length), "site " + s.id);
            }
        }
    }

    @Test
    void writingIntoReturnedCodeAndNopsChangesNothing() {
        CompiledModule m = compile(EpochMode.NOP);
        byte[] before = m.code();
        scribble(m.code());
        scribble(m.bytesAt(0, 8));
        for (byte[] u : m.nopUnits()) scribble(u);
        assertArrayEquals(before, m.code());
        List<byte[]> units = m.nopUnits();
        for (int i = 0; i < units.size(); i++) {
            assertEquals(i + 1, units.get(i).length);
            assertFalse(units.get(i)[0] == (byte) 0xCC, "NOP unit " + (i + 1) + " followed a write to a copy");
        }
    }

    @Test
    void returnedCollectionsCannotBeModified() {
        CompiledModule m = compile(EpochMode.NOP);
        assertThrows(UnsupportedOperationException.class, () -> m.patchSites.clear());
        assertThrows(UnsupportedOperationException.class, () -> m.functions.clear());
        assertThrows(UnsupportedOperationException.class, () -> m.trapSites.clear());
        assertThrows(UnsupportedOperationException.class, () -> m.callSites.clear());
        assertThrows(UnsupportedOperationException.class, () -> m.relocations.clear());
        assertThrows(UnsupportedOperationException.class, () -> m.imports.clear());
        assertThrows(UnsupportedOperationException.class, () -> m.hookTrampolines.put(SiteKind.EPOCH, 0));
        m.nopUnits().clear(); // a fresh list each time: clearing it is allowed and changes nothing
        assertEquals(9, m.nopUnits().size());
    }

    @Test
    void writingIntoConstructorArgumentsChangesNothing() {
        byte[] on = {(byte) 0xE8, 1, 2, 3, 4};
        byte[] off = {0x0F, 0x1F, 0x44, 0x00, 0x00};
        PatchSite site = new PatchSite(0, 16, 5, SiteKind.CUSTOM, 0, "hook", "block0:0", on, off);
        scribble(on);
        scribble(off);
        assertArrayEquals(new byte[] {(byte) 0xE8, 1, 2, 3, 4}, site.onBytes());
        assertArrayEquals(new byte[] {0x0F, 0x1F, 0x44, 0x00, 0x00}, site.offBytes());

        byte[] code = new byte[32];
        Arrays.fill(code, (byte) 0x90);
        List<FunctionInfo> functions = new ArrayList<>(List.of(
            new FunctionInfo(0, "f", 0, 32, 32, 0, Signature.of(List.of(), List.of(Type.I64)), 0)));
        List<PatchSite> sites = new ArrayList<>(List.of(site));
        List<TrapSite> traps = new ArrayList<>(List.of(new TrapSite(4, TrapCode.UNREACHABLE)));
        List<CallSite> calls = new ArrayList<>(List.of(new CallSite(21, "hook")));
        List<Relocation> relocs = new ArrayList<>(List.of(new Relocation(8, Relocation.Kind.ABS64, Relocation.HOSTCALL_DISPATCH)));
        List<ImportInfo> imports = new ArrayList<>();
        Map<SiteKind, Integer> hooks = new EnumMap<>(Map.of(SiteKind.EPOCH, 0));
        byte[] nop1 = {(byte) 0x90};
        List<byte[]> nops = new ArrayList<>(List.of(nop1));
        CompiledModule m = new CompiledModule(code, functions, sites, traps, calls, relocs, imports, hooks, 0, nops, EpochMode.NOP);

        scribble(code);
        scribble(nop1);
        functions.clear();
        sites.clear();
        traps.clear();
        calls.clear();
        relocs.clear();
        imports.add(new ImportInfo(0, "late", Signature.of(List.of(), List.of()), 0));
        hooks.put(SiteKind.PROFILE_ENTRY, 8);
        nops.add(new byte[] {0x66, (byte) 0x90});

        assertEquals(32, m.codeSize());
        for (byte b : m.code()) assertEquals((byte) 0x90, b);
        assertEquals(1, m.functions.size());
        assertEquals(1, m.patchSites.size());
        assertEquals(1, m.trapSites.size());
        assertEquals(1, m.callSites.size());
        assertEquals(1, m.relocations.size());
        assertEquals(0, m.imports.size());
        assertEquals(Map.of(SiteKind.EPOCH, 0), m.hookTrampolines);
        assertEquals(1, m.nopUnits().size());
        assertArrayEquals(new byte[] {(byte) 0x90}, m.nopUnits().get(0));
        assertArrayEquals(new byte[] {(byte) 0xE8, 1, 2, 3, 4}, m.site(0).onBytes());
    }
}
