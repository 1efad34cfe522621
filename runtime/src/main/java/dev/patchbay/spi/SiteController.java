/*
 * The SPI between the runtime core and the mechanism that arms a running Store
 * (DESIGN.md: the runtime module defines it, the signal-handler module implements it, and the
 * core never imports the implementation).
 *
 * The core calls arm with the RW-alias addresses of sites whose state must change while
 * the owner runs. Arming writes one 0xCC byte per site and nothing else; the owner then
 * traps at its next site and the controller calls SafepointHandler on the owner thread.
 * Code regions are registered with the Engine's FaultHandler, which every Engine has,
 * with or without a controller (EngineConfig.noSiteController()).
 */
package dev.patchbay.spi;

/**
 * The mechanism that changes the sites of a Store whose owner is running guest code: it arms sites
 * with one {@code 0xCC} byte each and calls the {@link SafepointHandler} when the owner traps at
 * one. The runtime core defines this interface; {@code patchbay-signal-handler} implements it.
 */
public interface SiteController extends AutoCloseable {
    /**
     * Writes {@code 0xCC} over the first byte of each site, under the Store's lock.
     *
     * @param writeAddresses the sites' addresses in the writable (RW) alias of the code
     * @param count how many of writeAddresses to arm, from the first
     */
    void arm(long[] writeAddresses, int count);

    /**
     * Whether arming also makes every core serialise ({@code membarrier SYNC_CORE}).
     *
     * @return true if it does
     */
    boolean syncsCores();

    /** Releases the controller; the last one closed uninstalls the mechanism. */
    @Override void close();
}
