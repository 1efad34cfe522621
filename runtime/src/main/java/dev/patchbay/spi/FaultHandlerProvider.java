/*
 * Found with java.util.ServiceLoader (the signal-handler module provides one): creates
 * the FaultHandler every Engine needs. Without one on the class path, new Engine() fails
 * with an IllegalStateException naming the missing artifact.
 */
package dev.patchbay.spi;

public interface FaultHandlerProvider {
    FaultHandler create();
}
