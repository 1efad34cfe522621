/*
 * Thrown inside the function parser when it meets a type Patchbay cannot compile yet
 * (i128, floats, vectors). It is control flow, not an error: the function parser catches
 * it, skips the rest of the function by brace matching and records a SkippedFunction.
 * No stack trace, because it is expected and cheap to throw.
 */
package dev.patchbay.codegen.clif;

final class UnsupportedTypeSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String typeName;

    UnsupportedTypeSignal(String typeName) {
        super("unsupported type " + typeName, null, false, false);
        this.typeName = typeName;
    }
}
