/*
 * ServiceLoader entry point (META-INF/services/dev.patchbay.spi.FaultHandlerProvider):
 * every Engine on a class path with this module turns guest faults into Traps.
 */
package dev.patchbay.signal;

import dev.patchbay.spi.FaultHandler;
import dev.patchbay.spi.FaultHandlerProvider;

public final class SignalFaultHandlerProvider implements FaultHandlerProvider {
    @Override public FaultHandler create() {
        return new SignalFaultHandler();
    }
}
