/*
 * What a stop handler is given on the owner thread: why it stopped, at which breakpoint,
 * and the guest's backtrace with locations. Valid only while the handler runs.
 */
package dev.patchbay.debug;

import java.util.List;

/** A stop of the owner thread, given to a {@link StopHandler} while the guest waits. */
public interface StopEvent {
    /** Why the guest stopped. */
    enum Reason {
        /** It reached a breakpoint. */
        BREAKPOINT,
        /** A step ended. */
        STEP,
        /** {@link Debugger#pause()} asked for it. */
        PAUSE
    }

    /**
     * Why it stopped.
     *
     * @return the reason
     */
    Reason reason();

    /**
     * The breakpoint it stopped at.
     *
     * @return the breakpoint, or null for a step that ended where none is set
     */
    Breakpoint breakpoint();

    /**
     * Why the breakpoint's condition could not decide: a name the function has no value for,
     * a value optimized out here, a division by zero. The guest then stops rather than guess.
     *
     * @return the reason, or null when no condition failed to evaluate at this stop
     */
    String conditionProblem();

    /**
     * The guest frames, innermost first, with their source locations.
     *
     * @return the frames
     */
    List<StackFrame> frames();

    /**
     * The IR values of a frame's function: arguments, block parameters and instruction
     * results, each read from its location where the register allocator's live ranges say it
     * is there, and "optimized out" where not. In outer frames only values kept in the frame
     * (and constants) are available.
     *
     * @param frame the frame's index in {@link #frames()}, 0 for the innermost
     * @return the values, by value number
     * @throws IndexOutOfBoundsException if there is no such frame
     */
    List<Variable> variables(int frame);
}
