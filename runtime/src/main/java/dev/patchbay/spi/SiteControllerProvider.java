/*
 * Found with java.util.ServiceLoader: creates the SiteController an Engine uses.
 */
package dev.patchbay.spi;

/**
 * Creates the site controller an Engine uses; the Engine finds implementations with {@link
 * java.util.ServiceLoader}, or takes one from its EngineConfig.
 */
public interface SiteControllerProvider {
    /** Creates a controller; `membarrier` asks arming to serialise every core. */
    SiteController create(SafepointHandler handler, boolean membarrier);
}
