/*
 * proc_exit does not return: the guest's stack must unwind to whoever called _start. A
 * Java exception thrown from the hostcall does that (the runtime unwinds the guest with a
 * host_error Trap whose cause is this), and carries the exit code to the embedder.
 */
package dev.patchbay.wasi;

/**
 * Thrown by {@code proc_exit}: the guest asked to end with an exit code. The runtime turns
 * it into a {@link dev.patchbay.Trap} whose cause is this exception; {@link #exitCode(Throwable)}
 * finds it there.
 */
public final class WasiExit extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The guest's exit code. */
    private final int code;

    /**
     * An exit.
     *
     * @param code the guest's exit code
     */
    public WasiExit(int code) {
        super("proc_exit(" + code + ")", null, false, false);
        this.code = code;
    }

    /**
     * The guest's exit code.
     *
     * @return the code proc_exit was given
     */
    public int code() {
        return code;
    }

    /**
     * The exit code of a guest that called proc_exit, found anywhere in a cause chain.
     *
     * @param t a throwable, typically the Trap a call of {@code _start} threw
     * @return the exit code, or empty if no {@code WasiExit} is in the chain
     */
    public static java.util.OptionalInt exitCode(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth++ < 64; c = c.getCause()) {
            if (c instanceof WasiExit) return java.util.OptionalInt.of(((WasiExit) c).code);
        }
        return java.util.OptionalInt.empty();
    }
}
