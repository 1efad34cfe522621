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
    /**
     * The import's number, its position in {@link CompiledModule#imports}; the exit trampoline
     * passes it to the hostcall dispatcher.
     */
    public final int index;
    /** The name the runtime resolves the import by, without the {@code %} sigil. */
    public final String name;
    /** The signature guest code calls it with. */
    public final Signature signature;
    /** Offset of the exit trampoline that guest code calls. */
    public final int trampoline;

    /**
     * An import.
     *
     * @param index its number
     * @param name its name
     * @param signature its signature
     * @param trampoline offset of its exit trampoline
     */
    public ImportInfo(int index, String name, Signature signature, int trampoline) {
        this.index = index;
        this.name = name;
        this.signature = signature;
        this.trampoline = trampoline;
    }
}
