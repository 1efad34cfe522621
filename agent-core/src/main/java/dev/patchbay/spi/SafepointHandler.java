/*
 * What the controller calls on the owner thread when it traps at an armed site: the
 * runtime applies the Store's desired state there. Returns 0 to resume at the site, or
 * non-zero after setting a trap code in the vmctx to make the guest unwind.
 */
package dev.patchbay.spi;

@FunctionalInterface
public interface SafepointHandler {
    int safepoint(long vmctx, long site, long guestFp);
}
