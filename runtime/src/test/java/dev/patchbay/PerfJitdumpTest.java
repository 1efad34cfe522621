package dev.patchbay;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.internal.nativetools.JitDump;
import dev.patchbay.internal.nativetools.PerfJitdump;
import dev.patchbay.internal.sys.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The jitdump file parsed back: header, one load per function of every Store's copy, the close. */
class PerfJitdumpTest {
    static final String CLIF = String.join("\n",
        "function %leaf(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 1",
        "    return v1",
        "}",
        "function %caller(i64) -> i64 {",
        "    fn0 = %leaf(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    return v1",
        "}");

    record Load(long timestamp, int pid, int tid, long vma, long addr, long index, String name, byte[] code) {}

    record Dump(int magic, int version, int headerSize, int mach, int pid, List<Load> loads, List<Integer> ids, int trailing) {}

    static Dump parse(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(), version = b.getInt(), size = b.getInt(), mach = b.getInt();
        b.getInt();
        int pid = b.getInt();
        b.position(size);
        List<Load> loads = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        long last = 0;
        while (b.remaining() >= 16) {
            int start = b.position();
            int id = b.getInt(), total = b.getInt();
            long ts = b.getLong();
            assertTrue(ts >= last, "timestamps never decrease");
            last = ts;
            ids.add(id);
            if (id == JitDump.JIT_CODE_LOAD) {
                int p = b.getInt(), tid = b.getInt();
                long vma = b.getLong(), addr = b.getLong(), codeSize = b.getLong(), index = b.getLong();
                int nameStart = b.position();
                while (b.get() != 0) { }
                String name = new String(b.array(), nameStart, b.position() - nameStart - 1, StandardCharsets.UTF_8);
                byte[] code = new byte[(int) codeSize];
                b.get(code);
                assertEquals(total, b.position() - start, "a load record's total_size covers its name and code");
                loads.add(new Load(ts, p, tid, vma, addr, index, name, code));
            }
            b.position(start + total);
        }
        return new Dump(magic, version, size, mach, pid, loads, ids, b.remaining());
    }

    @Test
    void everyFunctionOfEveryStoreIsRecordedAtItsOwnAddress(@TempDir Path dir) throws Exception {
        List<long[]> expected = new ArrayList<>(); // {address, length}
        List<byte[]> bytes = new ArrayList<>();
        CompiledModule cm;
        try (Engine engine = new Engine(new EngineConfig().perfJitdump(dir))) {
            Module m = Module.fromClif(engine, "t.clif", CLIF);
            cm = m.compiled();
            // Both open at once, so the copies cannot share an address (a closed Store's can be reused).
            try (Store s1 = new Store(engine); Store s2 = new Store(engine)) {
                for (Store store : List.of(s1, s2)) {
                    Instance inst = store.instantiate(m);
                    assertEquals(42, inst.func("caller").call(41)[0]);
                    long base = RuntimeInternals.codeAddress(inst);
                    for (String n : List.of("leaf", "caller")) {
                        FunctionInfo f = cm.function(n);
                        expected.add(new long[] {base + f.start, f.end - f.start});
                        byte[] live = new byte[f.end - f.start];
                        Native.copyToArray(base + f.start, live, 0, live.length);
                        bytes.add(live);
                    }
                }
            }
        }
        Dump d = parse(dir.resolve("jit-" + Native.getpid() + ".dump"));
        assertEquals(JitDump.MAGIC, d.magic());
        assertEquals(1, d.version());
        assertEquals(40, d.headerSize());
        assertEquals(62, d.mach());
        assertEquals(Native.getpid(), d.pid());
        assertEquals(0, d.trailing(), "nothing after the last whole record");
        assertEquals(JitDump.JIT_CODE_CLOSE, d.ids().get(d.ids().size() - 1), "the Engine's close ends the file");
        List<Load> fns = d.loads().stream().filter(l -> !l.name().equals(PerfJitdump.STUBS)).toList();
        assertEquals(4, fns.size(), "two functions in each of two Stores: " + fns);
        assertEquals(expectedNames(cm), fns.stream().map(Load::name).toList(), "each copy's functions in address order");
        for (Load l : fns) {
            int i = indexOf(expected, l.addr());
            assertTrue(i >= 0, l.name() + " at 0x" + Long.toHexString(l.addr()) + " is one of the Stores' functions");
            assertEquals(l.addr(), l.vma());
            assertEquals(expected.get(i)[1], l.code().length, l.name());
            assertArrayEquals(bytes.get(i), l.code(), "the record holds the code as the Store runs it: " + l.name());
            assertEquals(Native.getpid(), l.pid());
        }
        long[] indexes = d.loads().stream().mapToLong(Load::index).toArray();
        for (int i = 0; i < indexes.length; i++) assertEquals(i, indexes[i], "code_index counts the records");
        assertNotEquals(fns.get(0).addr(), fns.get(2).addr(), "each Store's copy has its own address");
        // Everything of each copy is named: the functions and the stub runs tile [0, codeSize).
        long perCopy = d.loads().stream().mapToLong(l -> l.code().length).sum();
        assertEquals(2L * cm.codeSize(), perCopy);
    }

    private static int indexOf(List<long[]> expected, long addr) {
        for (int i = 0; i < expected.size(); i++) if (expected.get(i)[0] == addr) return i;
        return -1;
    }

    private static List<String> expectedNames(CompiledModule cm) {
        List<FunctionInfo> byStart = new ArrayList<>(cm.functions);
        byStart.sort((a, b) -> Integer.compare(a.start, b.start));
        List<String> expect = new ArrayList<>();
        for (int s = 0; s < 2; s++) for (FunctionInfo f : byStart) expect.add(f.name);
        return expect;
    }

    @Test
    void engineConfigWithoutPerfWritesNothing(@TempDir Path dir) throws Exception {
        try (Engine engine = new Engine(new EngineConfig()); Store store = new Store(engine)) {
            store.instantiate(Module.fromClif(engine, "t.clif", CLIF));
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void twoEnginesShareOneFileAndTheLastCloseEndsIt(@TempDir Path dir) throws Exception {
        Engine a = new Engine(new EngineConfig().perfJitdump(dir));
        Engine b = new Engine(new EngineConfig().perfJitdump(dir));
        try (Store s = new Store(a)) { s.instantiate(Module.fromClif(a, "t.clif", CLIF)); }
        a.close();
        try (Store s = new Store(b)) { s.instantiate(Module.fromClif(b, "t.clif", CLIF)); }
        b.close();
        Dump d = parse(dir.resolve("jit-" + Native.getpid() + ".dump"));
        assertEquals(List.of(JitDump.JIT_CODE_CLOSE), d.ids().stream().filter(i -> i != JitDump.JIT_CODE_LOAD).toList(),
            "one close, at the end: " + d.ids());
        assertEquals(4, d.loads().stream().filter(l -> !l.name().equals(PerfJitdump.STUBS)).count());
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsAClearError(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Exception e = assertThrows(java.io.UncheckedIOException.class, () -> new Engine(new EngineConfig().perfJitdump(file.resolve("sub"))));
        assertTrue(e.getMessage().contains("jitdump"), e.getMessage());
    }
}
