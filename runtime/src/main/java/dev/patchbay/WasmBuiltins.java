/*
 * The state a Wasm instance's builtins work on (its memory, tables and segments) and the
 * hostcalls that implement them. The Store's internals hold these hostcalls, so this class
 * must not refer to the Store handle or to the WasmInstance (which does): StoreCore points
 * to nothing public strongly, so a dropped Store stays collectable and its Cleaner frees
 * the Wasm memory too. Memories and tables refer to their Store weakly for the same reason.
 */
package dev.patchbay;

import dev.patchbay.wasm.translate.Builtin;

import java.util.ArrayList;
import java.util.List;

final class WasmBuiltins {
    WasmMemory memory;
    final List<WasmTable> tables = new ArrayList<>();
    final byte[][] data;
    final long[][] elements;

    WasmBuiltins(int dataCount, int elementCount) {
        this.data = new byte[dataCount][];
        this.elements = new long[elementCount][];
    }

    Hostcall hostcall(Builtin b) {
        return switch (b) {
            case MEMORY_GROW -> (c, a) -> (int) memory.grow(a[1] & 0xFFFFFFFFL);
            case MEMORY_FILL -> (c, a) -> { memory.fill(u(a[1]), (byte) a[2], u(a[3])); return 0; };
            case MEMORY_COPY -> (c, a) -> { memory.copy(u(a[1]), u(a[2]), u(a[3])); return 0; };
            case MEMORY_INIT -> (c, a) -> { memory.init(u(a[2]), data[(int) a[1]], u(a[3]), u(a[4])); return 0; };
            case DATA_DROP -> (c, a) -> { data[(int) a[1]] = new byte[0]; return 0; };
            case TABLE_GROW -> (c, a) -> (int) tables.get((int) a[1]).grow(u(a[3]), a[2]);
            case TABLE_FILL -> (c, a) -> { tables.get((int) a[1]).fill(u(a[2]), a[3], u(a[4])); return 0; };
            case TABLE_COPY -> (c, a) -> {
                WasmTable.copy(tables.get((int) a[1]), u(a[3]), tables.get((int) a[2]), u(a[4]), u(a[5]));
                return 0;
            };
            case TABLE_INIT -> (c, a) -> { tables.get((int) a[1]).init(u(a[3]), elements[(int) a[2]], u(a[4]), u(a[5])); return 0; };
            case ELEM_DROP -> (c, a) -> { elements[(int) a[1]] = new long[0]; return 0; };
        };
    }

    private static long u(long v) { return v & 0xFFFFFFFFL; }
}
