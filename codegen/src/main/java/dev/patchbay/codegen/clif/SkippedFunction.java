/*
 * A function in a CLIF file that Patchbay cannot compile yet (it uses i128, float or
 * vector types). Run tests must count such functions as skipped, with the reason, and
 * never as passed, so the parser keeps a record instead of silently dropping them.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

/**
 * A function in a CLIF file that Patchbay cannot compile yet (it uses i128, float or vector types),
 * kept so that run tests count it as skipped, with the reason, never as passed.
 *
 * @param name the function's name, without {@code %}
 * @param reason why it was skipped, such as {@code "unsupported type f64"}
 * @param loc where the function starts
 */
public record SkippedFunction(String name, String reason, SourceLoc loc) {}
