/*
 * Wasm's traps as Patchbay trap codes, and the reference interpreter's wording of each (what
 * the spec suite's assert_trap expects). Most are codegen's built-in codes; the table traps
 * have none, so they are user codes, numbered here and nowhere else.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.codegen.ir.TrapCode;

/** The trap codes translated Wasm code raises, and their Wasm messages. */
public final class WasmTraps {
    /** table.get, table.set, table.fill, table.copy, table.init, or an element segment out of bounds. */
    public static final TrapCode TABLE_OUT_OF_BOUNDS = TrapCode.user(1);
    /** call_indirect with an index past the table's end. */
    public static final TrapCode UNDEFINED_ELEMENT = TrapCode.user(2);
    /** call_indirect of a null entry. */
    public static final TrapCode UNINITIALIZED_ELEMENT = TrapCode.user(3);

    private WasmTraps() {}

    /**
     * The Wasm spec's wording of a trap.
     *
     * @param code a trap code
     * @return its message, such as {@code "out of bounds memory access"}
     */
    public static String message(TrapCode code) {
        if (code.equals(TABLE_OUT_OF_BOUNDS)) return "out of bounds table access";
        if (code.equals(UNDEFINED_ELEMENT)) return "undefined element";
        if (code.equals(UNINITIALIZED_ELEMENT)) return "uninitialized element";
        if (code.equals(TrapCode.HEAP_OUT_OF_BOUNDS)) return "out of bounds memory access";
        if (code.equals(TrapCode.INTEGER_DIVISION_BY_ZERO)) return "integer divide by zero";
        if (code.equals(TrapCode.INTEGER_OVERFLOW)) return "integer overflow";
        if (code.equals(TrapCode.BAD_CONVERSION_TO_INTEGER)) return "invalid conversion to integer";
        if (code.equals(TrapCode.UNREACHABLE)) return "unreachable";
        if (code.equals(TrapCode.BAD_SIGNATURE)) return "indirect call type mismatch";
        if (code.equals(TrapCode.STACK_OVERFLOW)) return "call stack exhausted";
        if (code.equals(TrapCode.INTERRUPT)) return "interrupted";
        return code.clifName();
    }
}
