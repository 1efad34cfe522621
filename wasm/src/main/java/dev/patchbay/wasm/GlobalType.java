package dev.patchbay.wasm;

/**
 * A global type.
 *
 * @param type the value type
 * @param mutable whether global.set may write it
 */
public record GlobalType(ValType type, boolean mutable) {}
