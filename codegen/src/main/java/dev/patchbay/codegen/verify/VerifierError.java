/*
 * One problem the verifier found. The message names the function, block and instruction
 * so it reads on its own (in a log, for IR built in Java); the location, when the IR came
 * from text, lets Diagnostics print it as `file:line:col: error: message`.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.ir.SourceLoc;

/**
 * One problem the verifier found: a message that names the function, block and instruction, and the
 * source location when the IR came from text.
 *
 * @param loc where the problem is in CLIF text, or {@link SourceLoc#NONE} for IR built in Java
 * @param message what is wrong, naming the function, block and instruction
 */
public record VerifierError(SourceLoc loc, String message) {
    @Override public String toString() { return loc.isKnown() ? loc + ": " + message : message; }
}
