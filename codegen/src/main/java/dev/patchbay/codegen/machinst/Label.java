// Problem: branches and RIP-relative operands often refer to code that has not been emitted yet, so
// the emitter needs a name for a position that is decided later.
// Approach: a Label is an identity handle minted by one CodeBuffer; the buffer records where it was
// bound and patches every use once that position is known. Labels are not shared between buffers.
package dev.patchbay.codegen.machinst;

/**
 * A name for a code position that is decided later, minted and resolved by one {@link CodeBuffer}.
 */
public final class Label {
    final CodeBuffer owner;
    private final int id;
    private int offset = -1;

    Label(CodeBuffer owner, int id) {
        this.owner = owner;
        this.id = id;
    }

    /**
     * Small dense number, unique within the owning buffer; used in diagnostics.
     *
     * @return the label's number, from 0
     */
    public int id() {
        return id;
    }

    /**
     * Bound code offset, or -1 while unbound.
     *
     * @return the offset in the owning buffer, or -1
     */
    public int offset() {
        return offset;
    }

    /**
     * Whether the label has a position yet.
     *
     * @return true once its buffer has bound it
     */
    public boolean isBound() {
        return offset >= 0;
    }

    void bindAt(int at) {
        offset = at;
    }

    @Override
    public String toString() {
        return isBound() ? "L" + id + "@" + offset : "L" + id;
    }
}
