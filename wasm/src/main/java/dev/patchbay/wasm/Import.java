/*
 * One import. Exactly one of the descriptors is set, by kind: typeIndex for FUNC (else -1),
 * table for TABLE, memory for MEMORY, global for GLOBAL (the others null).
 */
package dev.patchbay.wasm;

/**
 * An import.
 *
 * @param module the module name
 * @param name the field name
 * @param kind what is imported
 * @param typeIndex the function's type index (FUNC), else -1
 * @param table the table type (TABLE), else null
 * @param memory the memory type (MEMORY), else null
 * @param global the global type (GLOBAL), else null
 * @param offset byte offset of the import entry
 */
public record Import(String module, String name, ExternKind kind, int typeIndex,
                     TableType table, MemoryType memory, GlobalType global, int offset) {}
