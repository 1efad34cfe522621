package dev.patchbay.wasm;

/**
 * An export.
 *
 * @param name the export name (unique in a valid module)
 * @param kind what is exported
 * @param index the index in that kind's index space (imports first)
 * @param offset byte offset of the export entry
 */
public record Export(String name, ExternKind kind, long index, int offset) {}
