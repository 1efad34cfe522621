/*
 * A function the module calls but does not define: a hostcall. Guest code calls the
 * import's exit trampoline, which the module contains, so calls stay direct; the runtime
 * resolves the import by name when it instantiates the module.
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.ir.Signature;

/**
 * A function the module calls but does not define, a hostcall, which the runtime resolves by name
 * at instantiation; guest code calls its exit trampoline.
 */
public final class ImportInfo {
    public final int index;
    public final String name;
    public final Signature signature;
    /** Offset of the exit trampoline that guest code calls. */
    public final int trampoline;

    public ImportInfo(int index, String name, Signature signature, int trampoline) {
        this.index = index;
        this.name = name;
        this.signature = signature;
        this.trampoline = trampoline;
    }
}
