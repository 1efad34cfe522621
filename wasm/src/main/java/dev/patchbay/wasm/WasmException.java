/*
 * The common base of the only two exceptions a bad Wasm binary can raise: malformed
 * (WasmDecodeException) and invalid (WasmValidationException). Each carries the byte offset
 * in the binary where the problem was found and a message in the spec's terms (the
 * reference interpreter's wording where the spec tests state it); getMessage() adds the
 * offset, specMessage() is the bare text the spec tests match by prefix.
 */
package dev.patchbay.wasm;

/** A WebAssembly binary that is malformed or invalid, with the byte offset where it was found. */
public abstract sealed class WasmException extends RuntimeException
        permits WasmDecodeException, WasmValidationException {
    private static final long serialVersionUID = 1L;
    private final int offset;
    private final String specMessage;

    WasmException(int offset, String specMessage) {
        super(specMessage + " (at byte offset " + offset + ")");
        this.offset = offset;
        this.specMessage = specMessage;
    }

    /** @return the byte offset in the binary where the problem was found */
    public int offset() { return offset; }

    /** @return the message without the offset, in the spec's (reference interpreter's) wording */
    public String specMessage() { return specMessage; }
}
