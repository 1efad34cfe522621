/*
 * A module instantiated in a Store: the Store's private copy of the code, and its exported
 * functions by name.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.FunctionInfo;

public final class Instance {
    private final Store store;
    private final LoadedModule loaded;

    Instance(Store store, LoadedModule loaded) {
        this.store = store;
        this.loaded = loaded;
    }

    LoadedModule loaded() { return loaded; }

    public Store store() {
        store.checkOpen();
        return store;
    }

    public Module module() {
        store.checkOpen();
        return loaded.module();
    }

    /** Size in bytes of this instance's code. */
    public int codeSize() {
        store.checkOpen();
        return loaded.code().size();
    }

    /** A copy of this instance's code bytes as they are now (sites in their current form). */
    public byte[] codeBytes(int offset, int len) {
        store.checkOpen();
        return loaded.code().read(offset, len);
    }

    /** The function with this name; throws if there is none. */
    public Func func(String name) {
        store.checkOpen();
        if (name == null) throw new IllegalArgumentException("function name is null");
        FunctionInfo f = loaded.module().compiled().function(name);
        if (f == null) throw new IllegalArgumentException("no function %" + name + " in this module");
        return new Func(this, f);
    }
}
