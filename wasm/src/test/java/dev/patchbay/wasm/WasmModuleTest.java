/*
 * The model as a translator will read it, on hand-assembled binaries: imports and the index
 * spaces, code as instructions with their offsets, exports, the name section's function
 * names, segments, and the errors' kinds, offsets and messages at LEB128's edges.
 */
package dev.patchbay.wasm;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WasmModuleTest {
    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    static byte[] section(int id, byte[] content) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(id);
        o.write(content.length); // every test section is under 128 bytes
        o.writeBytes(content);
        return o.toByteArray();
    }

    static byte[] name(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b.length);
        o.writeBytes(b);
        return o.toByteArray();
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static final byte[] HEADER = bytes(0, 'a', 's', 'm', 1, 0, 0, 0);

    /**
     * (import "env" "log" (func (param i32)))
     * (memory 1) (func $add (export "add") (param i32 i32) (result i32)
     *   local.get 0 local.get 1 i32.add)
     * (data (i32.const 8) "hi") (elem (i32.const 0) func $add) (table 1 funcref), names.
     */
    static byte[] sample() {
        byte[] types = section(1, bytes(2, 0x60, 1, 0x7F, 0, 0x60, 2, 0x7F, 0x7F, 1, 0x7F));
        byte[] imports = section(2, cat(bytes(1), name("env"), name("log"), bytes(0, 0)));
        byte[] funcs = section(3, bytes(1, 1));
        byte[] table = section(4, bytes(1, 0x70, 0, 1));
        byte[] memory = section(5, bytes(1, 0, 1));
        byte[] exports = section(7, cat(bytes(1), name("add"), bytes(0, 1)));
        byte[] elem = section(9, bytes(1, 0, 0x41, 0, 0x0B, 1, 1));
        byte[] code = section(10, bytes(1, 7, 0, 0x20, 0, 0x20, 1, 0x6A, 0x0B));
        byte[] data = section(11, cat(bytes(1, 0, 0x41, 8, 0x0B), name("hi")));
        byte[] fnNames = cat(bytes(1), bytes(1), name("add"));
        byte[] names = section(0, cat(name("name"), bytes(1, fnNames.length), fnNames));
        return cat(HEADER, types, imports, funcs, table, memory, exports, elem, code, data, names);
    }

    static List<byte[]> handBuilt() {
        return List.of(sample(), HEADER);
    }

    @Test
    void theModelSaysWhatTheBinarySays() {
        WasmModule m = WasmModule.decode(sample()).validate();
        assertEquals(2, m.types().size());
        assertEquals(new FuncType(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)), m.types().get(1));
        assertEquals(1, m.importedFunctionCount());
        assertEquals("env", m.imports().get(0).module());
        assertEquals(2, m.functionCount());
        assertEquals(1, m.functionTypeIndex(1));
        assertEquals(0, m.functionTypeIndex(0));
        List<Instruction> code = m.functions().get(0).instructions();
        assertEquals(List.of(Op.LOCAL_GET, Op.LOCAL_GET, Op.I32_ADD, Op.END), code.stream().map(Instruction::op).toList());
        assertEquals(1, code.get(1).a());
        assertEquals(m.functions().get(0).codeOffset() + 2, code.get(1).offset());
        assertEquals("add", m.exports().get(0).name());
        assertEquals("add", m.names().functionNames().get(1L));
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), m.data().get(0).bytes());
        assertEquals(SegmentMode.ACTIVE, m.elements().get(0).mode());
        assertEquals(Op.REF_FUNC, m.elements().get(0).init().get(0).instructions().get(0).op());
        assertEquals(1, m.memoryCount());
        assertEquals(1, m.tableCount());
    }

    @Test
    void theInputArrayIsCopied() {
        byte[] b = sample();
        WasmModule m = WasmModule.decode(b);
        java.util.Arrays.fill(b, (byte) 0);
        assertEquals(Op.I32_ADD, m.functions().get(0).instructions().get(2).op());
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), m.data().get(0).bytes());
    }

    @Test
    void wrongTypesAreInvalidWithTheInstructionOffset() {
        // (func (result i32) i64.const 0)
        byte[] b = cat(HEADER, section(1, bytes(1, 0x60, 0, 1, 0x7F)), section(3, bytes(1, 0)),
                section(10, bytes(1, 4, 0, 0x42, 0, 0x0B)));
        WasmModule m = WasmModule.decode(b);
        WasmValidationException e = assertThrows(WasmValidationException.class, m::validate);
        assertEquals("type mismatch", e.specMessage());
        assertEquals(b.length - 1, e.offset()); // the end that pops the i64 as an i32
    }

    @Test
    void leb128Edges() {
        // type section count as an over-long u32 (six bytes)
        WasmDecodeException tooLong = assertThrows(WasmDecodeException.class, () -> WasmModule.decode(
                cat(HEADER, bytes(1, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0))));
        assertEquals("integer representation too long", tooLong.specMessage());
        // a u32 whose fifth byte sets bits above bit 31
        WasmDecodeException tooLarge = assertThrows(WasmDecodeException.class, () -> WasmModule.decode(
                cat(HEADER, bytes(1, 5, 0x80, 0x80, 0x80, 0x80, 0x10))));
        assertEquals("integer too large", tooLarge.specMessage());
        assertEquals(14, tooLarge.offset()); // the fifth byte
        // a count larger than the bytes left is malformed, not an allocation
        WasmDecodeException count = assertThrows(WasmDecodeException.class, () -> WasmModule.decode(
                cat(HEADER, bytes(1, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F))));
        assertTrue(count.specMessage().startsWith("unexpected end"), count.specMessage());
        // i32.const with the most negative s32 and the largest s64
        byte[] b = cat(HEADER, section(1, bytes(1, 0x60, 0, 0)), section(3, bytes(1, 0)),
                section(10, bytes(1, 21, 0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x1A,
                        0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x1A, 0x0B)));
        List<Instruction> code = WasmModule.decode(b).validate().functions().get(0).instructions();
        assertEquals(Integer.MIN_VALUE, code.get(0).a());
        assertEquals(Long.MAX_VALUE, code.get(2).a());
    }

    @Test
    void errorsCarryTheirOffset() {
        WasmDecodeException e = assertThrows(WasmDecodeException.class, () -> WasmModule.decode(bytes(0, 'a', 's', 'n', 1, 0, 0, 0)));
        assertEquals("magic header not detected", e.specMessage());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("offset 0"));
    }
}
