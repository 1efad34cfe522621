package dev.patchbay.wasm;

/**
 * A memory type.
 *
 * @param limits size limits in 64 KiB pages
 */
public record MemoryType(Limits limits) {}
