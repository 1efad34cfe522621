/*
 * Wasm guests end to end on the real runtime: interruption and deadlines stop a Wasm loop
 * with a Trap; the guard region turns every out-of-bounds access into heap_oob, as explicit
 * bounds checks do; memories of two instances and two Stores are isolated; a Store's Wasm
 * memory is released when it closes and when its Cleaner frees it; imports link by module
 * and name across instances (functions, memory, table, global), and an unknown import fails
 * naming itself; bulk memory works at offsets beyond 2 GiB.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochTicker;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WasmRuntimeTest {
    private static final String LOOP = """
        (module
          (func $spin (export "spin") (param i32) (result i32)
            (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $l))
            (local.get 0)))
        """;

    private static final String MEMORY = """
        (module
          (memory (export "mem") 1 40000)
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "load_far") (param i32) (result i32) (i32.load offset=0xffffffff (local.get 0)))
          (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))
        """;

    @Test
    void aWasmLoopIsStoppedByInterrupt() throws Exception {
        byte[] wasm = Wat.wasm(LOOP);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            WasmInstance inst = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm), new WasmLinker());
            AtomicReference<Object> got = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    got.set(inst.function("spin").call(0));
                } catch (Throwable t) {
                    got.set(t);
                }
            });
            guest.start();
            Thread.sleep(100);
            assertTrue(store.interrupt(), "a guest was running");
            guest.join(10_000);
            assertFalse(guest.isAlive(), "the guest stopped");
            Trap t = assertInstanceOf(Trap.class, got.get());
            assertEquals(TrapCode.INTERRUPT, t.code());
            assertTrue(t.backtrace().get(0).function().startsWith("f0"), t.formatBacktrace());
        }
    }

    @Test
    void epochAndProfileSitesComeOutAsForClif() throws Exception {
        byte[] wasm = Wat.wasm(LOOP);
        // The same shape in CLIF: a leaf with one loop that never exits.
        String clif = """
            function %spin(i64, i32) -> i32 {
            block0(v0: i64, v1: i32):
                jump block1(v1)
            block1(v2: i32):
                v3 = iadd_imm v2, 1
                jump block1(v3)
            }
            """;
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true).profiling(true))) {
            java.util.function.Function<dev.patchbay.codegen.machinst.CompiledModule, java.util.Map<dev.patchbay.codegen.instrument.SiteKind, Long>> count =
                c -> c.patchSites.stream().collect(java.util.stream.Collectors.groupingBy(p -> p.kind, java.util.stream.Collectors.counting()));
            var fromWasm = count.apply(Module.fromWasm(engine, wasm).compiled());
            var fromClif = count.apply(Module.fromClif(engine, "spin.clif", clif).compiled());
            assertEquals(fromClif, fromWasm);
            assertTrue(fromWasm.get(dev.patchbay.codegen.instrument.SiteKind.EPOCH) >= 1, fromWasm.toString());
        }
    }

    @Test
    void aWasmLoopIsStoppedByADeadline() throws Exception {
        byte[] wasm = Wat.wasm(LOOP);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1)); Store store = new Store(engine)) {
            WasmInstance inst = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm), new WasmLinker());
            store.setEpochDeadline(20);
            Trap t = assertThrows(Trap.class, () -> inst.function("spin").call(0));
            assertEquals(TrapCode.INTERRUPT, t.code());
            assertEquals("interrupted", WasmInstance.trapMessage(t));
        }
    }

    private static void outOfBounds(boolean boundsChecks) throws Exception {
        byte[] wasm = Wat.wasm(MEMORY);
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance inst = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm, boundsChecks), new WasmLinker());
            WasmFunction load = inst.function("load");
            inst.function("store").call(65532, 7);
            assertEquals(7, load.call(65532)[0]);
            for (long at : new long[] {65533, 65536, 1 << 20, 0xFFFFFFFFL}) {
                Trap t = assertThrows(Trap.class, () -> load.call(at), "load at " + at);
                assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, t.code());
            }
            // The farthest any access can reach: index and offset both 2^32 - 1.
            Trap far = assertThrows(Trap.class, () -> inst.function("load_far").call(0xFFFFFFFFL));
            assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, far.code());
            assertEquals(1, inst.function("grow").call(1)[0]);
            assertEquals(0, load.call(65536)[0], "grown memory is zeroed and accessible");
            assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, assertThrows(Trap.class, () -> load.call(2 * 65536)).code());
            assertEquals(2, inst.memory("mem").pages());
        }
    }

    @Test
    void theGuardRegionMakesOutOfBoundsAccessesHeapOobTraps() throws Exception {
        outOfBounds(false);
    }

    @Test
    void boundsChecksMakeTheSameTraps() throws Exception {
        outOfBounds(true);
    }

    @Test
    void memoriesOfInstancesAndStoresAreIsolated() throws Exception {
        byte[] wasm = Wat.wasm(MEMORY);
        try (Engine engine = new Engine(); Store s1 = new Store(engine); Store s2 = new Store(engine)) {
            Module m = Module.fromWasm(engine, wasm);
            WasmInstance a = WasmInstance.instantiate(s1, m, new WasmLinker());
            WasmInstance b = WasmInstance.instantiate(s1, m, new WasmLinker());
            WasmInstance c = WasmInstance.instantiate(s2, m, new WasmLinker());
            a.function("store").call(100, 11);
            b.function("store").call(100, 22);
            c.function("store").call(100, 33);
            assertEquals(11, a.function("load").call(100)[0]);
            assertEquals(22, b.function("load").call(100)[0]);
            assertEquals(33, c.function("load").call(100)[0]);
            assertArrayEquals(new byte[] {11, 0, 0, 0}, a.memory("mem").read(100, 4));
        }
    }

    private static long vmSizeKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmSize:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmSize");
    }

    @Test
    void wasmMemoryIsReleasedWhenTheStoreClosesOrIsCollected() throws Exception {
        byte[] wasm = Wat.wasm(MEMORY);
        long eightGiBKb = 8L << 20;
        try (Engine engine = new Engine()) {
            Module m = Module.fromWasm(engine, wasm);
            long before = vmSizeKb();
            Store[] stores = new Store[8];
            for (int i = 0; i < stores.length; i++) {
                stores[i] = new Store(engine);
                WasmInstance.instantiate(stores[i], m, new WasmLinker());
            }
            long during = vmSizeKb();
            assertTrue(during - before >= stores.length * eightGiBKb, "each memory reserves 8 GiB: " + (during - before) + " KiB");
            for (Store s : stores) s.close();
            assertTrue(vmSizeKb() - before < eightGiBKb, "close() released the reservations: " + (vmSizeKb() - before) + " KiB");

            long base = vmSizeKb();
            for (int i = 0; i < stores.length; i++) {
                Store s = new Store(engine);
                WasmInstance.instantiate(s, m, new WasmLinker());
            }
            assertTrue(vmSizeKb() - base >= stores.length * eightGiBKb);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (vmSizeKb() - base >= eightGiBKb && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(vmSizeKb() - base < eightGiBKb, "the Cleaner released the reservations of dropped Stores");
        }
    }

    @Test
    void importsLinkAcrossInstancesByModuleAndName() throws Exception {
        byte[] a = Wat.wasm("""
            (module
              (memory (export "mem") 1)
              (table (export "tab") 2 funcref)
              (global (export "g") (mut i32) (i32.const 5))
              (func $twice (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
              (elem (i32.const 0) $twice))
            """);
        byte[] b = Wat.wasm("""
            (module
              (import "a" "mem" (memory 1))
              (import "a" "tab" (table 2 funcref))
              (import "a" "g" (global $g (mut i32)))
              (import "a" "twice" (func $twice (param i32) (result i32)))
              (import "host" "add1" (func $add1 (param i32) (result i32)))
              (type $t (func (param i32) (result i32)))
              (func (export "run") (param i32) (result i32)
                (i32.store (i32.const 8) (call $twice (local.get 0)))
                (global.set $g (call $add1 (global.get $g)))
                (call_indirect (type $t) (i32.load (i32.const 8)) (i32.const 0))))
            """);
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance ia = WasmInstance.instantiate(store, Module.fromWasm(engine, a), new WasmLinker());
            WasmLinker linker = new WasmLinker().defineInstance("a", ia)
                .define("host", "add1", WasmFunction.host(new FuncType(List.of(ValType.I32), List.of(ValType.I32)), x -> x[0] + 1));
            WasmInstance ib = WasmInstance.instantiate(store, Module.fromWasm(engine, b), linker);
            assertEquals(12, ib.function("run").call(3)[0], "call_indirect through A's table into A's function");
            assertArrayEquals(new byte[] {6, 0, 0, 0}, ia.memory("mem").read(8, 4), "B wrote A's memory");
            assertEquals(6, ia.global("g").get(), "B set A's global through the host function");

            WasmLinkException e = assertThrows(WasmLinkException.class,
                () -> WasmInstance.instantiate(store, Module.fromWasm(engine, b), new WasmLinker().defineInstance("a", ia)));
            assertTrue(e.getMessage().contains("\"host\" \"add1\""), e.getMessage());
        }
    }

    @Test
    void compileDisassemblesWasmAndRunReportsBadModulesWithTheirOffset() throws Exception {
        Path dir = Files.createTempDirectory("patchbay-wasm-cli");
        Path good = Files.write(dir.resolve("loop.wasm"), Wat.wasm(LOOP));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            code = Main.execute("compile", "--disasm", good.toString());
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("f0_spin"), text);
        Path bad = Files.write(dir.resolve("bad.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 99});
        assertEquals(Main.EXIT_BAD_INPUT, Main.execute("compile", bad.toString()));
        assertEquals(Main.EXIT_BAD_INPUT, Main.execute("run", bad.toString(), "--invoke", "f()"));
        Files.delete(good);
        Files.delete(bad);
        Files.delete(dir);
    }

    @Test
    void bulkMemoryWorksBeyondTwoGiB() throws Exception {
        byte[] wasm = Wat.wasm(MEMORY);
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance inst = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm), new WasmLinker());
            assertEquals(1, inst.function("grow").call(32768)[0]);   // 32769 pages: just over 2 GiB
            long high = (1L << 31) + 100;
            inst.function("fill").call(high, 0x5a, 10);
            inst.function("copy").call(high + 5000, high, 10);
            assertEquals(0x5a5a5a5aL, inst.function("load").call(high + 5004)[0] & 0xFFFFFFFFL);
            assertEquals(0, inst.function("load").call(high + 5010)[0]);
            Trap t = assertThrows(Trap.class, () -> inst.function("copy").call(0, high, 32769L * 65536 - high + 1));
            assertEquals(TrapCode.HEAP_OUT_OF_BOUNDS, t.code(), "a builtin's trap carries the Wasm code");
        }
    }

    @Test
    void aTrapsFramesNameTheirWasmCodeOffsets() throws Exception {
        byte[] wasm = Wat.wasm("""
            (module
              (func $inner (param i32) (result i32)
                (if (i32.eqz (local.get 0)) (then unreachable))
                (local.get 0))
              (func (export "outer") (param i32) (result i32)
                (i32.add (call $inner (local.get 0)) (i32.const 1))))
            """);
        dev.patchbay.wasm.WasmModule decoded = dev.patchbay.wasm.WasmModule.decode(wasm);
        int unreachable = -1, call = -1;
        for (dev.patchbay.wasm.Instruction in : decoded.functions().get(0).instructions()) {
            if (in.op() == dev.patchbay.wasm.Op.UNREACHABLE) unreachable = in.offset();
        }
        for (dev.patchbay.wasm.Instruction in : decoded.functions().get(1).instructions()) {
            if (in.op() == dev.patchbay.wasm.Op.CALL) call = in.offset();
        }
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            WasmInstance inst = WasmInstance.instantiate(store, Module.fromWasm(engine, wasm), new WasmLinker());
            assertEquals(8, inst.function("outer").call(7)[0]);
            Trap t = assertThrows(Trap.class, () -> inst.function("outer").call(0));
            assertEquals(TrapCode.UNREACHABLE, t.code());
            // As Wasmtime's backtraces do: each frame's instruction by its offset in the binary.
            assertEquals("@0x" + Integer.toHexString(unreachable), t.backtrace().get(0).location(), t.formatBacktrace());
            assertEquals("@0x" + Integer.toHexString(call), t.backtrace().get(1).location(), t.formatBacktrace());
            assertTrue(t.formatBacktrace().contains("(@0x" + Integer.toHexString(unreachable) + ")"), t.formatBacktrace());
        }
    }
}
