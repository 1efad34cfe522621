/*
 * One guest frame of a stop's backtrace, with its source location when the location table
 * knows one.
 */
package dev.patchbay.debug;

/**
 * A guest frame at a stop: the function, the machine offset in it and the CLIF location there.
 *
 * @param function the function's name
 * @param offset the machine offset in the function (for outer frames, of the call's return)
 * @param line the source line (of the call, for outer frames), or 0 if none is known
 * @param column the source column, or 0
 */
public record StackFrame(String function, int offset, int line, int column) {
    @Override public String toString() { return "%" + function + "+0x" + Integer.toHexString(offset) + (line > 0 ? " at " + line + ":" + column : ""); }
}
