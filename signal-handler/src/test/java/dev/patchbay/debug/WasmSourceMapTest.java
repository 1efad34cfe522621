/*
 * Breakpoints at C lines of a Wasm module built with clang -g (lines.c, DWARF 4: the
 * wasm module's test resource, copied here), with the real SIGTRAP handler: a C line
 * resolves to the functions and Wasm offsets where its statements begin, the guest stops
 * there, and the stop's frames map back to the C file and line, the caller's too (the line
 * of its call). A module without debug info has an empty map.
 */
package dev.patchbay.debug;

import dev.patchbay.Engine;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmInstance;
import dev.patchbay.WasmLinker;
import dev.patchbay.wasm.WasmModule;
import dev.patchbay.wasm.dwarf.LineRow;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WasmSourceMapTest {
    static byte[] linesWasm() throws IOException {
        try (InputStream in = WasmSourceMapTest.class.getResourceAsStream("/dwarf/lines-v4.wasm")) {
            assertNotNull(in);
            return in.readAllBytes();
        }
    }

    /** lines.c's run(n), in Java: sum(n) - sum(n / 2), unsigned 32-bit. */
    static int run(int n) {
        return sum(n) - sum(Integer.divideUnsigned(n, 2));
    }

    private static int sum(int n) {
        int total = 0;
        for (int i = 0; Integer.compareUnsigned(i, n) < 0; i++) {
            int x = i ^ (i >>> 7);
            total += x * (int) 2654435761L;
        }
        return total;
    }

    record Stop(List<String> sources, List<String> described) {}

    private static List<Stop> runWithBreaks(byte[] wasm, WasmSourceMap map, int n, List<Location> at, long[] result) {
        List<Stop> stops = new ArrayList<>();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmFunction f = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm), new WasmLinker()).function("run");
            Debugger dbg = store.debugger();
            BreakpointEdit edit = dbg.edit();
            for (Location l : at) edit.add(l);
            edit.apply();
            dbg.onStop(e -> {
                List<String> src = new ArrayList<>();
                List<String> text = new ArrayList<>();
                for (StackFrame fr : e.frames()) {
                    src.add(map.sourceOf(fr).map(LineRow::shortText).orElse("?"));
                    text.add(map.describe(fr));
                }
                stops.add(new Stop(src, text));
                return DebugAction.CONTINUE;
            });
            result[0] = f.call(n)[0];
        }
        return stops;
    }

    @Test
    void aCLineStopsThereAndTheFramesMapBackToIt() throws IOException {
        byte[] wasm = linesWasm();
        WasmSourceMap map = WasmSourceMap.of(WasmModule.decode(wasm));
        assertTrue(map.hasDebugInfo());
        // lines.c:18 is "unsigned b = sum(n / 2);", in run.
        WasmSourceMap.SourceLine l18 = map.locations("lines.c", 18);
        assertEquals(18, l18.line());
        assertFalse(l18.locations().isEmpty());
        for (Location l : l18.locations()) assertTrue(l.function().endsWith("_run"), l.toString());
        long[] r = new long[1];
        List<Stop> stops = runWithBreaks(wasm, map, 10, l18.locations(), r);
        assertEquals(run(10), (int) r[0], "the guest's result with the breakpoint");
        assertEquals(1, stops.size(), "run reaches line 18 once: " + stops);
        assertEquals("lines.c:18", stops.get(0).sources().get(0));
        assertTrue(stops.get(0).described().get(0).matches("%f\\d+_run\\+0x[0-9a-f]+ @0x[0-9a-f]+ lines\\.c:18"), stops.get(0).described().get(0));
    }

    @Test
    void aLineInAnInlinedHeaderFunctionStopsInTheCallerWithItsCallLine() throws IOException {
        byte[] wasm = linesWasm();
        WasmSourceMap map = WasmSourceMap.of(WasmModule.decode(wasm));
        // lines.h:3, "x ^= x >> 7;", inlined into sum's loop; sum is called from lines.c:17 and 18.
        WasmSourceMap.SourceLine l3 = map.locations("lines.h", 3);
        for (Location l : l3.locations()) assertTrue(l.function().endsWith("_sum"), l.toString());
        long[] r = new long[1];
        List<Stop> stops = runWithBreaks(wasm, map, 8, l3.locations(), r);
        assertEquals(run(8), (int) r[0]);
        assertFalse(stops.isEmpty());
        List<String> callers = new ArrayList<>();
        for (Stop s : stops) {
            assertEquals("lines.h:3", s.sources().get(0), s.toString());
            assertEquals(2, s.sources().size(), "sum, called by run: " + s);
            if (!callers.contains(s.sources().get(1))) callers.add(s.sources().get(1));
        }
        assertEquals(List.of("lines.c:17", "lines.c:18"), callers, "the caller's frame is at the line of its call");
    }

    /**
     * Wasm locals at stops in sum's loop (lines.h:3, inlined): clang -O2 made local0 the loop
     * counter i, local2 the running total and local3 the unrolled loop's bound (n & ~3), so
     * at each stop the total is sum over j < i, computed here, and the bound is n's.
     */
    @Test
    void wasmLocalsAtAStopAreTheProgramsValues() throws IOException {
        byte[] wasm = linesWasm();
        List<List<Variable>> seen = new ArrayList<>();
        List<String> where = new ArrayList<>();
        long result;
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Module module = Module.fromWasm(engine, wasm);
            WasmSourceMap map = WasmSourceMap.of(module);
            WasmFunction f = WasmInstance.instantiate(store, module, new WasmLinker()).function("run");
            Debugger dbg = store.debugger();
            BreakpointEdit edit = dbg.edit();
            for (Location l : map.locations("lines.h", 3).locations()) edit.add(l);
            for (Location l : map.locations("lines.c", 18).locations()) edit.add(l);
            edit.apply();
            dbg.onStop(e -> {
                seen.add(map.locals(e, 0));
                where.add(map.sourceOf(e.frames().get(0)).map(LineRow::shortText).orElse("?")
                    + " from " + (e.frames().size() > 1 ? map.sourceOf(e.frames().get(1)).map(LineRow::shortText).orElse("?") : "-"));
                return DebugAction.CONTINUE;
            });
            result = f.call(10)[0];
        }
        assertEquals(run(10), (int) result);
        int inSum = 0;
        boolean sawRun = false;
        for (int i = 0; i < seen.size(); i++) {
            List<Variable> l = seen.get(i);
            String at = where.get(i) + " " + l;
            if (where.get(i).startsWith("lines.c:18")) {
                assertEquals("local0", l.get(0).name(), at);
                assertTrue(l.get(0).available(), at);
                assertEquals(10, l.get(0).value(), "run's n: " + at);
                sawRun = true;
                continue;
            }
            int n = where.get(i).endsWith("lines.c:17") ? 10 : 5;
            assertEquals(5, l.size(), "sum's parameter and four locals: " + at);
            // The counter and the running total are read on in both loops, so they are there;
            // a local the code no longer reads (the unrolled loop's bound, once in the
            // remainder loop) has no value kept (lowering drops dead block parameters,
            // invariant 39) and must say so rather than show a stale one.
            for (int k : new int[] {0, 2}) assertTrue(l.get(k).available(), "live in the loop: " + at);
            for (Variable v : l) assertTrue(v.available() || v.where().equals("optimized out"), "honestly labelled: " + at);
            int counter = (int) l.get(0).value();
            assertTrue(counter >= 0 && counter < n, at);
            assertEquals(sum(counter), (int) l.get(2).value(), "the running total of the first " + counter + " terms: " + at);
            if (l.get(3).available()) assertEquals(n & ~3, (int) l.get(3).value(), "the unrolled loop's bound: " + at);
            if (counter < (n & ~3)) assertTrue(l.get(3).available(), "the bound, read by the unrolled loop: " + at);
            inSum++;
        }
        assertTrue(sawRun, "stopped in run at line 18: " + where);
        assertTrue(inSum >= 4, "stops in both calls of sum: " + where);
    }

    @Test
    void aMapWithoutTheTranslationShowsNoLocals() throws IOException {
        byte[] wasm = linesWasm();
        WasmSourceMap map = WasmSourceMap.of(WasmModule.decode(wasm));
        List<List<Variable>> seen = new ArrayList<>();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmFunction f = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm), new WasmLinker()).function("run");
            store.debugger().edit().add(map.locations("lines.c", 18).locations().get(0)).apply();
            store.debugger().onStop(e -> {
                seen.add(map.locals(e, 0));
                return DebugAction.CONTINUE;
            });
            f.call(10);
        }
        assertEquals(List.of(List.of()), seen);
    }

    @Test
    void aBlankLineSlidesToTheNextLineWithCode() throws IOException {
        WasmSourceMap map = WasmSourceMap.of(WasmModule.decode(linesWasm()));
        assertEquals(10, map.locations("lines.c", 9).line());
        assertEquals(map.locations("lines.c", 10).locations(), map.locations("lines.c", 9).locations());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.locations("nope.c", 3));
        assertTrue(e.getMessage().contains("no source file nope.c"), e.getMessage());
    }

    @Test
    void aWasmOffsetIsALocationInTheFunctionThatHoldsIt() throws IOException {
        WasmModule m = WasmModule.decode(linesWasm());
        WasmSourceMap map = WasmSourceMap.of(m);
        var f = m.functions().get(0);
        Location at = map.location(f.codeOffset() + 1).orElseThrow();
        assertEquals(f.codeOffset() + 1, at.line());
        assertEquals(f.codeOffset(), map.location(f.bodyOffset()).orElseThrow().line(), "before the first instruction is the first instruction");
        assertTrue(map.location(3).isEmpty(), "the header is no function's");
    }

    @Test
    void aModuleWithoutDebugInfoHasAnEmptyMap() {
        byte[] bin = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b};
        WasmSourceMap map = WasmSourceMap.of(WasmModule.decode(bin));
        assertFalse(map.hasDebugInfo());
        assertTrue(map.sourceAt(21).isEmpty());
        assertTrue(map.sourceOf(new StackFrame("f0", 0, 21, 0)).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.locations("demo.c", 1));
        assertTrue(e.getMessage().contains("build it with -g"), e.getMessage());
    }
}
