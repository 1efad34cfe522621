/*
 * ServiceLoader entry point (META-INF/services/dev.patchbay.spi.FaultHandlerProvider):
 * every Engine on a class path with this module turns guest faults into Traps.
 */
package dev.patchbay.signal;

import dev.patchbay.spi.FaultHandler;
import dev.patchbay.spi.FaultHandlerProvider;

/**
 * The ServiceLoader entry point that gives every Engine Patchbay's signal handlers, which
 * turn guest faults (SIGSEGV, SIGBUS, SIGTRAP in guest code) into Traps and chain every
 * other signal to the handler installed before them.
 */
public final class SignalFaultHandlerProvider implements FaultHandlerProvider {
    /** The provider; ServiceLoader makes it. */
    public SignalFaultHandlerProvider() {}

    @Override public FaultHandler create() {
        return new SignalFaultHandler();
    }
}
