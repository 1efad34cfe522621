/*
 * Runs on the guest's own thread, inside the epoch hook, when the Store's deadline has
 * passed. It may inspect the Store and must return quickly. Anything it throws unwinds
 * the guest with a host_error Trap carrying the exception.
 */
package dev.patchbay;

/**
 * Decides what a guest does when its Store's epoch deadline has passed, as Wasmtime's
 * {@code epoch_deadline_callback} does. Set with {@link Store#onEpochDeadline}.
 *
 * <p>Runs on the guest's own thread (the owner), with the guest stopped at an epoch site;
 * keep it quick. Anything it throws, and a null decision, unwind the guest with a {@code
 * host_error} {@link Trap} carrying the exception.
 */
@FunctionalInterface
public interface EpochDeadlineCallback {
    /**
     * The deadline passed.
     *
     * @param store the Store whose deadline it was
     * @return what the guest does now: interrupt, continue or yield
     */
    EpochDecision onDeadline(Store store);
}
