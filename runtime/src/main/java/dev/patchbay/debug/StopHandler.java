/*
 * The callback a Debugger runs on the owner thread at every stop, at a safepoint: the
 * guest is stopped for as long as it runs, and what it returns decides how it goes on.
 */
package dev.patchbay.debug;

/** Decides, on the owner thread, what a stopped guest does next. */
@FunctionalInterface
public interface StopHandler {
    /**
     * The owner stopped; called on that thread while the guest waits. Other threads may edit
     * breakpoints meanwhile. A handler that throws is logged and the guest continues.
     *
     * @param event the stop, valid only during this call
     * @return what the guest does next
     */
    DebugAction onStop(StopEvent event);
}
