/*
 * Where a user asks for a breakpoint by machine code: a function and an offset in its
 * code, as a disassembly shows it. Unlike a source Location it does not slide: the offset
 * must be an instruction start (the module's instruction table says which), since an int3
 * in the middle of an instruction would change what the instruction is instead of stopping
 * before it.
 */
package dev.patchbay.debug;

import java.util.Objects;

/**
 * A requested breakpoint location: an instruction of a function, by its offset from the
 * function's first byte.
 *
 * @param function the function's name without the {@code %} sigil
 * @param machineOffset the instruction's offset from the function's start, in bytes
 */
public record InstructionLocation(String function, int machineOffset) {
    /**
     * A location.
     *
     * @param function the function
     * @param machineOffset the offset, from 0
     * @throws IllegalArgumentException if the offset is negative
     */
    public InstructionLocation {
        Objects.requireNonNull(function, "function");
        if (machineOffset < 0) throw new IllegalArgumentException("machine offset " + machineOffset + " is negative");
    }

    @Override public String toString() { return "%" + function + "+0x" + Integer.toHexString(machineOffset); }
}
