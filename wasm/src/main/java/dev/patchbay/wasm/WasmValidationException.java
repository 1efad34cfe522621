/*
 * Invalid: the binary is well-formed but fails validation (the spec's assert_invalid).
 */
package dev.patchbay.wasm;

/** The module is well-formed but invalid (the spec's "invalid"). */
public final class WasmValidationException extends WasmException {
    private static final long serialVersionUID = 1L;

    /**
     * @param offset byte offset of the problem (the instruction, or the entry of a section)
     * @param message the spec's wording, for example "type mismatch"
     */
    public WasmValidationException(int offset, String message) { super(offset, message); }
}
