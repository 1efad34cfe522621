/*
 * An element segment. Function-index encodings (flags 0-3) are stored as ref.func
 * constant expressions, so init is uniform; tableIndex and offsetExpr are meaningful only for
 * ACTIVE segments (tableIndex 0 and offsetExpr null otherwise).
 */
package dev.patchbay.wasm;

import java.util.List;

/**
 * An element segment.
 *
 * @param mode active, passive or declarative
 * @param type funcref or externref
 * @param tableIndex the table (ACTIVE)
 * @param offsetExpr the offset expression (ACTIVE), else null
 * @param init the element initializers
 * @param offset byte offset of the segment
 */
public record ElementSegment(SegmentMode mode, ValType type, long tableIndex, ConstExpr offsetExpr,
                             List<ConstExpr> init, int offset) {
    /** Copies the list. */
    public ElementSegment { init = List.copyOf(init); }
}
