/*
 * A valid Wasm module that Patchbay cannot compile yet (a function the x86-64 backend
 * refuses, such as one using f32/f64 before the float backend lands). Distinct from a bad
 * module, so a test runner can count it as skipped with its reason, never as passed.
 */
package dev.patchbay;

/** A valid Wasm module that this version of Patchbay cannot compile; the message says why. */
public final class WasmUnsupportedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what cannot be compiled, and why
     */
    public WasmUnsupportedException(String message) { super(message); }
}
