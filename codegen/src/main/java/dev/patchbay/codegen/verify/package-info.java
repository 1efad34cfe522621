/**
 * The IR verifier. {@link dev.patchbay.codegen.verify.Verifier} checks a function (SSA
 * dominance, types, block arguments, terminators, declarations, limits) and reports every error it
 * finds, not just the first; {@link dev.patchbay.codegen.Compiler#compile} runs it on every
 * function and throws {@link dev.patchbay.codegen.verify.VerifierException}.
 */
package dev.patchbay.codegen.verify;
