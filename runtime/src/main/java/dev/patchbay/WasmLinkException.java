/*
 * A Wasm module whose imports cannot be satisfied: an unknown import, or one whose kind or
 * type does not match what the linker defines. The message names the import by module and
 * name, in the reference interpreter's words ("unknown import", "incompatible import type").
 */
package dev.patchbay;

/** A Wasm import the linker cannot satisfy; the message names it. */
public final class WasmLinkException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which import, and why it does not link
     */
    public WasmLinkException(String message) { super(message); }
}
