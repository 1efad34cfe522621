/*
 * A valid Wasm module that Patchbay cannot compile (a function the x86-64 backend refuses:
 * today only `fma` on a CPU without FMA3, which Wasm 2.0 without SIMD never emits). Distinct from a bad
 * module, so a test runner can count it as skipped with its reason, never as passed.
 */
package dev.patchbay;

/** A valid Wasm module that this version of Patchbay cannot compile; the message says why. */
public final class WasmUnsupportedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Why, without naming the module or function. */
    private final String reason;

    /**
     * @param message what cannot be compiled, and why
     * @param reason why alone, the same for every function it applies to (such as the
     *     backend's Compiler.FMA_REFUSAL)
     */
    public WasmUnsupportedException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** @return why, without naming the module or function */
    public String reason() { return reason; }
}
