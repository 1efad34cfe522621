/*
 * Found with java.util.ServiceLoader (the signal-handler module provides one): creates
 * the FaultHandler every Engine needs. Without one on the class path, new Engine() fails
 * with an IllegalStateException naming the missing artifact.
 */
package dev.patchbay.spi;

/**
 * Creates the {@link FaultHandler} an Engine holds. Found with {@link java.util.ServiceLoader}
 * (the signal-handler module provides one), or given with {@code
 * EngineConfig.faultHandler}. Without one, {@code new Engine()} fails with an
 * IllegalStateException that names the missing artifact.
 */
public interface FaultHandlerProvider {
    /**
     * Creates a handler, once per Engine, before the Engine allocates anything native.
     *
     * @return the handler, which the Engine closes when it is closed or reclaimed
     */
    FaultHandler create();
}
