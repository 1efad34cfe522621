/*
 * A Wasm trap raised by a runtime builtin (memory.fill out of bounds, table.init past a
 * segment's end, ...), which runs as a hostcall. It travels as the cause of the host_error
 * Trap, and WasmFunction turns it back into a Trap with its own code, so a guest sees the
 * same trap whether code or a builtin found the fault.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;

final class WasmBuiltinTrap extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient TrapCode code;

    WasmBuiltinTrap(TrapCode code) {
        super(code.clifName(), null, false, false);
        this.code = code;
    }
}
