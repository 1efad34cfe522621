// Problem: a short (rel8) branch is chosen optimistically, and only later may it turn out that the
// target is more than a signed byte away; the caller must learn this precisely enough to retry.
// Approach: a dedicated unchecked exception carrying the label, the field position and the
// distance that did not fit, so a caller can catch exactly this case and re-emit with rel32.
package dev.patchbay.codegen.machinst;

/**
 * Thrown when a branch emitted in its short (rel8) form turns out to need a longer displacement,
 * with what the emitter needs to retry with rel32.
 */
public final class BranchRangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Id of the label the branch targets. */
    private final int labelId;
    /** Offset of the rel8 field. */
    private final int fieldOffset;
    /** The displacement that did not fit. */
    private final long distance;

    /**
     * Reports a rel8 field that cannot reach its label.
     *
     * @param labelId id of the target label
     * @param fieldOffset offset of the rel8 field
     * @param distance the displacement needed, outside -128..127
     */
    public BranchRangeException(int labelId, int fieldOffset, long distance) {
        super("rel8 displacement " + distance + " to label L" + labelId + " (field at offset " + fieldOffset
                + ") does not fit in a signed byte; use a near (rel32) form");
        this.labelId = labelId;
        this.fieldOffset = fieldOffset;
        this.distance = distance;
    }

    /**
     * The label the short branch targets.
     *
     * @return its id in the buffer
     */
    public int labelId() {
        return labelId;
    }

    /**
     * Offset of the rel8 field that could not hold the displacement.
     *
     * @return the field's offset in the buffer
     */
    public int fieldOffset() {
        return fieldOffset;
    }

    /**
     * The displacement (target minus end-of-field reference point) that was out of range.
     *
     * @return the displacement in bytes
     */
    public long distance() {
        return distance;
    }
}
