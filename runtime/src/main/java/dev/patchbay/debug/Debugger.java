/*
 * A Store's debugger: one per Store (store.debugger()), in the spirit of Wasmtime's
 * Store::edit_breakpoints() and DebugEvent. Breakpoints are int3 bytes written into that
 * Store's private copy of the code through the same arming protocol as patch sites, so a
 * Store without breakpoints runs exactly the code it would run without a debugger.
 */
package dev.patchbay.debug;

import java.util.List;
import java.util.function.Consumer;

/** Breakpoints, logpoints and stops for one Store. */
public interface Debugger {
    /**
     * Starts a batch of breakpoint changes.
     *
     * @return a new edit; nothing changes until its {@link BreakpointEdit#apply()}
     * @throws IllegalStateException if the Store is closed
     */
    BreakpointEdit edit();

    /**
     * Sets what runs at a stop, on the owner thread. Without one, the guest runs on at every
     * breakpoint (each still counts its hits).
     *
     * @param handler the handler, or null for none
     */
    void onStop(StopHandler handler);

    /**
     * Sets what receives logpoint messages, on the owner thread at each logpoint hit that
     * passes its condition and hit condition (the guest waits meanwhile, so it should be
     * quick). Every message is also logged at DEBUG level. A consumer that throws is logged
     * and the guest continues.
     *
     * @param consumer the consumer, or null for none
     */
    void onLogpoint(Consumer<LogpointMessage> consumer);

    /**
     * Whether the Store's epoch deadline ({@code Store.setEpochDeadline}) runs on while the
     * stop handler holds the guest stopped. By default it does not: the deadline moves later
     * by the epochs each stop lasted, so time spent looking at a stop is not taken from the
     * guest. An {@code interrupt()} is taken either way.
     *
     * @param runs true to let the deadline pass during stops, as if the guest ran
     */
    void setDeadlineRunsWhileStopped(boolean runs);

    /**
     * The breakpoints and logpoints set now.
     *
     * @return a new list, in the order they were added
     */
    List<Breakpoint> breakpoints();

    /**
     * Asks the running guest to stop at its next patch site (a loop's back edge or a
     * function's entry, with epoch sites compiled in), through the same arming as an
     * interrupt; the stop handler then runs with {@link StopEvent.Reason#PAUSE}. From any
     * thread; a Store that runs nothing stops at the first site of its next call.
     *
     * @throws IllegalStateException if the Store is closed
     */
    void pause();
}
