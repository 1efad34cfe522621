/*
 * Notified on the owner thread whenever it stops at a safepoint (an armed site), before
 * the Store applies its desired state. The guest's frames are intact, so a listener may
 * walk them with Store.backtrace(site, guestFp): this is how the sampling profiler takes
 * its samples. Listeners must be quick and must not call into the Store's guest code.
 */
package dev.patchbay;

@FunctionalInterface
public interface SafepointListener {
    void onSafepoint(Store store, long site, long guestFp);
}
