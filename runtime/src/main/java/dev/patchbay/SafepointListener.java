/*
 * Notified on the owner thread whenever it stops at a safepoint (an armed site), after
 * the Store has applied its desired state. The guest's frames are intact, so a listener
 * may walk them with Safepoint.backtrace(): this is how the sampling profiler takes its
 * samples. Listeners must be quick and must not call into the Store's guest code.
 */
package dev.patchbay;

/**
 * Hears every safepoint of a Store: each time its owner thread stops at an armed site
 * (a {@link Store#request site request}, or {@link Store#requestSafepoint()}), after the
 * Store's desired site state has been applied there.
 *
 * <p>Runs on the owner thread, with the guest stopped: keep it short. It is never called
 * re-entrantly, so a listener that calls into the Store's guest code meets no armed site,
 * but the guest it interrupted waits meanwhile. Anything it throws is logged and ignored.
 *
 * @see Store#addSafepointListener(SafepointListener)
 */
@FunctionalInterface
public interface SafepointListener {
    /**
     * The owner stopped at a safepoint.
     *
     * @param safepoint where it stopped; valid only until this method returns, and only on
     *                  this thread
     */
    void onSafepoint(Safepoint safepoint);
}
