/*
 * Where a user asks for a breakpoint: a CLIF line (and column), optionally in one named
 * function. It is resolved against the module's location table when the edit is applied;
 * a position between instructions slides forward to the next one that has code.
 */
package dev.patchbay.debug;

import java.util.Objects;

/**
 * A requested breakpoint location: a CLIF source line and column, in one function or in any.
 *
 * @param function the function's name without the {@code %} sigil, or null for whichever
 *     function has code at or after the position first
 * @param line the source line, from 1
 * @param column the source column, from 1, or 0 for the start of the line
 */
public record Location(String function, int line, int column) {
    /**
     * A location.
     *
     * @param function the function, or null for any
     * @param line the line, from 1
     * @param column the column, from 1, or 0
     * @throws IllegalArgumentException if line is below 1 or column below 0
     */
    public Location {
        if (line < 1) throw new IllegalArgumentException("line " + line + " is not a source line (lines start at 1)");
        if (column < 0) throw new IllegalArgumentException("column " + column + " is negative");
    }

    /**
     * A line in whichever function has code there.
     *
     * @param line the line, from 1
     * @return the location
     */
    public static Location line(int line) { return new Location(null, line, 0); }

    /**
     * A line in one function.
     *
     * @param function the function's name
     * @param line the line, from 1
     * @return the location
     */
    public static Location line(String function, int line) {
        return new Location(Objects.requireNonNull(function, "function"), line, 0);
    }

    @Override public String toString() { return (function == null ? "" : "%" + function + " ") + line + (column > 0 ? ":" + column : ""); }
}
