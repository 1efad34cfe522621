/*
 * Malformed: the bytes are not a well-formed Wasm binary (the spec's assert_malformed).
 */
package dev.patchbay.wasm;

/** The binary is not well-formed (the spec's "malformed"). */
public final class WasmDecodeException extends WasmException {
    private static final long serialVersionUID = 1L;

    /**
     * @param offset byte offset of the problem
     * @param message the spec's wording, for example "unexpected end"
     */
    public WasmDecodeException(int offset, String message) { super(offset, message); }
}
