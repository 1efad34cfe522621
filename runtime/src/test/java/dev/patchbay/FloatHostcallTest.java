/*
 * Floats cross the host boundary as their bits: a hostcall with f64 and f32 parameters
 * (eleven of them, so some come on the stack, among integer ones) receives them through
 * the exit trampoline's argument buffer, and its f64 result reaches the guest in xmm0;
 * a Java call of a guest function passes and returns floats the same way.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FloatHostcallTest {
    static final String CLIF = String.join("\n",
        "function %guest(f64, f32) -> f64 {",
        "    fn0 = %host_mix(f64, i64, f32, f64, f64, f64, f64, f64, f64, f64, i64, f64) -> f64",
        "block0(v0: f64, v1: f32):",
        "    v2 = iconst.i64 7",
        "    v3 = f64const 0x1.0p1",
        "    v4 = iconst.i64 -3",
        "    v5 = call fn0(v0, v2, v1, v3, v3, v3, v3, v3, v3, v3, v4, v0)",
        "    v6 = f64const 0x1.0p-1",
        "    v7 = fmul v5, v6",
        "    return v7",
        "}");

    @Test
    void hostcallsTakeAndReturnFloatBits() {
        AtomicReference<long[]> seen = new AtomicReference<>();
        Linker linker = new Linker().define("host_mix", (c, a) -> {
            seen.set(a.clone());
            double sum = 0;
            for (int i : new int[] {0, 3, 4, 5, 6, 7, 8, 9, 11}) sum += Double.longBitsToDouble(a[i]);
            sum += Float.intBitsToFloat((int) a[2]) + a[1] + a[10];
            return Double.doubleToRawLongBits(sum);
        });
        try (Engine engine = new Engine(new EngineConfig().noSiteController()); Store store = new Store(engine)) {
            Instance inst = linker.instantiate(store, engine.load(Compiler.compile(
                ClifParser.parse("float-host.clif", CLIF).functions(), CompileOptions.defaults())));
            long x = Double.doubleToRawLongBits(1.5);
            long y = Float.floatToRawIntBits(0.25f);
            long[] got = inst.func("guest").call(x, y);
            // 1.5 + 7 + 0.25 + 7 * 2.0 - 3 + 1.5 = 21.25, halved by the guest.
            assertEquals(Double.doubleToRawLongBits(10.625), got[0]);
            long[] a = seen.get();
            assertEquals(x, a[0]);
            assertEquals(7, a[1]);
            assertEquals(y, Float.floatToRawIntBits(Float.intBitsToFloat((int) a[2])));
            assertArrayEquals(new long[] {-3, x}, new long[] {a[10], a[11]});
        }
    }
}
