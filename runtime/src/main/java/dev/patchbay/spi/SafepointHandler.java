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
    /** The status that resumes at the site with the trap flag set: a step over a breakpoint. */
    int STEP = 2;

    /**
     * The owner trapped at an armed site; called on that thread, from the controller's
     * safepoint stub.
     *
     * @param vmctx the Store's vmctx, from R15
     * @param site the address of the site the owner trapped at
     * @param guestFp the guest's frame pointer there
     * @return 0 to resume at the site; {@link #STEP} to resume there with the trap flag set
     *         (the runtime has written the displaced instruction back and the vmctx's
     *         STEP_STATE, for the single-step path of the SIGTRAP handler); any other non-zero,
     *         after the runtime has set a trap code in the vmctx, to unwind the guest
     */
    int safepoint(long vmctx, long site, long guestFp);
}
