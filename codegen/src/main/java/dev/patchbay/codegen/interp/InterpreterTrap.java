/*
 * A CLIF trap raised while interpreting: the trap code and the interpreted call stack at
 * the trap, innermost function first, so tests can compare both with what compiled code
 * reports (Trap.code() and Trap.backtrace()).
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.ir.TrapCode;

import java.util.List;

/**
 * A CLIF trap raised while interpreting, with the trap code and the interpreted call stack
 * (innermost first), to compare with what compiled code reports.
 */
public final class InterpreterTrap extends RuntimeException {
    private final TrapCode code;
    private final List<String> backtrace;

    InterpreterTrap(TrapCode code, List<String> backtrace, String detail) {
        super("trap: " + code.clifName() + (backtrace.isEmpty() ? "" : " in %" + backtrace.get(0))
            + (detail != null ? " (" + detail + ")" : ""));
        this.code = code;
        this.backtrace = List.copyOf(backtrace);
    }

    public TrapCode code() { return code; }

    /** Names of the functions on the interpreted stack, innermost first. */
    public List<String> backtrace() { return backtrace; }
}
