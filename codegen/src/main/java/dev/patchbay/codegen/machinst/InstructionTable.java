/*
 * Where each machine instruction of a module's functions starts. A debugger needs it to
 * set a breakpoint by machine offset (an int3 in the middle of an instruction would change
 * what it means, not stop before it) and to step one instruction at a time. Emission
 * records the starts as it encodes (CodeBuffer.instructionStart, at positions relax()
 * follows), so nothing is decoded afterwards.
 *
 * Invariants: the starts are module offsets, strictly ascending, each inside some
 * function's instructions ([start, codeEnd) of its FunctionInfo: jump tables and
 * trampolines have none); immutable, the array never handed out.
 * Test: InstructionTableTest (against the disassembler, on every filetest).
 */
package dev.patchbay.codegen.machinst;

import java.util.Arrays;

/** The start offset of every machine instruction in a module's functions. */
public final class InstructionTable {
    /** The table of a module built without one. */
    public static final InstructionTable EMPTY = new InstructionTable(new int[0]);

    private final int[] starts;

    /**
     * A table.
     *
     * @param starts the module offsets where instructions start, ascending; copied
     * @throws IllegalArgumentException if they are not strictly ascending or one is negative
     */
    public InstructionTable(int[] starts) {
        this.starts = starts.clone();
        for (int i = 0; i < this.starts.length; i++) {
            if (this.starts[i] < 0 || (i > 0 && this.starts[i] <= this.starts[i - 1])) {
                throw new IllegalArgumentException("instruction starts must ascend strictly from 0: " + this.starts[i] + " at index " + i);
            }
        }
    }

    /**
     * How many instructions there are.
     *
     * @return the count
     */
    public int size() { return starts.length; }

    /**
     * Whether an instruction starts at a module offset.
     *
     * @param offset the offset
     * @return true if one does
     */
    public boolean isStart(int offset) { return Arrays.binarySearch(starts, offset) >= 0; }

    /**
     * The instruction starts in {@code [from, to)}, ascending.
     *
     * @param from the first offset, inclusive
     * @param to the last offset, exclusive
     * @return a new array
     */
    public int[] startsIn(int from, int to) {
        int a = lowerBound(from), b = lowerBound(to);
        return Arrays.copyOfRange(starts, a, Math.max(a, b));
    }

    /**
     * The last instruction start at or before an offset.
     *
     * @param offset the offset
     * @return the start, or -1 if none is at or before it
     */
    public int startAtOrBefore(int offset) {
        int i = lowerBound(offset + 1) - 1;
        return i < 0 ? -1 : starts[i];
    }

    /**
     * The first instruction start after an offset.
     *
     * @param offset the offset
     * @return the start, or -1 if none is after it
     */
    public int startAfter(int offset) {
        int i = lowerBound(offset + 1);
        return i < starts.length ? starts[i] : -1;
    }

    /** The index of the first start >= x. */
    private int lowerBound(int x) {
        int lo = 0, hi = starts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
