/*
 * Problem: hand the later stages (validator, translator, linker) a decoded Wasm module they
 * can trust to be well-formed, without their ever touching bytes.
 *
 * Layout: one field per section, in the binary's terms. Index spaces (functions, tables,
 * memories, globals) are imports first, then definitions, as in the spec; the
 * *Count/*Type accessors below resolve an index over the whole space. functions() are the
 * defined functions with their code; their type indices come from the function section.
 * The binary is copied once at decode, and data segment bytes and function code are ranges
 * of that copy, so nothing the caller later does to its array changes the module.
 *
 * Invariants:
 * 1. Every instance is well-formed: decode() returns one or throws WasmDecodeException.
 *    It may still be invalid; validate() (Validator.validate) checks it or throws
 *    WasmValidationException. Nothing else escapes either for any byte string except
 *    IllegalArgumentException for null (WasmFuzzTest).
 * 2. Immutable: every list is unmodifiable, DataSegment.bytes() copies.
 */
package dev.patchbay.wasm;

import java.util.List;
import java.util.OptionalLong;

/** A decoded WebAssembly module. */
public final class WasmModule {
    final byte[] binary;
    private final List<FuncType> types;
    private final List<Import> imports;
    private final List<Long> functionTypeIndices;
    private final List<FunctionBody> functions;
    private final List<TableType> tables;
    private final List<MemoryType> memories;
    private final List<Global> globals;
    private final List<Export> exports;
    private final OptionalLong start;
    private final List<ElementSegment> elements;
    private final OptionalLong dataCount;
    private final List<DataSegment> data;
    private final Names names;
    private final List<CustomSection> customSections;
    private final int codeSectionOffset;
    private final int importedFunctions;
    private final int importedTables;
    private final int importedMemories;
    private final int importedGlobals;
    private final int startOffset;
    private final Import[][] byKind;

    WasmModule(byte[] binary, List<FuncType> types, List<Import> imports, List<Long> functionTypeIndices,
               List<FunctionBody> functions, List<TableType> tables, List<MemoryType> memories,
               List<Global> globals, List<Export> exports, OptionalLong start, int startOffset,
               List<ElementSegment> elements, OptionalLong dataCount, List<DataSegment> data, Names names,
               List<CustomSection> customSections, int codeSectionOffset) {
        this.binary = binary;
        this.types = List.copyOf(types);
        this.imports = List.copyOf(imports);
        this.functionTypeIndices = List.copyOf(functionTypeIndices);
        this.functions = List.copyOf(functions);
        this.tables = List.copyOf(tables);
        this.memories = List.copyOf(memories);
        this.globals = List.copyOf(globals);
        this.exports = List.copyOf(exports);
        this.start = start;
        this.startOffset = startOffset;
        this.elements = List.copyOf(elements);
        this.dataCount = dataCount;
        this.data = List.copyOf(data);
        this.names = names;
        this.customSections = List.copyOf(customSections);
        this.codeSectionOffset = codeSectionOffset;
        byKind = new Import[4][];
        for (ExternKind k : ExternKind.values()) {
            byKind[k.ordinal()] = this.imports.stream().filter(i -> i.kind() == k).toArray(Import[]::new);
        }
        importedFunctions = byKind[ExternKind.FUNC.ordinal()].length;
        importedTables = byKind[ExternKind.TABLE.ordinal()].length;
        importedMemories = byKind[ExternKind.MEMORY.ordinal()].length;
        importedGlobals = byKind[ExternKind.GLOBAL.ordinal()].length;
    }

    /**
     * Decodes a binary module. The array is copied; the caller may reuse it.
     *
     * @param binary the .wasm bytes
     * @return the well-formed module (not yet validated)
     * @throws WasmDecodeException if the bytes are not a well-formed Wasm 2.0 binary
     * @throws IllegalArgumentException if binary is null
     */
    public static WasmModule decode(byte[] binary) {
        if (binary == null) throw new IllegalArgumentException("binary is null");
        return new Decoder(binary.clone()).decode();
    }

    /**
     * Validates this module (Validator.validate).
     *
     * @return this module
     * @throws WasmValidationException if the module is invalid
     */
    public WasmModule validate() {
        Validator.validate(this);
        return this;
    }

    /** @return the type section */
    public List<FuncType> types() { return types; }
    /** @return the import section */
    public List<Import> imports() { return imports; }
    /** @return type indices of the defined functions (the function section) */
    public List<Long> functionTypeIndices() { return functionTypeIndices; }
    /** @return the defined functions with their code */
    public List<FunctionBody> functions() { return functions; }
    /** @return the defined tables */
    public List<TableType> tables() { return tables; }
    /** @return the defined memories */
    public List<MemoryType> memories() { return memories; }
    /** @return the defined globals */
    public List<Global> globals() { return globals; }
    /** @return the export section */
    public List<Export> exports() { return exports; }
    /** @return the start function's index, if any */
    public OptionalLong start() { return start; }
    int startOffset() { return startOffset; }
    /** @return the element segments */
    public List<ElementSegment> elements() { return elements; }
    /** @return the data count section's value, if present */
    public OptionalLong dataCount() { return dataCount; }
    /** @return the data segments */
    public List<DataSegment> data() { return data; }
    /** @return names from the name custom section */
    public Names names() { return names; }

    /** @return every custom section, the name section included, in binary order */
    public List<CustomSection> customSections() { return customSections; }

    /**
     * The first custom section with a name.
     *
     * @param name the section's name, such as {@code .debug_line}
     * @return the section, if the module has one
     */
    public java.util.Optional<CustomSection> customSection(String name) {
        for (CustomSection c : customSections) if (c.name().equals(name)) return java.util.Optional.of(c);
        return java.util.Optional.empty();
    }

    /**
     * Where the code section's content begins in the binary (just after its size, at the
     * function count). DWARF addresses in a Wasm module are offsets from here.
     *
     * @return the byte offset, or -1 if the module has no code section
     */
    public int codeSectionOffset() { return codeSectionOffset; }

    /** @return number of imported functions (defined ones follow in the index space) */
    public int importedFunctionCount() { return importedFunctions; }
    /** @return number of imported tables */
    public int importedTableCount() { return importedTables; }
    /** @return number of imported memories */
    public int importedMemoryCount() { return importedMemories; }
    /** @return number of imported globals */
    public int importedGlobalCount() { return importedGlobals; }

    /** @return size of the function index space */
    public long functionCount() { return importedFunctions + (long) functionTypeIndices.size(); }
    /** @return size of the table index space */
    public long tableCount() { return importedTables + (long) tables.size(); }
    /** @return size of the memory index space */
    public long memoryCount() { return importedMemories + (long) memories.size(); }
    /** @return size of the global index space */
    public long globalCount() { return importedGlobals + (long) globals.size(); }

    /**
     * @param index a function index
     * @return its type index, or -1 if there is no such function
     */
    public long functionTypeIndex(long index) {
        if (index < 0 || index >= functionCount()) return -1;
        if (index < importedFunctions) return nthImport(ExternKind.FUNC, (int) index).typeIndex();
        return functionTypeIndices.get((int) (index - importedFunctions));
    }

    /**
     * @param index a table index
     * @return its type, or null
     */
    public TableType tableType(long index) {
        if (index < 0 || index >= tableCount()) return null;
        if (index < importedTables) return nthImport(ExternKind.TABLE, (int) index).table();
        return tables.get((int) (index - importedTables));
    }

    /**
     * @param index a memory index
     * @return its type, or null
     */
    public MemoryType memoryType(long index) {
        if (index < 0 || index >= memoryCount()) return null;
        if (index < importedMemories) return nthImport(ExternKind.MEMORY, (int) index).memory();
        return memories.get((int) (index - importedMemories));
    }

    /**
     * @param index a global index
     * @return its type, or null
     */
    public GlobalType globalType(long index) {
        if (index < 0 || index >= globalCount()) return null;
        if (index < importedGlobals) return nthImport(ExternKind.GLOBAL, (int) index).global();
        return globals.get((int) (index - importedGlobals)).type();
    }

    private Import nthImport(ExternKind kind, int n) {
        return byKind[kind.ordinal()][n];
    }
}
