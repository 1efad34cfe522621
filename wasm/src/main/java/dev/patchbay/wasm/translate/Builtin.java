/*
 * The runtime services translated code calls as hostcalls: the bulk memory and table
 * instructions and the two grows, whose work (mprotect, reallocation, segment bookkeeping)
 * belongs to the runtime. Each takes the instance block first, then the instruction's
 * immediates and operands in order; the runtime defines one hostcall per entry, by name.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayList;
import java.util.List;

/** A runtime service translated code calls: its hostcall name and IR signature. */
public enum Builtin {
    /** memory.grow: (delta) gives the old size in pages or -1. */
    MEMORY_GROW("__memory_grow", Type.I32, Type.I32),
    /** memory.fill: (dest, byte, length). */
    MEMORY_FILL("__memory_fill", null, Type.I32, Type.I32, Type.I32),
    /** memory.copy: (dest, source, length). */
    MEMORY_COPY("__memory_copy", null, Type.I32, Type.I32, Type.I32),
    /** memory.init: (segment, dest, source, length). */
    MEMORY_INIT("__memory_init", null, Type.I32, Type.I32, Type.I32, Type.I32),
    /** data.drop: (segment). */
    DATA_DROP("__data_drop", null, Type.I32),
    /** table.grow: (table, init, delta) gives the old size or -1. */
    TABLE_GROW("__table_grow", Type.I32, Type.I32, Type.I64, Type.I32),
    /** table.fill: (table, dest, value, length). */
    TABLE_FILL("__table_fill", null, Type.I32, Type.I32, Type.I64, Type.I32),
    /** table.copy: (dest table, source table, dest, source, length). */
    TABLE_COPY("__table_copy", null, Type.I32, Type.I32, Type.I32, Type.I32, Type.I32),
    /** table.init: (table, segment, dest, source, length). */
    TABLE_INIT("__table_init", null, Type.I32, Type.I32, Type.I32, Type.I32, Type.I32),
    /** elem.drop: (segment). */
    ELEM_DROP("__elem_drop", null, Type.I32);

    /** The hostcall's name. */
    public final String hostcall;
    /** Its signature: the instance block, then the operands. */
    public final Signature signature;

    Builtin(String hostcall, Type result, Type... params) {
        this.hostcall = hostcall;
        List<Type> p = new ArrayList<>();
        p.add(Type.I64);
        p.addAll(List.of(params));
        this.signature = Signature.of(p, result == null ? List.of() : List.of(result));
    }

    /**
     * @param name a hostcall name
     * @return the builtin of that name, or null
     */
    public static Builtin byName(String name) {
        for (Builtin b : values()) if (b.hostcall.equals(name)) return b;
        return null;
    }
}
