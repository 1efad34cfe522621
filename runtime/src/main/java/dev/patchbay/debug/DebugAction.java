/*
 * What a stop handler tells the stopped owner to do next.
 */
package dev.patchbay.debug;

/** How a stopped guest goes on. */
public enum DebugAction {
    /** Run on; the breakpoint stays set. */
    CONTINUE,
    /** Stop at the next IR location the owner reaches, in any function. */
    STEP_INTO,
    /** Stop at the next IR location in this frame or a caller's (calls run through). */
    STEP_OVER,
    /** Stop at the next IR location in a caller's frame. */
    STEP_OUT,
    /**
     * Stop after exactly one machine instruction: at the next instruction the owner executes
     * in the Store's functions (a branch's target, a callee's first instruction).
     */
    STEP_INSTRUCTION,
    /** Unwind the call with an {@code interrupt} Trap. */
    INTERRUPT
}
