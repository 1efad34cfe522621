/*
 * The type of a block, loop or if: empty, one value type, or a type index (multi-value).
 * Exactly one form: typeIndex >= 0 for a type index (valueType null), else valueType (null
 * for the empty type).
 */
package dev.patchbay.wasm;

/**
 * A block type.
 *
 * @param valueType the single result type, or null
 * @param typeIndex a type index, or -1
 */
public record BlockType(ValType valueType, long typeIndex) {
    /** The empty block type, [] -> []. */
    public static final BlockType EMPTY = new BlockType(null, -1);
}
