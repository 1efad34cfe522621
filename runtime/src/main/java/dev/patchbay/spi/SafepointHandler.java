/*
 * What the controller calls on the owner thread when it traps at an armed site: the
 * runtime applies the Store's desired state there. Returns 0 to resume at the site, or
 * non-zero after setting a trap code in the vmctx to make the guest unwind.
 */
package dev.patchbay.spi;

/**
 * Called by a site controller on the owner thread when that thread traps at an armed site, so the
 * runtime can apply the Store's desired site state there or make the guest unwind.
 */
@FunctionalInterface
public interface SafepointHandler {
    int safepoint(long vmctx, long site, long guestFp);
}
