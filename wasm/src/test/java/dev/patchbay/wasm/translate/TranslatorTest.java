/*
 * The translator's IR shape, on hand-assembled binaries: the hidden leading i64 instance
 * parameter, float code translated in full (verified IR that the backend refuses until the
 * float backend lands, and says why), and locals moving to stack slots past SSA_LOCALS.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.wasm.WasmModule;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranslatorTest {
    /** A module of one function: type, function and code sections around a body. */
    private static byte[] module(int[] type, int[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] header = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
        for (int b : header) out.write(b);
        section(out, 1, concat(new int[] {1, 0x60}, type));
        section(out, 3, new int[] {1, 0});
        int[] fn = concat(new int[] {body.length}, body);
        section(out, 10, concat(new int[] {1}, fn));
        return out.toByteArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = new int[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void section(ByteArrayOutputStream out, int id, int[] content) {
        out.write(id);
        out.write(content.length);   // every section here is under 128 bytes
        for (int b : content) out.write(b);
    }

    private static Function translateOne(byte[] binary) {
        TranslatedModule t = Translator.translate(WasmModule.decode(binary).validate(), false);
        assertEquals(1, t.functions().size());
        return t.functions().get(0);
    }

    private static boolean uses(Function f, Opcode op) {
        return f.layout.stream().anyMatch(b -> b.insts.stream().anyMatch(i -> i.op == op));
    }

    @Test
    void functionsTakeTheInstanceBlockFirst() {
        // (func (param i32) (result i32) local.get 0 i32.const 1 i32.add)
        Function f = translateOne(module(new int[] {1, 0x7f, 1, 0x7f}, new int[] {0, 0x20, 0, 0x41, 1, 0x6a, 0x0b}));
        assertEquals("f0", f.name);
        assertEquals(Signature.of(List.of(Type.I64, Type.I32), List.of(Type.I32)), f.signature);
        assertTrue(uses(f, Opcode.IADD));
        assertNull(Compiler.backendRefusal(f));
    }

    @Test
    void floatCodeIsTranslatedAndTheBackendTakesIt() {
        // (func (param f64) (result f64) local.get 0 local.get 0 f64.add)
        Function f = translateOne(module(new int[] {1, 0x7c, 1, 0x7c}, new int[] {0, 0x20, 0, 0x20, 0, 0xa0, 0x0b}));
        assertTrue(uses(f, Opcode.FADD));
        assertNull(Compiler.backendRefusal(f));
    }

    @Test
    void manyLocalsLiveInStackSlots() {
        int n = Translator.SSA_LOCALS + 1;
        // (func (local i32 x n) (result i32) local.get n-1)
        Function many = translateOne(module(new int[] {0, 1, 0x7f}, new int[] {1, n, 0x7f, 0x20, n - 1, 0x0b}));
        assertEquals(n, many.stackSlots.size());
        assertTrue(uses(many, Opcode.STACK_LOAD));
        Function few = translateOne(module(new int[] {0, 1, 0x7f}, new int[] {1, 2, 0x7f, 0x20, 1, 0x0b}));
        assertTrue(few.stackSlots.isEmpty());
        assertFalse(uses(few, Opcode.STACK_LOAD));
    }
}
