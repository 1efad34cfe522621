/*
 * The one statement of the native instance block that translated Wasm code reads through
 * its hidden leading i64 parameter, and of the records it points to. The runtime
 * (dev.patchbay.WasmInstance) writes exactly these offsets; the translator reads them.
 *
 * Invariants: every slot is 8 bytes and 8-aligned; the block holds only pointers and the
 * memory base, never values that move, so imported memories, tables, globals and functions
 * are shared by pointing at their owner's descriptor, cell or record. The memory base never
 * changes for the life of a memory (its reservation is fixed), so code may load it once per
 * call; a memory's length and a table's elements and size may change at any call and are
 * reloaded at each use.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.wasm.WasmModule;

/**
 * Offsets of the instance block (per module: they depend on its counts of tables, globals and
 * functions) and of the memory descriptor, table descriptor and function record layouts.
 */
public final class InstanceLayout {
    /** Instance block: the base address of memory 0 (0 when the module has no memory). */
    public static final int MEMORY_BASE = 0;
    /** Instance block: the address of memory 0's descriptor. */
    public static final int MEMORY_DESCRIPTOR = 8;
    private static final int TABLES = 16;

    /** Memory descriptor: the base address of the reservation. */
    public static final int MEMORY_DESC_BASE = 0;
    /** Memory descriptor: the accessible length in bytes (a multiple of 64 KiB). */
    public static final int MEMORY_DESC_LENGTH = 8;
    /** Size of a memory descriptor. */
    public static final int MEMORY_DESC_SIZE = 16;

    /** Table descriptor: the address of the element array (8 bytes per element). */
    public static final int TABLE_DESC_ELEMENTS = 0;
    /** Table descriptor: the number of elements. */
    public static final int TABLE_DESC_SIZE = 8;
    /** Size of a table descriptor. */
    public static final int TABLE_DESC_BYTES = 16;

    /** Function record (a funcref value points to one): the code address. */
    public static final int FUNC_CODE = 0;
    /** Function record: the instance block the code expects as its first argument. */
    public static final int FUNC_INSTANCE = 8;
    /** Function record: the canonical signature id ({@link SignatureIds}). */
    public static final int FUNC_SIGNATURE = 16;
    /** Size of a function record. */
    public static final int FUNC_RECORD_BYTES = 24;

    private final int tables;
    private final int globals;
    private final int functions;

    /**
     * The layout for one module.
     *
     * @param module the decoded module
     */
    public InstanceLayout(WasmModule module) {
        this.tables = (int) module.tableCount();
        this.globals = (int) module.globalCount();
        this.functions = (int) module.functionCount();
    }

    /**
     * @param table a table index
     * @return the offset of the pointer to its descriptor
     */
    public int tableDescriptor(int table) { return TABLES + 8 * table; }

    /**
     * @param global a global index
     * @return the offset of the pointer to its 8-byte cell
     */
    public int globalCell(int global) { return TABLES + 8 * tables + 8 * global; }

    /**
     * @param function a function index
     * @return the offset of the pointer to its function record
     */
    public int functionRecord(int function) { return TABLES + 8 * tables + 8 * globals + 8 * function; }

    /** @return the size of the instance block in bytes */
    public int size() { return TABLES + 8 * (tables + globals + functions); }
}
