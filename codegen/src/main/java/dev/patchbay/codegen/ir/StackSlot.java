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
    public final int size;
    public final int align;
    /** Where the slot is declared, or SourceLoc.NONE. */
    public final SourceLoc loc;

    public StackSlot(int size, int align) {
        this(size, align, SourceLoc.NONE);
    }

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
