/*
 * The shared, thread-safe entry point: it holds configuration and turns compiled code into
 * immutable Modules. Engines are cheap; Stores hold the per-execution state.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.internal.sys.Native;

public final class Engine {
    public Engine() {
        Native.checkPlatform();
    }

    /** Wraps compiled code as an immutable module image that any Store can instantiate. */
    public Module load(CompiledModule compiled) {
        if (compiled == null) throw new IllegalArgumentException("compiled module is null");
        return new Module(this, compiled);
    }
}
