/*
 * The interpreter ran more instructions than its step limit allows. This is not a CLIF
 * trap (compiled code would simply keep running): it guards tests and fuzzers against
 * programs that loop for too long, and is deliberately not an InterpreterTrap so that it
 * can never be mistaken for one.
 */
package dev.patchbay.codegen.interp;

/**
 * Thrown when the interpreter exceeds its step limit. It guards tests and fuzzers against programs
 * that run too long, and is deliberately not a CLIF trap.
 */
public final class StepLimitExceeded extends RuntimeException {
    private final long limit;

    StepLimitExceeded(long limit) {
        super("interpreter step limit of " + limit + " instructions exceeded");
        this.limit = limit;
    }

    public long limit() { return limit; }
}
