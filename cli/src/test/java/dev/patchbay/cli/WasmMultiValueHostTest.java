/*
 * Host functions with several results (Wasm 2.0 multi-value imports), end to end: a module
 * calls an import of eight mixed results (four integers, four floats, so two of each class
 * come back in registers and the rest through the caller's return area) in a loop, directly
 * and through call_indirect in a table, re-exports it, and a second module calls the
 * re-export in its own loop; every result is folded into a checksum the test recomputes in
 * Java from the same host function. f32 values cross both ways as exactly their 32 bits. A
 * definition of the wrong type fails instantiate naming the import and both types; a wrong
 * result count, an exception and a Trap thrown by such a host function reach the caller as
 * Traps with the guest frames that called it.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.GuestFrame;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmInstance;
import dev.patchbay.WasmLinkException;
import dev.patchbay.WasmLinker;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.wasm.FuncType;
import dev.patchbay.wasm.ValType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WasmMultiValueHostTest {
    private static final List<ValType> MV_PARAMS = List.of(ValType.I32, ValType.I64, ValType.F32);
    private static final List<ValType> MV_RESULTS = List.of(
        ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.I32, ValType.F32, ValType.I64, ValType.F64);
    private static final FuncType MV = new FuncType(MV_PARAMS, MV_RESULTS);
    private static final FuncType FAIL = new FuncType(List.of(ValType.I32), List.of(ValType.I32, ValType.F64, ValType.I64));

    private static final String MV_TYPE =
        "(type $mv (func (param i32 i64 f32) (result i32 i64 f32 f64 i32 f32 i64 f64)))";

    /** acc * 31 + v for each result, floats by their bits, i32 and f32 zero-extended. */
    private static final String FOLD = """
          (func $fold (param $acc i64) (param $v i64) (result i64)
            (i64.add (i64.mul (local.get $acc) (i64.const 31)) (local.get $v)))
          (func $acc8 (param $acc i64) (param $a i32) (param $b i64) (param $c f32) (param $d f64)
                      (param $e i32) (param $f f32) (param $g i64) (param $h f64) (result i64)
            (local.set $acc (call $fold (local.get $acc) (i64.extend_i32_u (local.get $a))))
            (local.set $acc (call $fold (local.get $acc) (local.get $b)))
            (local.set $acc (call $fold (local.get $acc) (i64.extend_i32_u (i32.reinterpret_f32 (local.get $c)))))
            (local.set $acc (call $fold (local.get $acc) (i64.reinterpret_f64 (local.get $d))))
            (local.set $acc (call $fold (local.get $acc) (i64.extend_i32_u (local.get $e))))
            (local.set $acc (call $fold (local.get $acc) (i64.extend_i32_u (i32.reinterpret_f32 (local.get $f)))))
            (local.set $acc (call $fold (local.get $acc) (local.get $g)))
            (call $fold (local.get $acc) (i64.reinterpret_f64 (local.get $h))))
        """;

    /** A loop of n calls of `call`, an expression of the loop's $i, folded into $acc. */
    private static String loop(String name, String call) {
        return """
              (func (export "%s") (param $n i32) (result i64)
                (local $i i32) (local $acc i64)
                (block $done
                  (loop $l
                    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                    (local.set $acc (call $acc8 (local.get $acc) %s))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $l)))
                (local.get $acc))
            """.formatted(name, call);
    }

    private static final String ARGS =
        "(local.get $i) (i64.mul (i64.extend_i32_s (local.get $i)) (i64.const -3)) (f32.convert_i32_s (local.get $i))";

    private static final String A = "(module\n" + MV_TYPE + """
          (import "env" "mv" (func $mv (type $mv)))
          (import "env" "fail" (func $fail (param i32) (result i32 f64 i64)))
          (table 1 funcref)
          (elem (i32.const 0) $mv)
          (export "mv" (func $mv))
        """ + FOLD
        + loop("direct", "(call $mv " + ARGS + ")")
        + loop("indirect", "(call_indirect (type $mv) " + ARGS + " (i32.const 0))")
        + """
          (func $inner (param i32) (result i32)
            (call $fail (local.get 0))
            (drop) (drop))
          (func (export "outer") (param i32) (result i32)
            (i32.add (call $inner (local.get 0)) (i32.const 1)))
          (func (export "negf") (result f32 i32 f32 f64) (f32.const -1.5) (i32.const -7) (f32.const -0x1p-149) (f64.const -2.5)))
        """;

    private static final String B = "(module\n" + MV_TYPE + """
          (import "a" "mv" (func $mv (type $mv)))
        """ + FOLD + loop("run", "(call $mv " + ARGS + ")") + ")";

    /** The host function: every result a different function of the arguments, negative floats included. */
    static long[] mv(long[] a) {
        if (a[2] >>> 32 != 0) throw new IllegalArgumentException("an f32 argument is not exactly its bits: 0x" + Long.toHexString(a[2]));
        int x = (int) a[0];
        long y = a[1];
        float z = Float.intBitsToFloat((int) a[2]);
        return new long[] {
            x + 1,
            y * 7 + 5,
            Float.floatToRawIntBits(-z * 0.5f - 1f) & 0xFFFFFFFFL,
            Double.doubleToRawLongBits(y + 0.25),
            x ^ 0x5a5a_5a5a,
            Float.floatToRawIntBits(-(float) x - 0.75f) & 0xFFFFFFFFL,
            y - x,
            Double.doubleToRawLongBits(-z * 3.0),
        };
    }

    /** What the modules' loops compute, in Java. */
    static long expected(int n) {
        long acc = 0;
        for (int i = 0; i < n; i++) {
            long[] r = mv(new long[] {i, i * -3L, Float.floatToRawIntBits((float) i) & 0xFFFFFFFFL});
            for (int k = 0; k < r.length; k++) {
                boolean narrow = MV_RESULTS.get(k) == ValType.I32 || MV_RESULTS.get(k) == ValType.F32;
                acc = acc * 31 + (narrow ? r[k] & 0xFFFFFFFFL : r[k]);
            }
        }
        return acc;
    }

    private static WasmLinker env(WasmFunction fail) {
        return new WasmLinker().define("env", "mv", WasmFunction.hostMultiValue(MV, WasmMultiValueHostTest::mv)).define("env", "fail", fail);
    }

    private static WasmFunction unusedFail() {
        return WasmFunction.hostMultiValue(FAIL, a -> {
            throw new AssertionError("not called");
        });
    }

    @Test
    void multiValueImportsRunInLoopsThroughTablesAndReExports() throws Exception {
        byte[] a = Wat.wasm(A), b = Wat.wasm(B);
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance ia = WasmInstance.instantiate(store, Module.fromWasm(engine, a), env(unusedFail()));
            for (int n : new int[] {0, 1, 1000}) {
                assertEquals(expected(n), ia.function("direct").call(n)[0], "direct calls, n = " + n);
                assertEquals(expected(n), ia.function("indirect").call(n)[0], "call_indirect, n = " + n);
            }
            // The re-export, called from Java: every result exactly as the host returned it
            // (an i32 sign-extended, as WasmFunction.call gives i32s; an f32 its 32 bits).
            long[] args = {-5, 1L << 40, Float.floatToRawIntBits(-2.5f) & 0xFFFFFFFFL};
            long[] want = mv(args);
            for (int k = 0; k < want.length; k++) if (MV_RESULTS.get(k) == ValType.I32) want[k] = (int) want[k];
            assertArrayEquals(want, ia.function("mv").call(args));

            WasmInstance ib = WasmInstance.instantiate(store, Module.fromWasm(engine, b), new WasmLinker().defineInstance("a", ia));
            assertEquals(expected(1000), ib.function("run").call(1000)[0], "another module calling the re-export");
        }
    }

    @Test
    void f32ResultsAreExactlyTheir32Bits() throws Exception {
        // Regression: Func.call sign-extended f32 results like i32s, so a negative f32 came
        // back as 0xffffffff_bfc00000 instead of its bits 0xbfc00000.
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance ia = WasmInstance.instantiate(store, Module.fromWasm(engine, Wat.wasm(A)), env(unusedFail()));
            long[] r = ia.function("negf").call();
            assertArrayEquals(new long[] {
                Float.floatToRawIntBits(-1.5f) & 0xFFFFFFFFL, -7, Float.floatToRawIntBits(-Float.MIN_VALUE) & 0xFFFFFFFFL,
                Double.doubleToRawLongBits(-2.5)}, r);
        }
    }

    @Test
    void aDefinitionOfTheWrongTypeFailsInstantiateNamingTheImportAndBothTypes() throws Exception {
        byte[] a = Wat.wasm(A);
        FuncType wrong = new FuncType(MV_PARAMS, MV_RESULTS.subList(0, 7));
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmLinker linker = new WasmLinker().define("env", "mv", WasmFunction.hostMultiValue(wrong, x -> new long[7]))
                .define("env", "fail", unusedFail());
            WasmLinkException e = assertThrows(WasmLinkException.class, () -> WasmInstance.instantiate(store, Module.fromWasm(engine, a), linker));
            String m = e.getMessage();
            assertTrue(m.startsWith("incompatible import type for \"env\" \"mv\""), m);
            assertTrue(m.contains(MV.toString()) && m.contains(wrong.toString()), m);
        }
        // A one-result host function cannot be given a multi-value type at all.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WasmFunction.host(MV, x -> 0));
        assertTrue(e.getMessage().contains("hostMultiValue"), e.getMessage());
    }

    @Test
    void aHostFunctionThatThrowsOrMiscountsTrapsWithTheGuestFramesThatCalledIt() throws Exception {
        byte[] a = Wat.wasm(A);
        AtomicInteger calls = new AtomicInteger();
        Trap hostTrap = new Trap(TrapCode.UNREACHABLE, List.of(), null);
        WasmFunction fail = WasmFunction.hostMultiValue(FAIL, x -> {
            calls.incrementAndGet();
            return switch ((int) x[0]) {
                case 0 -> new long[] {41, 0, 0};
                case 1 -> throw hostTrap;
                case 2 -> throw new IllegalStateException("host says no");
                default -> new long[] {1, 2};
            };
        });
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance ia = WasmInstance.instantiate(store, Module.fromWasm(engine, a), env(fail));
            WasmFunction outer = ia.function("outer");
            assertEquals(42, outer.call(0)[0]);

            Trap t = assertThrows(Trap.class, () -> outer.call(1));
            assertEquals(TrapCode.UNREACHABLE, t.code(), "the host's Trap keeps its code");
            assertSame(hostTrap, t.getCause());
            assertCalledFromTheGuest(t);

            t = assertThrows(Trap.class, () -> outer.call(2));
            assertEquals(TrapCode.HOST_ERROR, t.code());
            assertEquals("host says no", t.getCause().getMessage());
            assertCalledFromTheGuest(t);

            t = assertThrows(Trap.class, () -> outer.call(3));
            assertEquals(TrapCode.HOST_ERROR, t.code());
            IllegalStateException miscount = assertInstanceOf(IllegalStateException.class, t.getCause());
            assertTrue(miscount.getMessage().contains("\"env\" \"fail\"") && miscount.getMessage().contains("returned 2 values"),
                miscount.getMessage());
            assertCalledFromTheGuest(t);

            assertEquals(4, calls.get());
            assertEquals(42, outer.call(0)[0], "the Store runs on after its host function's traps");
        }
    }

    /** The import's wrapper, then $inner, then the export: the frames that called the host. */
    private static void assertCalledFromTheGuest(Trap t) {
        List<String> names = t.backtrace().stream().map(GuestFrame::function).toList();
        assertTrue(names.size() >= 3, t.formatBacktrace());
        assertEquals(List.of("f1_fail", "f6_inner", "f7"), names.subList(names.size() - 3, names.size()), t.formatBacktrace());
    }
}
