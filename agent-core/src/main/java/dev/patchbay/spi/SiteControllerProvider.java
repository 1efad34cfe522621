/*
 * Found with java.util.ServiceLoader: creates the SiteController an Engine uses.
 */
package dev.patchbay.spi;

public interface SiteControllerProvider {
    /** Creates a controller; `membarrier` asks arming to serialise every core. */
    SiteController create(SafepointHandler handler, boolean membarrier);
}
