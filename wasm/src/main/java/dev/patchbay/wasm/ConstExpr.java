/*
 * A constant expression (global initializer, segment offset, element initializer): its
 * decoded instructions, the final end included, and where it lies in the binary.
 */
package dev.patchbay.wasm;

import java.util.List;

/**
 * A constant expression.
 *
 * @param instructions the instructions, ending with end
 * @param offset byte offset of the first instruction
 */
public record ConstExpr(List<Instruction> instructions, int offset) {
    /** Copies the list. */
    public ConstExpr { instructions = List.copyOf(instructions); }
}
