/*
 * A debugger must map both ways between machine code and the IR text it came from: a stop
 * at a PC is reported as a CLIF line:col, and a breakpoint asked for at a line:col is set
 * at a machine offset. Emission knows which IR instruction each machine instruction was
 * lowered from, so it records that here as it emits (at CodeBuffer marks, which follow the
 * code through relax()); nothing is reconstructed afterwards.
 *
 * Invariants:
 * - Entries are sorted by offset, strictly increasing: an instruction that emitted no
 *   bytes has no entry (the one that emitted bytes at its offset wins), so each machine
 *   byte is covered by the last entry at or before it.
 * - An entry with line 0 is "no IR location" (prologue, edge-block moves, islands): the
 *   code from there to the next entry belongs to no IR instruction.
 * - Every entry lies inside its function's code ([start, codeEnd) of that FunctionInfo).
 * - Immutable: built once by the backend; arrays are never handed out.
 *
 * Test: LocationTableTest (real CLIF: every instruction's line maps to an offset whose
 * reverse lookup is that line; a line between instructions slides forward).
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.ir.SourceLoc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The module's location table: machine offset to IR source location and IR source location to
 * the first machine offset of its code, per function.
 */
public final class LocationTable {
    /** The table of a module compiled from IR without locations. */
    public static final LocationTable EMPTY = new LocationTable(List.of());

    /**
     * One run of machine code lowered from one IR location.
     *
     * @param offset where the run starts, in the module's code
     * @param function the index of the function it belongs to
     * @param line the IR line, from 1; 0 for code that belongs to no IR instruction
     * @param col the IR column, from 1; 0 with line 0
     */
    public record Entry(int offset, int function, int line, int col) {
        /**
         * Whether this run belongs to an IR instruction.
         *
         * @return false for prologue, edge-block and island code
         */
        public boolean hasLocation() { return line > 0; }

        /**
         * The location as a SourceLoc.
         *
         * @return the location, or {@link SourceLoc#NONE}
         */
        public SourceLoc loc() { return line > 0 ? new SourceLoc(line, col) : SourceLoc.NONE; }
    }

    private final int[] offsets, functions, lines, cols;

    /**
     * A table from entries in offset order.
     *
     * @param entries the entries; where several share an offset, the last is kept (the
     *     others emitted no bytes)
     * @throws IllegalArgumentException if the offsets decrease
     */
    public LocationTable(List<Entry> entries) {
        List<Entry> kept = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (!kept.isEmpty() && e.offset < kept.get(kept.size() - 1).offset) {
                throw new IllegalArgumentException("location entries out of order at offset " + e.offset);
            }
            while (!kept.isEmpty() && kept.get(kept.size() - 1).offset == e.offset) kept.remove(kept.size() - 1);
            if (!kept.isEmpty()) {
                Entry last = kept.get(kept.size() - 1);
                if (last.function == e.function && last.line == e.line && last.col == e.col) continue;
            }
            kept.add(e);
        }
        int n = kept.size();
        offsets = new int[n];
        functions = new int[n];
        lines = new int[n];
        cols = new int[n];
        for (int i = 0; i < n; i++) {
            Entry e = kept.get(i);
            offsets[i] = e.offset;
            functions[i] = e.function;
            lines[i] = e.line;
            cols[i] = e.col;
        }
    }

    /**
     * The entries, in offset order.
     *
     * @return a new unmodifiable list
     */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(offsets.length);
        for (int i = 0; i < offsets.length; i++) out.add(entry(i));
        return List.copyOf(out);
    }

    /**
     * How many entries there are.
     *
     * @return the count
     */
    public int size() { return offsets.length; }

    private Entry entry(int i) { return new Entry(offsets[i], functions[i], lines[i], cols[i]); }

    /**
     * The IR location of the machine code at an offset.
     *
     * @param function the index of the function the offset is in
     * @param offset an offset in that function's code
     * @return the location, or {@link SourceLoc#NONE} when the code there belongs to no IR
     *     instruction (or the table has nothing for that function before it)
     */
    public SourceLoc locationAt(int function, int offset) {
        int i = Arrays.binarySearch(offsets, offset);
        if (i < 0) i = -i - 2;
        if (i < 0 || functions[i] != function || lines[i] == 0) return SourceLoc.NONE;
        return new SourceLoc(lines[i], cols[i]);
    }

    /**
     * The first machine offset of an IR location, or of the next one after it. A location
     * without code of its own (a line between instructions, a block header, an instruction
     * folded into its user) slides forward to the first location at or after it, in source
     * order, that has code in this function.
     *
     * @param function the function's index
     * @param line the line, from 1
     * @param col the column, from 1; 0 (or 1) for "anywhere on the line"
     * @return the entry whose offset is that location's first byte, or null if no location
     *     at or after (line, col) has code in the function
     */
    public Entry firstAtOrAfter(int function, int line, int col) {
        int best = -1;
        for (int i = 0; i < offsets.length; i++) {
            if (functions[i] != function || lines[i] == 0) continue;
            if (compare(lines[i], cols[i], line, col) < 0) continue;
            if (best < 0 || compare(lines[i], cols[i], lines[best], cols[best]) < 0) best = i;
        }
        return best < 0 ? null : entry(best);
    }

    /**
     * The first machine offset of each IR location of a function (where a stop "at a new
     * location" can happen), in offset order.
     *
     * @param function the function's index
     * @return the offsets, one per distinct location, each the lowest offset of its location
     */
    public int[] locationStarts(int function) {
        java.util.Map<Long, Integer> first = new java.util.LinkedHashMap<>();
        for (int i = 0; i < offsets.length; i++) {
            if (functions[i] != function || lines[i] == 0) continue;
            first.putIfAbsent(((long) lines[i] << 32) | cols[i], offsets[i]);
        }
        return first.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int compare(int l1, int c1, int l2, int c2) {
        return l1 != l2 ? Integer.compare(l1, l2) : Integer.compare(c1, c2);
    }

    @Override public String toString() { return "LocationTable" + entries(); }
}
