package dev.patchbay.wasm;

/**
 * A table type.
 *
 * @param elementType funcref or externref
 * @param limits size limits in elements
 */
public record TableType(ValType elementType, Limits limits) {}
