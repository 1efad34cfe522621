/*
 * Observes runtime events of an Engine's Stores, for monitoring (the profiler module turns
 * them into JFR events). Called synchronously on the thread where the event happens;
 * implementations must be quick and must not throw.
 *
 * Events that take time come in pairs, so a tool that times them itself (a JFR duration
 * event, which can only begin() when the work begins) can: onPatchBatchStart is followed
 * on the same thread by onPatchBatch, onTrapStart by onTrap, and onInterruptRequested, on
 * the requesting thread, by onEpochDeadline(INTERRUPTED) on the owner's when the guest
 * stops (unless the call ends first, or is stopped by a deadline).
 */
package dev.patchbay;

/**
 * Hears the runtime events of an {@link Engine}'s Stores, for monitoring (the profiler's
 * {@code JfrEvents} turns them into JFR events). Added with {@link Engine#addListener}.
 *
 * <p>Each method runs synchronously on the thread where the event happens, often the
 * owner thread with the guest stopped: implementations must be quick, thread-safe and must
 * not throw. Every method does nothing by default.
 */
public interface RuntimeListener {
    /**
     * A batch of sites was rewritten: by the owner at a safepoint, or directly in an idle
     * Store by the thread that asked.
     *
     * @param store the Store
     * @param sites how many sites changed
     * @param nanos how long the rewrite took, in nanoseconds
     * @param atSafepoint true if the owner applied it at a safepoint
     */
    default void onPatchBatch(Store store, int sites, long nanos, boolean atSafepoint) {}

    /**
     * A batch of sites is about to be rewritten; {@link #onPatchBatch} follows on this
     * thread once it is. For timing the batch.
     *
     * @param store the Store
     */
    default void onPatchBatchStart(Store store) {}

    /**
     * A guest call ended in a Trap (interrupts included), on the owner thread, before
     * {@link Func#call} throws it.
     *
     * @param store the Store
     * @param trap the Trap
     */
    default void onTrap(Store store, Trap trap) {}

    /**
     * A guest call has stopped in a trap, on the owner thread, before the runtime unwinds
     * its bookkeeping and builds the Trap; {@link #onTrap} follows on this thread. For
     * timing what a trap costs the host.
     *
     * @param store the Store
     */
    default void onTrapStart(Store store) {}

    /**
     * An interrupt of the Store's running call was asked for ({@link Store#interrupt()},
     * {@link Store#interruptCurrentOrNext()} as the call starts, or a {@code
     * Thread.interrupt()} of the owner when the Engine is so configured), on the thread
     * that asked, with the Store's lock held. When the guest stops for it, {@link
     * #onEpochDeadline} follows on the owner with {@link EpochOutcome#INTERRUPTED} and the
     * nanoseconds since this request. For timing the interrupt.
     *
     * @param store the Store
     */
    default void onInterruptRequested(Store store) {}

    /**
     * An epoch check reached the runtime: {@link Store#interrupt()} or a deadline stopped
     * the guest, fuel ran out, or a deadline callback let it go on. On the owner thread.
     *
     * @param store the Store
     * @param outcome what happened
     * @param nanosSinceRequest for an interrupt that {@link Store#interrupt()} asked for,
     *                          the nanoseconds since that call; 0 otherwise
     */
    default void onEpochDeadline(Store store, EpochOutcome outcome, long nanosSinceRequest) {}

    /**
     * A site request ({@link Store#request} or {@link Store#requestSafepoint()}) was applied:
     * on the thread that applied it (the owner at a safepoint or at the end of its call, or
     * the requester of an idle Store), with the Store's lock held.
     *
     * @param store the Store
     * @param nanos the time from the request to its being applied, in nanoseconds
     */
    default void onRequestApplied(Store store, long nanos) {}

    /**
     * A Store was closed by {@link Store#close()}, on the thread that closed it, once its
     * native state is freed. A Store reclaimed by its Cleaner (dropped without close) is not
     * reported: nothing refers to it then.
     *
     * @param store the closed Store
     */
    default void onStoreClosed(Store store) {}
}
