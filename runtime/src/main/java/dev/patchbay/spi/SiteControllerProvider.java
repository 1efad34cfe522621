/*
 * Found with java.util.ServiceLoader: creates the SiteController an Engine uses.
 */
package dev.patchbay.spi;

/**
 * Creates the site controller an Engine uses; the Engine finds implementations with {@link
 * java.util.ServiceLoader}, or takes one from its EngineConfig.
 */
public interface SiteControllerProvider {
    /**
     * Creates a controller, once per Engine.
     *
     * @param handler what the controller calls on the owner thread at an armed site
     * @param membarrier whether arming must serialise every core ({@code EngineConfig.membarrier})
     * @return the controller, which the Engine closes when it is closed or reclaimed
     * @throws UnsupportedOperationException if the controller cannot work here (membarrier
     *         unsupported, say); the Engine then fails and allocates nothing
     */
    SiteController create(SafepointHandler handler, boolean membarrier);
}
