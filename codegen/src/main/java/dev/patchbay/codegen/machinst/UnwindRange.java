/*
 * Native debuggers and unwinders (gdb through its JIT interface) can walk through
 * generated code only if they are told, for every instruction, where the caller's frame
 * is. The backend knows exactly: it emitted the prologue and every epilogue. This is that
 * knowledge, one range of code (a function, a trampoline, the trap stub) at a time, as the
 * rows of a DWARF call frame table restricted to what Patchbay's code does: the CFA is
 * RSP or RBP plus a constant, the return address is always at CFA - 8, and the caller's
 * RBP is either still in RBP or saved at a fixed offset from the CFA.
 *
 * Invariant: a range's rows are sorted by offset, the first is at the range's start, and
 * every row lies in [start, end).
 */
package dev.patchbay.codegen.machinst;

import java.util.List;
import java.util.Objects;

/**
 * The call frame rules of one range of generated code: from each row's offset up to the
 * next row's (or the range's end), where the canonical frame address (CFA, the caller's
 * RSP) and the caller's RBP are. The return address is always at CFA - 8.
 */
public final class UnwindRange {
    /** What a range of code is. */
    public enum Kind {
        /** A guest function; its name is the function's. */
        FUNCTION,
        /** An entry trampoline, host to guest. */
        ENTRY_TRAMPOLINE,
        /** An exit trampoline, guest to a hostcall. */
        EXIT_TRAMPOLINE,
        /** A site kind's hook trampoline. */
        HOOK_TRAMPOLINE,
        /** The trap stub and the unwind path every entry returns through. */
        TRAP_STUB
    }

    /**
     * One row of the table.
     *
     * @param offset where the row starts, in the module's code
     * @param cfaFromRbp whether the CFA is RBP plus cfaOffset (else RSP plus cfaOffset)
     * @param cfaOffset what is added to the register to get the CFA
     * @param savedRbp where the caller's RBP is saved, relative to the CFA (negative), or 0
     *     when RBP still holds the caller's value
     */
    public record Row(int offset, boolean cfaFromRbp, int cfaOffset, int savedRbp) {
        /**
         * A row.
         *
         * @param offset where the row starts
         * @param cfaFromRbp whether the CFA is computed from RBP
         * @param cfaOffset what is added to the register
         * @param savedRbp the caller's RBP slot relative to the CFA, or 0
         * @throws IllegalArgumentException if savedRbp is positive or not a multiple of 8,
         *     or cfaOffset is below 8
         */
        public Row {
            if (savedRbp > 0 || savedRbp % 8 != 0) throw new IllegalArgumentException("saved RBP at CFA" + savedRbp);
            if (cfaOffset < 8) throw new IllegalArgumentException("CFA offset " + cfaOffset + " is below the return address");
        }

        /**
         * This row moved by {@code delta} bytes.
         *
         * @param delta what is added to the offset
         * @return the moved row
         */
        public Row shifted(int delta) { return new Row(offset + delta, cfaFromRbp, cfaOffset, savedRbp); }
    }

    /** What the code is. */
    public final Kind kind;
    /** A name for it: the function's name, or a trampoline's description such as {@code patchbay:entry_trampoline}. */
    public final String name;
    /** Offset of its first byte in the module's code. */
    public final int start;
    /** Offset just past its last byte. */
    public final int end;
    /** Its rows, by offset; the first is at {@code start}. */
    public final List<Row> rows;

    /**
     * A range of code and its rows.
     *
     * @param kind what the code is
     * @param name its name
     * @param start its first byte's offset
     * @param end the offset past its last byte
     * @param rows its rows, copied; rows at or past end are dropped
     * @throws IllegalArgumentException if the rows are not sorted, the first is not at
     *     start, or the range is empty
     */
    public UnwindRange(Kind kind, String name, int start, int end, List<Row> rows) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.name = Objects.requireNonNull(name, "name");
        if (end <= start) throw new IllegalArgumentException(name + ": empty range [" + start + ", " + end + ")");
        List<Row> kept = rows.stream().filter(r -> r.offset() < end).toList();
        if (kept.isEmpty() || kept.get(0).offset() != start) {
            throw new IllegalArgumentException(name + ": the first row is not at the range's start " + start);
        }
        for (int i = 1; i < kept.size(); i++) {
            if (kept.get(i).offset() < kept.get(i - 1).offset()) throw new IllegalArgumentException(name + ": rows out of order");
        }
        this.start = start;
        this.end = end;
        this.rows = kept;
    }

    /**
     * The row in force at an offset.
     *
     * @param offset an offset in [start, end)
     * @return the last row at or before offset
     * @throws IllegalArgumentException if offset is outside the range
     */
    public Row rowAt(int offset) {
        if (offset < start || offset >= end) throw new IllegalArgumentException(offset + " is outside " + name);
        Row r = rows.get(0);
        for (Row x : rows) {
            if (x.offset() > offset) break;
            r = x;
        }
        return r;
    }

    @Override public String toString() {
        return kind + " " + name + " [" + start + ", " + end + ") " + rows;
    }
}
