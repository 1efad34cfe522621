/*
 * One IR value as a stop shows it: read from the location the register allocator gave it,
 * when its live ranges say the location holds it there, and honestly "optimized out"
 * otherwise.
 */
package dev.patchbay.debug;

/**
 * An IR value at a stop.
 *
 * @param name its CLIF name ({@code v3})
 * @param bits its type's width
 * @param available whether its value is known here
 * @param value its bits, sign-extended from {@code bits} (0 when not available)
 * @param where where it was read: a register ({@code rbx}), a frame slot ({@code [rbp-24]}),
 *     {@code constant}, or why it is not available ({@code optimized out})
 */
public record Variable(String name, int bits, boolean available, long value, String where) {
    @Override public String toString() { return name + " = " + (available ? Long.toString(value) : "<" + where + ">"); }
}
