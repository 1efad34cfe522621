/*
 * A batch of breakpoint changes, in the spirit of Wasmtime's Store::edit_breakpoints():
 * built on any thread, applied at once. Applying resolves every location first, so a bad
 * one fails the whole batch before any byte of code changes.
 */
package dev.patchbay.debug;

import java.util.List;

/**
 * A batch of breakpoint additions and removals, applied together by {@link #apply()}. An edit is
 * used once.
 */
public interface BreakpointEdit {
    /**
     * Adds a breakpoint that stops the owner there.
     *
     * @param at where
     * @return this edit
     */
    BreakpointEdit add(Location at);

    /**
     * Adds a logpoint: it counts (and logs at DEBUG level) each time the owner reaches it, and
     * never stops.
     *
     * @param at where
     * @return this edit
     */
    BreakpointEdit addLogpoint(Location at);

    /**
     * Adds a breakpoint with a condition, a hit condition or a log message (which makes it a
     * logpoint); see {@link BreakpointOptions} for their forms. They are parsed by {@link
     * #apply()}.
     *
     * @param at where
     * @param options what it does there
     * @return this edit
     */
    BreakpointEdit add(Location at, BreakpointOptions options);

    /**
     * Adds a breakpoint at one machine instruction. {@link #apply()} fails if the offset is
     * not an instruction start of that function, naming the nearest ones.
     *
     * @param at where
     * @return this edit
     */
    BreakpointEdit add(InstructionLocation at);

    /**
     * Adds a breakpoint at one machine instruction, with options (see {@link
     * #add(Location, BreakpointOptions)}).
     *
     * @param at where
     * @param options what it does there
     * @return this edit
     */
    BreakpointEdit add(InstructionLocation at, BreakpointOptions options);

    /**
     * Removes a breakpoint (one of this Store's); removing one already removed does nothing.
     *
     * @param breakpoint the breakpoint
     * @return this edit
     */
    BreakpointEdit remove(Breakpoint breakpoint);

    /**
     * Removes every breakpoint set now.
     *
     * @return this edit
     */
    BreakpointEdit removeAll();

    /**
     * Applies the batch: removals first, then additions. From any thread, while the Store
     * runs or not: a running owner stops at a new breakpoint the next time it reaches it.
     *
     * @return the breakpoints added, in the order they were added
     * @throws IllegalArgumentException if a location has no code at or after it, or an
     *     option does not parse (the message names the column); nothing is changed then
     * @throws IllegalStateException if the edit was applied already, the Store is closed, or
     *     it runs and the Engine has no site controller to arm its code
     */
    List<Breakpoint> apply();
}
