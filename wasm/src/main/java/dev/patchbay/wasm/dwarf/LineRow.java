/*
 * One row of a DWARF line table, as llvm-dwarfdump --debug-line prints it, with the file
 * resolved to its path and the address also given as the Wasm module offset Patchbay uses
 * everywhere else (backtraces, breakpoint locations).
 */
package dev.patchbay.wasm.dwarf;

/**
 * A line table row.
 *
 * @param address the DWARF address: the offset from the code section's content
 * @param moduleOffset the same place as a byte offset in the module binary
 * @param file the source file's path (its directory joined, as the header gives it)
 * @param line the source line, or 0 for code the compiler attributes to no line
 * @param column the column, or 0 when unknown
 * @param isStmt whether the row begins a statement (a place a breakpoint should stop)
 * @param endSequence whether the row ends a sequence (its address is one past the code)
 */
public record LineRow(long address, long moduleOffset, String file, int line, int column, boolean isStmt, boolean endSequence) {
    /** @return the file's last path element, as a user names it ({@code demo.c}) */
    public String fileName() {
        int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
        return file.substring(slash + 1);
    }

    /** @return {@code demo.c:42}, the file's last path element and the line */
    public String shortText() { return fileName() + ":" + line; }

    @Override public String toString() { return file + ":" + line + (column > 0 ? ":" + column : ""); }
}
