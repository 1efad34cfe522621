/*
 * Resolves a module's imports to Java hostcalls by name, then instantiates it. Like
 * Wasmtime's Linker, one Linker can define a host API once and instantiate many modules
 * in many Stores.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.ImportInfo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves a module's imports to Java {@link Hostcall}s by name, then instantiates it. As
 * with Wasmtime's {@code Linker}, one Linker can define a host API once and instantiate
 * many modules in many Stores.
 *
 * <p>Not thread-safe while it is being defined; once defined, {@link #instantiate} may be
 * called from any thread (each Store's own rules apply).
 */
public final class Linker {
    private final Map<String, Hostcall> defs = new LinkedHashMap<>();

    /** A Linker that defines no hostcalls yet. */
    public Linker() {}

    /**
     * Defines the hostcall that imports of a name resolve to.
     *
     * @param name the import's name, without the {@code %} sigil
     * @param hostcall what a guest call of the import runs
     * @return this Linker
     * @throws IllegalArgumentException if name is empty, hostcall is null, or name is
     *         defined already
     */
    public Linker define(String name, Hostcall hostcall) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("hostcall name is empty");
        if (hostcall == null) throw new IllegalArgumentException("hostcall %" + name + " is null");
        if (defs.putIfAbsent(name, hostcall) != null) throw new IllegalArgumentException("hostcall %" + name + " is already defined");
        return this;
    }

    /**
     * Instantiates a module in a Store, each of its imports resolved to the hostcall of its
     * name. All or nothing, as {@link Store#instantiate}.
     *
     * @param store the Store
     * @param module a module of the Store's Engine
     * @return the new instance
     * @throws IllegalArgumentException if the module imports a name this Linker does not
     *         define (the message lists what it defines), or an import with more than one
     *         result (a {@link Hostcall} returns one), or as {@link Store#instantiate}
     * @throws IllegalStateException if the Store is closed, or another thread runs it
     */
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
