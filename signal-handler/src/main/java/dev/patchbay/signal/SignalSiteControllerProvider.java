/*
 * ServiceLoader entry point (META-INF/services/dev.patchbay.spi.SiteControllerProvider):
 * Engines on a classpath with this module arm running Stores with int3.
 */
package dev.patchbay.signal;

import dev.patchbay.spi.SafepointHandler;
import dev.patchbay.spi.SiteController;
import dev.patchbay.spi.SiteControllerProvider;

/**
 * The ServiceLoader entry point that gives Engines the signal-based site controller, which arms
 * running Stores with int3.
 */
public final class SignalSiteControllerProvider implements SiteControllerProvider {
    /** The provider; ServiceLoader makes it. */
    public SignalSiteControllerProvider() {}

    @Override public SiteController create(SafepointHandler handler, boolean membarrier) {
        return new SignalSiteController(handler, membarrier);
    }
}
