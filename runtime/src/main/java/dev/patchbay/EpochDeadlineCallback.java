/*
 * Runs on the guest's own thread, inside the epoch hook, when the Store's deadline has
 * passed. It may inspect the Store (and its guest backtrace) and must return quickly.
 * Anything it throws unwinds the guest with a host_error Trap carrying the exception.
 */
package dev.patchbay;

@FunctionalInterface
public interface EpochDeadlineCallback {
    EpochDecision onDeadline(Store store);
}
