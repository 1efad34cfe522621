/*
 * The layout of a hostcall's value buffer: the exit trampoline writes the guest's arguments
 * into it and passes its address to the runtime's dispatcher, which reads them, runs the
 * hostcall and writes the results back into the same buffer, where the trampoline picks
 * them up for the guest. Generated code (Trampolines.exit) and the runtime (Hostcalls) both
 * touch it, so its layout lives here and nowhere else, as the vmctx's does in VmctxLayout.
 *
 * Invariants:
 *  - Slot i (8 bytes at 8 * i) holds parameter i on the way in and result i on the way out;
 *    a value narrower than 8 bytes is in the low bits (the upper bits are not defined on the
 *    way in, and ignored on the way out).
 *  - The buffer has max(params, results, 1) slots, so results never overrun it however many
 *    there are (multi-value imports): the results beyond the ABI's return registers (two
 *    integer, two float) are copied by the trampoline from their slots into the caller's
 *    return area, whose address it keeps in the slot after the last value slot.
 */
package dev.patchbay.codegen.vm;

/** The value buffer an exit trampoline hands the runtime's hostcall dispatcher. */
public final class HostcallBuffer {
    private HostcallBuffer() {}

    /** Bytes per value slot. */
    public static final int SLOT_BYTES = 8;

    /**
     * The value slots a hostcall needs.
     *
     * @param params the number of parameters
     * @param results the number of results
     * @return max(params, results, 1)
     */
    public static int slots(int params, int results) {
        return Math.max(1, Math.max(params, results));
    }

    /**
     * Where a value lives in the buffer.
     *
     * @param index a parameter's or result's position
     * @return its byte offset from the buffer's start
     */
    public static int slot(int index) {
        return SLOT_BYTES * index;
    }
}
