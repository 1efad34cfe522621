/*
 * Malformed DWARF: which section and where in it, so a bad .debug_line is reported as
 * precisely as a bad Wasm binary is, and never surfaces as an IndexOutOfBounds or worse.
 */
package dev.patchbay.wasm.dwarf;

/** Debug information that cannot be read, with the section and byte offset where it failed. */
public final class DwarfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String section;
    private final long offset;

    DwarfException(String section, long offset, String message) {
        super(section + " at byte offset " + offset + ": " + message);
        this.section = section;
        this.offset = offset;
    }

    /** @return the custom section that is malformed, such as {@code .debug_line} */
    public String section() { return section; }

    /** @return the byte offset in that section's content where the problem was found */
    public long offset() { return offset; }
}
