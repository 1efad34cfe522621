/*
 * the runtime module's own tests run without the signal-handler module (it depends on this one,
 * so it cannot be on this module's test class path). Engines need a FaultHandler, so
 * these tests get this one, through ServiceLoader: it registers nothing and installs no
 * signal handler, so these tests must not make guest code fault outside explicit traps
 * (the signal-handler and stress-tests suites cover those).
 */
package dev.patchbay;

import dev.patchbay.spi.FaultHandler;
import dev.patchbay.spi.FaultHandlerProvider;

public final class TestFaultHandlerProvider implements FaultHandlerProvider {
    @Override public FaultHandler create() {
        return new FaultHandler() {
            @Override public Registration registerCode(long execStart, long execEnd, int[] siteOffsets) {
                return () -> { };
            }

            @Override public void close() { }
        };
    }
}
