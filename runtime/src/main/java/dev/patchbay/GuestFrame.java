/*
 * One frame of a guest backtrace: the function, the offset of the PC within it, and the
 * source location of the instruction there when the module's location table has one (a
 * CLIF line:col, or a Wasm module's code offset).
 */
package dev.patchbay;

/**
 * One frame of a guest backtrace, as a {@link Trap} or a {@link Safepoint} reports it: a
 * guest function, the offset of the frame's PC from that function's start, and where in the
 * source that instruction came from.
 *
 * @param function the guest function's name, without the {@code %} sigil
 * @param offset   the byte offset of the PC from the function's first instruction
 * @param location the instruction's source location: {@code "line:col"} in the CLIF text,
 *                 {@code "@0x1a2"} (the byte offset in the module's binary) for Wasm, or
 *                 empty where none is known (IR built without locations, prologue code)
 */
public record GuestFrame(String function, int offset, String location) {
    /**
     * A frame without a source location.
     *
     * @param function the guest function's name
     * @param offset the PC's offset from the function's start
     */
    public GuestFrame(String function, int offset) {
        this(function, offset, "");
    }

    /**
     * A frame; a null location is empty.
     *
     * @param function the guest function's name
     * @param offset the PC's offset from the function's start
     * @param location the source location, or empty
     */
    public GuestFrame {
        if (location == null) location = "";
    }

    /** The frame as text: {@code %function+0xoffset}, then the location in parentheses if known. */
    @Override public String toString() {
        return "%" + function + "+0x" + Integer.toHexString(offset) + (location.isEmpty() ? "" : " (" + location + ")");
    }
}
