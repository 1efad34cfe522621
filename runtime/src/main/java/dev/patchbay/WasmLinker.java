/*
 * Resolves a Wasm module's imports by module and name to functions, memories, tables and
 * globals, as Wasmtime's Linker does: host definitions, or a whole instance's exports under
 * a module name (the spec scripts' `register`). Type checking happens at instantiation,
 * where the import's declared type is known (WasmInstance).
 */
package dev.patchbay;

import java.util.HashMap;
import java.util.Map;

/** Definitions of Wasm imports by module and name. Not thread-safe while being defined. */
public final class WasmLinker {
    private final Map<String, Object> defs = new HashMap<>();

    /** A linker with no definitions. */
    public WasmLinker() {}

    private static String key(String module, String name) { return module + '\u0000' + name; }

    private WasmLinker put(String module, String name, Object extern) {
        if (module == null || name == null || extern == null) throw new IllegalArgumentException("module, name and definition must not be null");
        defs.put(key(module, name), extern);
        return this;
    }

    /**
     * Defines a function import; a later definition of the same name replaces it.
     *
     * @param module the import's module name
     * @param name the import's name
     * @param function a host function or another instance's export
     * @return this linker
     */
    public WasmLinker define(String module, String name, WasmFunction function) { return put(module, name, function); }

    /**
     * Defines a memory import.
     *
     * @param module the import's module name
     * @param name the import's name
     * @param memory the memory
     * @return this linker
     */
    public WasmLinker define(String module, String name, WasmMemory memory) { return put(module, name, memory); }

    /**
     * Defines a table import.
     *
     * @param module the import's module name
     * @param name the import's name
     * @param table the table
     * @return this linker
     */
    public WasmLinker define(String module, String name, WasmTable table) { return put(module, name, table); }

    /**
     * Defines a global import.
     *
     * @param module the import's module name
     * @param name the import's name
     * @param global the global
     * @return this linker
     */
    public WasmLinker define(String module, String name, WasmGlobal global) { return put(module, name, global); }

    /**
     * Defines every export of an instance under a module name.
     *
     * @param module the module name importers use
     * @param instance the instance
     * @return this linker
     */
    public WasmLinker defineInstance(String module, WasmInstance instance) {
        for (Map.Entry<String, Object> e : instance.exports().entrySet()) put(module, e.getKey(), e.getValue());
        return this;
    }

    Object get(String module, String name) { return defs.get(key(module, name)); }
}
