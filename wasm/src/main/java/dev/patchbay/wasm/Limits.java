/*
 * Limits of a table (in elements) or memory (in 64 KiB pages); both bounds are u32 values.
 */
package dev.patchbay.wasm;

import java.util.OptionalLong;

/**
 * Limits.
 *
 * @param min the minimum, a u32
 * @param max the maximum, a u32, when present
 */
public record Limits(long min, OptionalLong max) {}
