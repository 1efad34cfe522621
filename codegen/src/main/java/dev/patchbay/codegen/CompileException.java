/*
 * A function that cannot be compiled: invalid IR (the subclass VerifierException, with
 * every error found), or valid IR with an unsupported construct or an exceeded limit. One
 * type, so a caller that only needs "did it compile" catches one exception.
 */
package dev.patchbay.codegen;

/**
 * Thrown for a function that cannot be compiled: invalid IR ({@link
 * dev.patchbay.codegen.verify.VerifierException}), an unsupported construct or an exceeded
 * limit; the message names the function and the problem.
 */
public class CompileException extends RuntimeException {
    /**
     * A compile error.
     *
     * @param message names the function and what is wrong with it
     */
    public CompileException(String message) {
        super(message);
    }
}
