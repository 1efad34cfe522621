/*
 * A guest load or store through a bad pointer is a guest fault, not a JVM crash
 * (DESIGN.md invariant 8): the SIGSEGV handler recognises the PC as Patchbay code and the
 * guest unwinds with a heap_oob Trap and a backtrace. HotSpot's own faults (implicit
 * null checks) still reach HotSpot, before, during and after.
 */
package dev.patchbay.signal;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class GuestMemoryFaultTest {
    static final String CLIF = String.join("\n",
        "function %peek(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = load.i64 v0+8",
        "    return v1",
        "}",
        "function %poke(i64, i64) {",
        "block0(v0: i64, v1: i64):",
        "    store v1, v0",
        "    return",
        "}",
        "function %outer(i64) -> i64 {",
        "    fn0 = %peek(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}");

    static Object nothing() { return null; }

    @Test
    void badPointersTrapWithHeapOutOfBounds() {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(Compiler.compile(ClifParser.parse("mem.clif", CLIF).functions(),
                CompileOptions.defaults())));
            for (long bad : new long[] {0, 16, 0x7fff_ffff_0000L, -4096}) {
                Trap t = assertThrows(Trap.class, () -> inst.func("outer").call(bad));
                assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, t.code(), "address 0x" + Long.toHexString(bad));
                assertEquals("peek", t.backtrace().get(0).function(), t.formatBacktrace());
                assertEquals("outer", t.backtrace().get(1).function(), t.formatBacktrace());
                Trap s = assertThrows(Trap.class, () -> inst.func("poke").call(bad, 1));
                assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, s.code());
                // HotSpot's implicit null checks still work with our handler in front of them.
                Object o = nothing();
                assertThrows(NullPointerException.class, () -> o.hashCode());
            }
            // A good pointer still works, and the Store stays usable.
            long mem = dev.patchbay.internal.sys.Native.calloc(1, 64);
            try {
                dev.patchbay.internal.sys.Native.putLong(mem + 8, 41);
                assertEquals(42, inst.func("outer").call(mem)[0]);
            } finally {
                dev.patchbay.internal.sys.Native.free(mem);
            }
        }
    }
}
