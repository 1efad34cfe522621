/*
 * A breakpoint as the Store holds it after an edit was applied: where it asked, where it
 * landed (the first instruction of the location its request slid to), and how often the
 * owner has run it.
 */
package dev.patchbay.debug;

/** A breakpoint or logpoint set in one Store. */
public interface Breakpoint {
    /**
     * What was asked for.
     *
     * @return the requested location
     */
    Location requested();

    /**
     * The function it landed in.
     *
     * @return the function's name
     */
    String function();

    /**
     * The source line it landed on: the requested one, or the next with code.
     *
     * @return the line, from 1
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
