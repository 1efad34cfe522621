/*
 * Observes runtime events of an Engine's Stores, for monitoring (the profiler module turns
 * them into JFR events). Called synchronously on the thread where the event happens;
 * implementations must be quick and must not throw.
 */
package dev.patchbay;

public interface RuntimeListener {
    /** A batch of sites was rewritten (at a safepoint, or directly in an idle Store). */
    default void onPatchBatch(Store store, int sites, long nanos, boolean atSafepoint) {}

    /** A guest call ended in a Trap (including interrupts). */
    default void onTrap(Store store, Trap trap) {}

    /**
     * An epoch check reached the runtime: interrupt() or a deadline stopped the guest, fuel
     * ran out, or a deadline callback let it go on. `nanosSinceRequest` is the time since
     * interrupt() for an interrupt it asked for, 0 otherwise.
     */
    default void onEpochDeadline(Store store, EpochOutcome outcome, long nanosSinceRequest) {}
}
