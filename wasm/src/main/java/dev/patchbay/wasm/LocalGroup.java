package dev.patchbay.wasm;

/**
 * A run of locals of one type, as the binary declares them.
 *
 * @param count how many (a u32)
 * @param type their type
 */
public record LocalGroup(long count, ValType type) {}
