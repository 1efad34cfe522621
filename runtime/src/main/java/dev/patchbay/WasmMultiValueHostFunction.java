/*
 * What a host implements to provide a Wasm function import with any number of results, as
 * Wasm 2.0's multi-value allows (Chicory's WasmFunctionHandle and Wasmtime's Func::new also
 * hand the host every result at once). WasmHostFunction stays the one-result shape.
 */
package dev.patchbay;

/**
 * A Java implementation of an imported Wasm function that returns all its results at once,
 * whatever their number. Defined with {@link WasmFunction#hostMultiValue}.
 */
@FunctionalInterface
public interface WasmMultiValueHostFunction {
    /**
     * Runs on the guest's thread when the guest calls the import.
     *
     * @param args the Wasm arguments' bits, one per parameter (i32 sign-extended, f32
     *             exactly its 32 bits, zero-extended)
     * @return the results' bits, exactly one per result of the function's type, in order
     *         (an i32 or f32 in the low 32 bits); an array of another length traps the guest
     *         with host_error
     * @throws Exception to trap the guest with host_error (the exception is the Trap's cause);
     *         a {@link Trap} the host throws is rethrown to the guest's caller as that Trap
     */
    long[] call(long[] args) throws Exception;
}
