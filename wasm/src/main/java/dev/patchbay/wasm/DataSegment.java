/*
 * A data segment. The bytes stay in the module's binary (no copy at decode time); bytes()
 * returns a fresh copy.
 */
package dev.patchbay.wasm;

import java.util.Arrays;

/** A data segment: mode, memory, offset expression (ACTIVE) and bytes. */
public final class DataSegment {
    private final SegmentMode mode;
    private final long memoryIndex;
    private final ConstExpr offsetExpr;
    private final byte[] binary;
    private final int dataOffset;
    private final int dataLength;
    private final int offset;

    /**
     * @param mode ACTIVE or PASSIVE
     * @param memoryIndex the memory (ACTIVE)
     * @param offsetExpr the offset expression (ACTIVE), else null
     * @param binary the module binary the bytes lie in (not copied: the caller gives up ownership)
     * @param dataOffset where the bytes start in binary
     * @param dataLength how many bytes
     * @param offset byte offset of the segment
     */
    public DataSegment(SegmentMode mode, long memoryIndex, ConstExpr offsetExpr, byte[] binary,
                       int dataOffset, int dataLength, int offset) {
        this.mode = mode;
        this.memoryIndex = memoryIndex;
        this.offsetExpr = offsetExpr;
        this.binary = binary;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
        this.offset = offset;
    }

    /** @return active or passive */
    public SegmentMode mode() { return mode; }
    /** @return the memory index (ACTIVE) */
    public long memoryIndex() { return memoryIndex; }
    /** @return the offset expression (ACTIVE), else null */
    public ConstExpr offsetExpr() { return offsetExpr; }
    /** @return a copy of the bytes */
    public byte[] bytes() { return Arrays.copyOfRange(binary, dataOffset, dataOffset + dataLength); }
    /** @return the number of bytes */
    public int length() { return dataLength; }
    /** @return byte offset of the segment in the binary */
    public int offset() { return offset; }
}
