/*
 * What crosses the hostcall boundary besides integers: an f32 argument reaches a hostcall
 * as exactly its 32 bits and an f32 result comes back from Func.call the same way (both
 * used to be sign-extended like an i32, so a negative float had 32 set upper bits), and an
 * import with several results, which a Hostcall (one long) cannot serve, is refused when
 * the module is instantiated, naming it, instead of leaving its other results as whatever
 * the value buffer held.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostcallResultsTest {
    private static Module load(Engine engine, String clif) {
        return engine.load(Compiler.compile(ClifParser.parse("hostcall-results.clif", clif).functions(), CompileOptions.defaults()));
    }

    @Test
    void f32CrossesTheHostBoundaryAsExactlyItsBits() {
        String clif = String.join("\n",
            "function %guest(f32) -> f32 {",
            "    fn0 = %negate(f32) -> f32",
            "block0(v0: f32):",
            "    v1 = call fn0(v0)",
            "    v2 = fneg v1",
            "    return v2",
            "}");
        AtomicLong seen = new AtomicLong();
        Linker linker = new Linker().define("negate", (c, a) -> {
            seen.set(a[0]);
            return Float.floatToRawIntBits(-Float.intBitsToFloat((int) a[0]));
        });
        try (Engine engine = new Engine(new EngineConfig().noSiteController()); Store store = new Store(engine)) {
            Instance inst = linker.instantiate(store, load(engine, clif));
            long minus = Float.floatToRawIntBits(-3.5f) & 0xFFFFFFFFL;
            long r = inst.func("guest").call(minus)[0];
            assertEquals(minus, seen.get(), "the hostcall's f32 argument is its bits, zero-extended");
            assertEquals(minus, r, "the f32 result is its bits, zero-extended");
        }
    }

    @Test
    void anImportWithSeveralResultsIsRefusedAtInstantiateNamingIt() {
        String clif = String.join("\n",
            "function %guest() -> i64 {",
            "    fn0 = %pair() -> i64, i64",
            "block0:",
            "    v0, v1 = call fn0()",
            "    v2 = iadd v0, v1",
            "    return v2",
            "}");
        try (Engine engine = new Engine(new EngineConfig().noSiteController()); Store store = new Store(engine)) {
            Module m = load(engine, clif);
            Linker linker = new Linker().define("pair", (c, a) -> 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> linker.instantiate(store, m));
            assertTrue(e.getMessage().contains("%pair") && e.getMessage().contains("returns 2 values"), e.getMessage());
        }
    }
}
