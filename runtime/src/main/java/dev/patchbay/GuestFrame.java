/*
 * One frame of a guest backtrace: the function and the offset of the PC within it.
 */
package dev.patchbay;

public final class GuestFrame {
    private final String function;
    private final int offset;

    public GuestFrame(String function, int offset) {
        this.function = function;
        this.offset = offset;
    }

    public String function() { return function; }

    /** Byte offset of the PC from the function's start. */
    public int offset() { return offset; }

    @Override public String toString() { return "%" + function + "+0x" + Integer.toHexString(offset); }

    @Override public boolean equals(Object o) {
        return o instanceof GuestFrame && ((GuestFrame) o).function.equals(function) && ((GuestFrame) o).offset == offset;
    }

    @Override public int hashCode() { return function.hashCode() * 31 + offset; }
}
