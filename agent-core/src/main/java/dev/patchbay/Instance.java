/*
 * A module instantiated in a Store: the Store's private copy of the code, and its exported
 * functions by name.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.internal.sys.CodeMemory;

public final class Instance {
    private final Store store;
    private final Module module;
    private final CodeMemory code;
    private final Hostcall[] imports;

    Instance(Store store, Module module, CodeMemory code, Hostcall[] imports) {
        this.store = store;
        this.module = module;
        this.code = code;
        this.imports = imports.clone();
    }

    Hostcall hostcall(int index) { return imports[index]; }

    public Store store() { return store; }

    public Module module() { return module; }

    CodeMemory code() { return code; }

    /**
     * Address of this instance's executable code (the RX view), for native hooks that map a
     * return address back to a site, as the profiler's do. Module offsets are relative to it.
     */
    public long codeAddress() {
        store.checkOpen();
        return code.execBase();
    }

    /** Size in bytes of this instance's code. */
    public int codeSize() { return code.size(); }

    /** A copy of this instance's code bytes as they are now (sites in their current form). */
    public byte[] codeBytes(int offset, int len) {
        store.checkOpen();
        return code.read(offset, len);
    }

    /** The function with this name; throws if there is none. */
    public Func func(String name) {
        FunctionInfo f = module.compiled().function(name);
        if (f == null) throw new IllegalArgumentException("no function %" + name + " in this module");
        return new Func(this, f);
    }
}
