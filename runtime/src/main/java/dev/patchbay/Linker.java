/*
 * Resolves a module's imports to Java hostcalls by name, then instantiates it. Like
 * Wasmtime's Linker, one Linker can define a host API once and instantiate many modules
 * in many Stores.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.ImportInfo;

import java.util.LinkedHashMap;
import java.util.Map;

public final class Linker {
    private final Map<String, Hostcall> defs = new LinkedHashMap<>();

    /** Defines the hostcall for imports named `name` (without the % sigil). */
    public Linker define(String name, Hostcall hostcall) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("hostcall name is empty");
        if (hostcall == null) throw new IllegalArgumentException("hostcall %" + name + " is null");
        if (defs.putIfAbsent(name, hostcall) != null) throw new IllegalArgumentException("hostcall %" + name + " is already defined");
        return this;
    }

    public Instance instantiate(Store store, Module module) {
        Hostcall[] resolved = new Hostcall[module.compiled().imports.size()];
        for (ImportInfo imp : module.compiled().imports) {
            Hostcall h = defs.get(imp.name);
            if (h == null) {
                throw new IllegalArgumentException("module imports %" + imp.name + imp.signature
                    + ", but the linker defines no hostcall by that name (defined: " + defs.keySet() + ")");
            }
            resolved[imp.index] = h;
        }
        return store.instantiate(module, resolved);
    }
}
