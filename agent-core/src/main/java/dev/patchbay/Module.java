/*
 * An immutable compiled module, shared by every Store that instantiates it. Each Store
 * gets a private copy of the code (so patching one Store's sites never touches another's).
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.CompiledModule;

public final class Module {
    private final Engine engine;
    private final CompiledModule compiled;

    Module(Engine engine, CompiledModule compiled) {
        this.engine = engine;
        this.compiled = compiled;
    }

    public Engine engine() { return engine; }

    public CompiledModule compiled() { return compiled; }
}
