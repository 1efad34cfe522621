/*
 * A custom section as the decoder found it: its name and a byte range of the module's own
 * copy of the binary, unread (the spec gives custom sections no meaning, so decoding never
 * fails because of one). bytes() copies, so the module stays immutable.
 */
package dev.patchbay.wasm;

import java.util.Arrays;

/** A custom section: its name and content. */
public final class CustomSection {
    private final String name;
    private final byte[] binary;
    private final int offset;
    private final int size;

    CustomSection(String name, byte[] binary, int offset, int size) {
        this.name = name;
        this.binary = binary;
        this.offset = offset;
        this.size = size;
    }

    /** @return the section's name, such as {@code name} or {@code .debug_line} */
    public String name() { return name; }

    /** @return the byte offset of the content (after the name) in the binary */
    public int offset() { return offset; }

    /** @return the content's length in bytes */
    public int size() { return size; }

    /** @return a copy of the content (after the name) */
    public byte[] bytes() { return Arrays.copyOfRange(binary, offset, offset + size); }

    @Override public String toString() { return "custom section " + name + " (" + size + " bytes at " + offset + ")"; }
}
