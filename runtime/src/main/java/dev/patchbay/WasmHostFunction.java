/*
 * What a host implements to provide a Wasm function import.
 */
package dev.patchbay;

/** A Java implementation of an imported Wasm function. */
@FunctionalInterface
public interface WasmHostFunction {
    /**
     * Runs on the guest's thread when the guest calls the import.
     *
     * @param args the Wasm arguments' bits, one per parameter (i32 sign-extended)
     * @return the single result's bits, or anything (ignored) for a function with no result
     * @throws Exception to trap the guest with host_error (the exception is the Trap's cause)
     */
    long call(long[] args) throws Exception;
}
