/*
 * A function that is valid IR but cannot be compiled (an unsupported construct, a limit
 * exceeded). The message names the function and what is wrong.
 */
package dev.patchbay.codegen;

/**
 * Thrown for a function that passes the verifier but cannot be compiled, such as an unsupported
 * construct or an exceeded limit; the message names the function and the problem.
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
