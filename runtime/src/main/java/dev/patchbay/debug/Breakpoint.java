/*
 * A breakpoint as the Store holds it after an edit was applied: where it asked, where it
 * landed (the first instruction of the location its request slid to), and how often the
 * owner has run it.
 */
package dev.patchbay.debug;

/** A breakpoint or logpoint set in one Store. */
public interface Breakpoint {
    /**
     * What was asked for, by source line.
     *
     * @return the requested location, or null for a breakpoint asked for by instruction
     */
    Location requested();

    /**
     * What was asked for, by machine instruction.
     *
     * @return the requested instruction, or null for a breakpoint asked for by source line
     */
    InstructionLocation requestedInstruction();

    /**
     * The function it landed in.
     *
     * @return the function's name
     */
    String function();

    /**
     * The source line it landed on: the requested one, or the next with code (for an
     * instruction breakpoint, the line of the IR instruction that instruction belongs to).
     *
     * @return the line, from 1, or 0 for an instruction of no IR instruction (a prologue)
     */
    int line();

    /**
     * The source column it landed on.
     *
     * @return the column, from 1
     */
    int column();

    /**
     * Where in the function's machine code it is: the first byte of its location's code.
     *
     * @return the offset from the function's start, in bytes
     */
    int machineOffset();

    /**
     * Whether it only counts (and logs at DEBUG level) and never stops.
     *
     * @return true for a logpoint
     */
    boolean isLogpoint();

    /**
     * Its condition, hit condition and log message.
     *
     * @return the options it was added with ({@link BreakpointOptions#NONE} for none)
     */
    BreakpointOptions options();

    /**
     * How many times the owner has reached it while it was set.
     *
     * @return a count
     */
    long hits();

    /**
     * Whether it is still set (no applied edit has removed it).
     *
     * @return true until removed
     */
    boolean isSet();
}
