/*
 * The name section's local names (subsection 2, what a debugger shows as $name) and the
 * custom sections kept as byte ranges with the code section's offset (what the DWARF reader
 * starts from), on hand-assembled binaries.
 */
package dev.patchbay.wasm;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.patchbay.wasm.WasmModuleTest.*;
import static org.junit.jupiter.api.Assertions.*;

class NamesAndCustomSectionsTest {
    /** (func $f (param $n i32) (local $acc i32)) with function and local names, then a custom section "x". */
    static byte[] module() {
        byte[] types = section(1, bytes(1, 0x60, 1, 0x7F, 0));
        byte[] funcs = section(3, bytes(1, 0));
        byte[] code = section(10, bytes(1, 4, 1, 1, 0x7F, 0x0B));
        byte[] fnNames = cat(bytes(1), bytes(0), name("f"));
        byte[] localNames = cat(bytes(1), bytes(0), bytes(2), bytes(0), name("n"), bytes(1), name("acc"));
        byte[] names = section(0, cat(name("name"), bytes(1, fnNames.length), fnNames, bytes(2, localNames.length), localNames));
        byte[] custom = section(0, cat(name("x"), bytes(7, 8, 9)));
        return cat(HEADER, types, funcs, code, names, custom);
    }

    @Test
    void localNamesComeFromSubsectionTwo() {
        WasmModule m = WasmModule.decode(module());
        assertEquals(Map.of(0L, "f"), m.names().functionNames());
        assertEquals(Map.of(0L, Map.of(0L, "n", 1L, "acc")), m.names().localNames());
        assertEquals(Map.of(), Names.NONE.localNames());
    }

    @Test
    void customSectionsAreKeptWithTheCodeSectionsOffset() {
        byte[] bin = module();
        WasmModule m = WasmModule.decode(bin);
        assertEquals(2, m.customSections().size());
        assertEquals("name", m.customSections().get(0).name());
        CustomSection x = m.customSection("x").orElseThrow();
        assertArrayEquals(bytes(7, 8, 9), x.bytes());
        assertEquals(bin.length - 3, x.offset());
        assertTrue(m.customSection("nope").isEmpty());
        // The code section: id 10 and its size, then its content (the function count, 1).
        int code = m.codeSectionOffset();
        assertEquals(10, bin[code - 2]);
        assertEquals(1, bin[code]);
        assertEquals(code + 2, m.functions().get(0).bodyOffset(), "the body follows the count and its size");
        assertEquals(-1, WasmModule.decode(HEADER).codeSectionOffset());
    }
}
