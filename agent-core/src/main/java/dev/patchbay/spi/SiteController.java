/*
 * The SPI between the runtime core and the mechanism that arms a running Store
 * (DESIGN.md: agent-core defines it, the signal-handler module implements it, and the
 * core never imports the implementation).
 *
 * The core calls registerCode for each instantiated module copy (so traps in it can be
 * recognised) and arm with the RW-alias addresses of sites whose state must change while
 * the owner runs. Arming writes one 0xCC byte per site and nothing else; the owner then
 * traps at its next site and the controller calls SafepointHandler on the owner thread.
 */
package dev.patchbay.spi;

/**
 * The mechanism that changes the sites of a Store whose owner is running guest code: it arms sites
 * with one {@code 0xCC} byte each and calls the {@link SafepointHandler} when the owner traps at
 * one. The runtime core defines this interface; {@code patchbay-signal-handler} implements it.
 */
public interface SiteController extends AutoCloseable {
    /**
     * Makes a code region known. `siteOffsets` are the region's patch sites, sorted, as
     * offsets from `execStart`. The returned registration is closed when the code is freed.
     */
    Registration registerCode(long execStart, long execEnd, int[] siteOffsets);

    /** Writes 0xCC over the first byte of each site, given as RW-alias addresses. */
    void arm(long[] writeAddresses, int count);

    /** True when arming also makes every core serialise (membarrier SYNC_CORE). */
    boolean syncsCores();

    /** Releases the controller; the last one closed uninstalls the mechanism. */
    @Override void close();

    /**
     * A code region made known with {@link SiteController#registerCode}; it is closed when the code
     * is freed.
     */
    interface Registration extends AutoCloseable {
        @Override void close();
    }
}
