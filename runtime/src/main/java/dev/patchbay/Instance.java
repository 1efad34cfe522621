/*
 * A module instantiated in a Store: the Store's private copy of the code, and its exported
 * functions by name.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.FunctionInfo;

/**
 * A module instantiated in a {@link Store}: the Store's private copy of the module's code,
 * whose sites that Store alone patches, and its functions by name.
 *
 * <p>Its methods follow the Store's rules: after the Store is closed each throws {@code
 * IllegalStateException("store is closed")}. Made by {@link Store#instantiate} or {@link
 * Linker#instantiate}.
 */
public final class Instance {
    private final Store store;
    private final LoadedModule loaded;

    Instance(Store store, LoadedModule loaded) {
        this.store = store;
        this.loaded = loaded;
    }

    LoadedModule loaded() { return loaded; }

    /**
     * The Store this instance belongs to.
     *
     * @return the Store
     * @throws IllegalStateException if the Store is closed
     */
    public Store store() {
        store.checkOpen();
        return store;
    }

    /**
     * The module this is an instance of.
     *
     * @return the module
     * @throws IllegalStateException if the Store is closed
     */
    public Module module() {
        store.checkOpen();
        return loaded.module();
    }

    /**
     * The size of this instance's code.
     *
     * @return the size in bytes
     * @throws IllegalStateException if the Store is closed
     */
    public int codeSize() {
        store.checkOpen();
        return loaded.code().size();
    }

    /**
     * A copy of some of this instance's code as it is now, with each site in its current
     * form (on, off, or armed with {@code int3}). For tests and disassemblers.
     *
     * @param offset the first byte, as an offset into the module's code
     * @param len how many bytes
     * @return a new array of len bytes
     * @throws IndexOutOfBoundsException if the range is not inside the code
     * @throws IllegalStateException if the Store is closed
     */
    public byte[] codeBytes(int offset, int len) {
        store.checkOpen();
        return loaded.code().read(offset, len);
    }

    /**
     * A function of this instance, to call.
     *
     * @param name the function's name, without the {@code %} sigil
     * @return the function
     * @throws IllegalArgumentException if name is null or the module has no such function
     * @throws IllegalStateException if the Store is closed
     */
    public Func func(String name) {
        store.checkOpen();
        if (name == null) throw new IllegalArgumentException("function name is null");
        FunctionInfo f = loaded.module().compiled().function(name);
        if (f == null) throw new IllegalArgumentException("no function %" + name + " in this module");
        return new Func(this, f);
    }
}
