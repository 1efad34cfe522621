/*
 * One frame of a guest backtrace: the function and the offset of the PC within it.
 */
package dev.patchbay;

/**
 * One frame of a guest backtrace, as a {@link Trap} or a {@link Safepoint} reports it: a
 * guest function and the offset of the frame's PC from that function's start.
 *
 * @param function the guest function's name, without the {@code %} sigil
 * @param offset   the byte offset of the PC from the function's first instruction
 */
public record GuestFrame(String function, int offset) {
    /** The frame as CLIF-style text: {@code %function+0xoffset}. */
    @Override public String toString() { return "%" + function + "+0x" + Integer.toHexString(offset); }
}
