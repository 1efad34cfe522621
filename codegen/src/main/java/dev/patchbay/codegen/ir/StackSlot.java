/*
 * An explicit stack slot (CLIF `ssN = explicit_slot SIZE, align = A`). The frame layout
 * assigns its offset; the IR only knows the size and alignment.
 */
package dev.patchbay.codegen.ir;

/**
 * An explicit stack slot ({@code ssN = explicit_slot SIZE, align = A}): its size and alignment; the
 * frame layout assigns its offset.
 */
public final class StackSlot {
    /** Size in bytes, at least 0. */
    public final int size;
    /** Alignment in bytes, a power of two. */
    public final int align;
    /** Where the slot is declared, or SourceLoc.NONE. */
    public final SourceLoc loc;

    /**
     * A stack slot with no source location.
     *
     * @param size its size in bytes, at least 0
     * @param align its alignment in bytes, a power of two
     * @throws IllegalArgumentException if either is out of range
     */
    public StackSlot(int size, int align) {
        this(size, align, SourceLoc.NONE);
    }

    /**
     * A stack slot.
     *
     * @param size its size in bytes, at least 0
     * @param align its alignment in bytes, a power of two
     * @param loc where it is declared; null means {@link SourceLoc#NONE}
     * @throws IllegalArgumentException if size or alignment is out of range
     */
    public StackSlot(int size, int align, SourceLoc loc) {
        if (size < 0) throw new IllegalArgumentException("stack slot size must be >= 0: " + size);
        if (align <= 0 || Integer.bitCount(align) != 1) {
            throw new IllegalArgumentException("stack slot alignment must be a power of two: " + align);
        }
        this.size = size;
        this.align = align;
        this.loc = loc == null ? SourceLoc.NONE : loc;
    }
}
