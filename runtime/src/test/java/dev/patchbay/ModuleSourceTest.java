/*
 * Module.fromClif and fromFile: source to module in one call, with the sites the Engine's
 * config asks for, and clear errors for what cannot be compiled.
 */
package dev.patchbay;

import dev.patchbay.codegen.clif.ClifParseException;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.PatchSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ModuleSourceTest {
    static final String LOOP = String.join("\n",
        "function %count(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, -1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}");

    @TempDir
    Path dir;

    static Set<SiteKind> kinds(Module m) {
        Set<SiteKind> k = EnumSet.noneOf(SiteKind.class);
        for (PatchSite p : m.compiled().patchSites) k.add(p.kind);
        return k;
    }

    @Test
    void theEnginesConfigDecidesTheSites() {
        try (Engine plain = new Engine(new EngineConfig().noSiteController());
             Engine epochs = new Engine(new EngineConfig().noSiteController().epochInterruption(true));
             Engine both = new Engine(new EngineConfig().noSiteController().epochInterruption(true).profiling(true))) {
            assertEquals(Set.of(), kinds(Module.fromClif(plain, "loop.clif", LOOP)));
            Module e = Module.fromClif(epochs, "loop.clif", LOOP);
            // No site controller to arm fused sites: the code checks the epoch itself (CHECK
            // mode, inline compares, no patch sites); signal-handler's EpochTest covers the
            // Engine with a controller, which gets fused epoch sites.
            assertEquals(EpochMode.CHECK, e.compiled().epochMode);
            assertEquals(Set.of(), kinds(e));
            assertEquals(Set.of(SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT), kinds(Module.fromClif(both, "loop.clif", LOOP)));
            try (Store s = new Store(plain)) {
                assertEquals(0L, s.instantiate(Module.fromClif(plain, "loop.clif", LOOP)).func("count").call(5)[0]);
            }
        }
    }

    /** What a user needs of a module without codegen's internals: names, signatures, mode, size. */
    @Test
    void aModuleDescribesItselfInReadOnlyViews() {
        String src = LOOP + "\n" + String.join("\n",
            "function %main(i32) -> i64 {",
            "    fn0 = %host_log(i64) -> i64",
            "block0(v0: i32):",
            "    v1 = sextend.i64 v0",
            "    v2 = call fn0(v1)",
            "    return v2",
            "}");
        try (Engine engine = new Engine(new EngineConfig().noSiteController().epochInterruption(true))) {
            Module m = Module.fromClif(engine, "two.clif", src);
            assertEquals(java.util.List.of("count", "main"), m.functionNames());
            assertEquals(java.util.List.of("host_log"), m.importNames());
            assertEquals("(i32) -> i64", m.signature("main").toString());
            assertEquals(EpochMode.CHECK, m.epochMode(), "no controller: the code checks the epoch itself");
            assertEquals(m.compiled().codeSize(), m.codeSize());
            assertTrue(m.codeSize() > 0);
            assertThrows(UnsupportedOperationException.class, () -> m.functionNames().add("x"));
            assertThrows(UnsupportedOperationException.class, () -> m.importNames().clear());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.signature("nope"));
            assertEquals("no function %nope in this module", e.getMessage());
        }
    }

    @Test
    void malformedSourceSaysWhere() {
        try (Engine engine = new Engine(new EngineConfig().noSiteController())) {
            ClifParseException e = assertThrows(ClifParseException.class,
                () -> Module.fromClif(engine, "bad.clif", "function %f() {\nblock0:\n    bogus\n}\n"));
            assertTrue(e.getMessage().startsWith("bad.clif:3:"), e.getMessage());
        }
    }

    @Test
    void aFunctionThatCannotBeCompiledIsNamedNotDropped() {
        // A preserve_all function may not use floats: the backend refuses it (Compiler.backendRefusal).
        String f = "function %half(f64) -> f64 preserve_all {\nblock0(v0: f64):\n    return v0\n}\n" + LOOP;
        try (Engine engine = new Engine(new EngineConfig().noSiteController())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Module.fromClif(engine, "f.clif", f));
            assertTrue(e.getMessage().contains("%half"), e.getMessage());
        }
    }

    @Test
    void fromFileReadsClifAndRefusesWhatIsNot() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().noSiteController())) {
            Path ok = Files.writeString(dir.resolve("loop.clif"), LOOP);
            assertNotNull(Module.fromFile(engine, ok).compiled().function("count"));
            // A .wasm file is decoded as Wasm: four bytes are a truncated header, at offset 4.
            Path wasm = Files.write(dir.resolve("m.wasm"), new byte[] {0, 'a', 's', 'm'});
            assertTrue(assertThrows(dev.patchbay.wasm.WasmDecodeException.class, () -> Module.fromFile(engine, wasm)).getMessage()
                .contains("offset"));
            Path other = Files.write(dir.resolve("m.txt"), new byte[] {0, 'a', 's', 'm'});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Module.fromFile(engine, other)).getMessage().contains(".clif or .wasm"));
            Path bin = Files.write(dir.resolve("bin.clif"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Module.fromFile(engine, bin)).getMessage().contains("UTF-8"));
            Path d = Files.createDirectory(dir.resolve("d.clif"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Module.fromFile(engine, d)).getMessage().contains("directory"));
            assertThrows(java.nio.file.NoSuchFileException.class, () -> Module.fromFile(engine, dir.resolve("missing.clif")));
        }
    }

    @Test
    void loopAlignPutsEveryLoopHeaderOnItsBoundaryAndRefusesWhatIsNoAlignment() {
        // LOOP's header, block1, starts with line 5's iadd_imm.
        int aligned = -1, unaligned = -1;
        for (int align : new int[] {0, 64}) {
            try (Engine engine = new Engine(new EngineConfig().loopAlign(align))) {
                assertEquals(align, engine.compileOptions().loopAlign());
                Module m = Module.fromClif(engine, "loop.clif", LOOP);
                int header = m.compiled().locations.firstAtOrAfter(0, 5, 0).offset();
                if (align == 0) unaligned = header;
                else aligned = header;
            }
        }
        assertEquals(0, aligned % 64, "the loop header at " + aligned);
        assertNotEquals(0, unaligned % 64, "without alignment the header falls where it falls: " + unaligned);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EngineConfig().loopAlign(24));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EngineConfig().loopAlign(128));
    }
}
