/*
 * Native tools (perf, gdb) learn about guest code only if the runtime tells them
 * where each Store maps it: every Store has private copies of its modules' code, at
 * addresses of their own. This is the one hook the Store calls, when a module's code is
 * mapped into it and when that mapping goes away; the Engine holds one and closes it at
 * its own close.
 *
 * Invariants: mapped() is called once per code copy, after the bytes (relocations
 * applied) are in place and before any guest call can run them; unmapped() before the
 * mapping is released. Both may be called from any thread. NONE costs a virtual call.
 */
package dev.patchbay.internal.nativetools;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.internal.sys.CodeMemory;

/** What native tools hear about code a Store maps; {@link #NONE} when none is asked for. */
public interface NativeTools extends AutoCloseable {
    /** Nothing to tell. */
    NativeTools NONE = new NativeTools() {
        @Override public void mapped(CodeMemory code, CompiledModule module) {}
        @Override public void unmapped(CodeMemory code) {}
        @Override public void close() {}
    };

    /**
     * The tools in order, as one: mapped in order, unmapped and closed in reverse.
     *
     * @param tools the tools; none gives {@link #NONE}
     * @return the combination
     */
    static NativeTools all(java.util.List<NativeTools> tools) {
        if (tools.isEmpty()) return NONE;
        if (tools.size() == 1) return tools.get(0);
        java.util.List<NativeTools> ts = java.util.List.copyOf(tools);
        return new NativeTools() {
            @Override public void mapped(CodeMemory code, CompiledModule module) {
                for (NativeTools t : ts) t.mapped(code, module);
            }

            @Override public void unmapped(CodeMemory code) {
                for (int i = ts.size() - 1; i >= 0; i--) ts.get(i).unmapped(code);
            }

            @Override public void close() {
                for (int i = ts.size() - 1; i >= 0; i--) ts.get(i).close();
            }
        };
    }

    /**
     * {@code module}'s code is now in {@code code}, at offset 0.
     *
     * @param code the Store's copy
     * @param module what was copied
     */
    void mapped(CodeMemory code, CompiledModule module);

    /**
     * {@code code} is about to be unmapped.
     *
     * @param code the Store's copy
     */
    void unmapped(CodeMemory code);

    /** The Engine is closing: no more code will be mapped. */
    @Override void close();
}
