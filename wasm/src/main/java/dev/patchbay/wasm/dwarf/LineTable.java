/*
 * Problem: map between a Wasm module's code and the C (or any clang -g) source it was
 * compiled from, through the DWARF line table in its .debug_line custom section.
 *
 * Invariants:
 * 1. Addresses: DWARF addresses in a Wasm module are offsets from the code section's
 *    content (WasmModule.codeSectionOffset); every row also carries the module offset,
 *    codeSectionOffset + address, the unit backtraces and breakpoint locations speak.
 *    Checked against llvm-dwarfdump --debug-line (LineTableTest).
 * 2. at(offset) is the row that covers it: in the sequence whose range holds the offset, the
 *    last row at or before it. A sequence is [first row, end_sequence row).
 * 3. lines(file, line): the file is matched by path suffix on whole path elements (demo.c,
 *    src/demo.c and /abs/src/demo.c all match src/demo.c); two different files matching
 *    equally well are ambiguous, an error. The line slides forward to the first line at or
 *    after it with an is_stmt row in that file; its offsets are where runs of rows at that
 *    line begin (a row of zero length, followed by another at its address, has no code).
 * 4. A module without .debug_line has the EMPTY table; malformed DWARF is a DwarfException
 *    from of(), never anything else, and never affects decoding or running the module.
 */
package dev.patchbay.wasm.dwarf;

import dev.patchbay.wasm.CustomSection;
import dev.patchbay.wasm.WasmModule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** A module's DWARF line table: source file:line for each code offset, and back. */
public final class LineTable {
    /** The table of a module without debug information: it maps nothing. */
    public static final LineTable EMPTY = new LineTable(List.of());

    private final List<LineRow> rows;
    /** Each sequence's rows, in address order, its end_sequence row last. */
    private final List<List<LineRow>> sequences;

    private LineTable(List<LineRow> rows) {
        this.rows = List.copyOf(rows);
        List<List<LineRow>> seqs = new ArrayList<>();
        List<LineRow> cur = new ArrayList<>();
        for (LineRow r : this.rows) {
            cur.add(r);
            if (r.endSequence()) {
                cur.sort((a, b) -> a.endSequence() != b.endSequence() ? Boolean.compare(a.endSequence(), b.endSequence())
                    : Long.compare(a.address(), b.address()));
                seqs.add(List.copyOf(cur));
                cur = new ArrayList<>();
            }
        }
        sequences = List.copyOf(seqs);
    }

    /**
     * Reads a module's line table from its {@code .debug_line} section (with
     * {@code .debug_line_str} and {@code .debug_str} for DWARF 5's string forms).
     *
     * @param module the decoded module
     * @return its table, or {@link #EMPTY} if it has no {@code .debug_line}
     * @throws DwarfException if the line table is malformed, with the byte offset in the section
     */
    public static LineTable of(WasmModule module) {
        Optional<CustomSection> line = module.customSection(".debug_line");
        if (line.isEmpty()) return EMPTY;
        if (module.codeSectionOffset() < 0) throw new DwarfException(".debug_line", 0, "a line table in a module without a code section");
        byte[] lineStr = module.customSection(".debug_line_str").map(CustomSection::bytes).orElse(null);
        byte[] str = module.customSection(".debug_str").map(CustomSection::bytes).orElse(null);
        return new LineTable(new LineProgramReader(line.get().bytes(), lineStr, str, module.codeSectionOffset()).rows());
    }

    /**
     * Reads a line table from raw section contents, for a module whose code section content
     * starts at {@code codeSectionOffset}.
     *
     * @param debugLine the {@code .debug_line} content
     * @param debugLineStr the {@code .debug_line_str} content, or null
     * @param debugStr the {@code .debug_str} content, or null
     * @param codeSectionOffset where the code section's content begins in the module
     * @return the table
     * @throws DwarfException if the line table is malformed
     */
    public static LineTable read(byte[] debugLine, byte[] debugLineStr, byte[] debugStr, long codeSectionOffset) {
        if (debugLine == null) throw new IllegalArgumentException("debugLine is null");
        return new LineTable(new LineProgramReader(debugLine, debugLineStr, debugStr, codeSectionOffset).rows());
    }

    /** @return every row, in the order the line programs emit them */
    public List<LineRow> rows() { return rows; }

    /** @return whether the table maps nothing (no debug information) */
    public boolean isEmpty() { return rows.isEmpty(); }

    /**
     * The row that covers a place in the module's code.
     *
     * @param moduleOffset a byte offset in the module binary
     * @return the last row at or before it in the sequence that holds it, if any does
     */
    public Optional<LineRow> at(long moduleOffset) {
        for (List<LineRow> seq : sequences) {
            LineRow end = seq.get(seq.size() - 1);
            if (seq.size() < 2 || moduleOffset < seq.get(0).moduleOffset() || moduleOffset >= end.moduleOffset()) continue;
            int lo = 0, hi = seq.size() - 2;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (seq.get(mid).moduleOffset() <= moduleOffset) lo = mid; else hi = mid - 1;
            }
            return Optional.of(seq.get(lo));
        }
        return Optional.empty();
    }

    /**
     * Where a source line's statements begin.
     *
     * @param file the file: its name or a path, matched by suffix on whole path elements
     * @param line the line, from 1; one without code slides forward to the next that has some
     * @return the line that has code and its offsets
     * @throws IllegalArgumentException if no file matches, two different files match
     *     equally well, the file has no code at or after the line, or line is below 1
     */
    public LineAddresses lines(String file, int line) {
        if (file == null || file.isBlank()) throw new IllegalArgumentException("no source file given");
        if (line < 1) throw new IllegalArgumentException("line " + line + " is not a source line (lines start at 1)");
        String path = resolveFile(file);
        int target = Integer.MAX_VALUE;
        for (LineRow r : rows) {
            if (!r.endSequence() && r.isStmt() && r.line() >= line && r.line() < target && r.file().equals(path)) target = r.line();
        }
        if (target == Integer.MAX_VALUE) throw new IllegalArgumentException(path + " has no code at or after line " + line);
        Set<Long> offsets = new TreeSet<>();
        for (List<LineRow> seq : sequences) {
            LineRow prev = null;
            for (int i = 0; i + 1 < seq.size(); i++) {
                LineRow r = seq.get(i);
                boolean empty = seq.get(i + 1).address() == r.address();
                boolean here = r.file().equals(path) && r.line() == target;
                boolean continues = prev != null && prev.file().equals(path) && prev.line() == target;
                if (here && r.isStmt() && !empty && !continues) offsets.add(r.moduleOffset());
                if (!empty) prev = r;
            }
        }
        if (offsets.isEmpty()) throw new IllegalArgumentException(path + ":" + target + " has no code");
        return new LineAddresses(path, target, new ArrayList<>(offsets));
    }

    /** The one file of the table a user's name or path means (invariant 3). */
    private String resolveFile(String file) {
        String[] want = elements(file);
        Set<String> all = new LinkedHashSet<>();
        for (LineRow r : rows) all.add(r.file());
        int best = 0;
        List<String> bestFiles = new ArrayList<>();
        for (String f : all) {
            String[] have = elements(f);
            int n = 0;
            while (n < want.length && n < have.length && want[want.length - 1 - n].equals(have[have.length - 1 - n])) n++;
            boolean whole = n == want.length || n == have.length;
            if (n == 0 || !whole) continue;
            if (n > best) {
                best = n;
                bestFiles.clear();
            }
            if (n == best) bestFiles.add(f);
        }
        if (bestFiles.isEmpty()) {
            if (all.isEmpty()) throw new IllegalArgumentException("no source file " + file + " in the line table (the module has no debug information: build it with -g)");
            // Debian's wasi-libc brings line tables of its own, so a program built without -g
            // still has some: say which files the table does have.
            List<String> some = new ArrayList<>();
            for (String f : all) {
                if (some.size() == 4) break;
                String[] e = elements(f);
                some.add(e.length == 0 ? f : e[e.length - 1]);
            }
            throw new IllegalArgumentException("no source file " + file + " in the line table, which has " + all.size() + " files ("
                + String.join(", ", some) + (all.size() > some.size() ? ", ..." : "") + "): was it built with -g?");
        }
        if (bestFiles.size() > 1) throw new IllegalArgumentException("source file " + file + " is ambiguous: " + String.join(", ", bestFiles));
        return bestFiles.get(0);
    }

    private static String[] elements(String path) {
        List<String> out = new ArrayList<>();
        for (String e : path.replace('\\', '/').split("/")) if (!e.isEmpty() && !e.equals(".")) out.add(e);
        return out.toArray(new String[0]);
    }
}
