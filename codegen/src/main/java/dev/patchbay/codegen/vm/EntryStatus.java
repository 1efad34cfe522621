/*
 * What an entry trampoline returns: how the guest call ended. The generated trap path
 * produces it and the runtime acts on it, so the values live here, in one place.
 *
 * INTERRUPTED exists so the runtime never has to infer why the guest unwound: the
 * safepoint stub unwinds a due interrupt on its own, without calling into Java, and marks
 * it (VmctxLayout.STUB_INTERRUPT); every other unwind, including an interrupt decided in
 * Java (a deadline callback, the epoch hook), is TRAP with its trap code in the vmctx.
 */
package dev.patchbay.codegen.vm;

/** The status values an entry trampoline returns. */
public final class EntryStatus {
    private EntryStatus() {}

    /** The guest returned; its results are in the argument buffer. */
    public static final int OK = 0;
    /** The guest trapped; VmctxLayout.TRAP_CODE and the backtrace say how. */
    public static final int TRAP = 1;
    /**
     * The safepoint stub unwound the guest for the interrupt aimed at this call, without an
     * upcall; TRAP_CODE is INTERRUPT and the runtime still owes that interrupt's bookkeeping.
     */
    public static final int INTERRUPTED = 2;
}
