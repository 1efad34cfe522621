/*
 * A function that is valid IR but cannot be compiled (an unsupported construct, a limit
 * exceeded). The message names the function and what is wrong.
 */
package dev.patchbay.codegen;

public class CompileException extends RuntimeException {
    public CompileException(String message) {
        super(message);
    }
}
