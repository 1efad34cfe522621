/*
 * What a source line resolves to: the line that has code (the one asked for, or the next
 * one after it that has any), the file as the line table names it, and every place in the
 * module where a statement of that line begins (a line can have several: a loop's test
 * compiled twice, an inlined function's copies).
 */
package dev.patchbay.wasm.dwarf;

import java.util.List;

/**
 * The code of one source line.
 *
 * @param file the file's path as the line table gives it
 * @param line the line that has code, at or after the one asked for
 * @param moduleOffsets the byte offsets in the module binary where its statements begin, ascending
 */
public record LineAddresses(String file, int line, List<Long> moduleOffsets) {
    /**
     * Copies the list.
     *
     * @param file the file's path as the line table gives it
     * @param line the line that has code
     * @param moduleOffsets the offsets, ascending
     */
    public LineAddresses { moduleOffsets = List.copyOf(moduleOffsets); }
}
