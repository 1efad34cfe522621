package dev.patchbay;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.UnwindRange;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.internal.nativetools.GdbJitInterface;
import dev.patchbay.internal.sys.Native;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gdb's JIT interface without gdb: the descriptor's list gains one ELF object per code copy
 * and loses it when the Store closes; each object, parsed here and by readelf when it is
 * installed, has .text at the copy's address, a symbol per function and trampoline, and a
 * .debug_frame whose rows agree with the bytes of the prologues and epilogues. The real
 * gdb is run on a child JVM by the CLI's GdbJitCliTest.
 */
class GdbJitTest {
    static final String CLIF = PerfJitdumpTest.CLIF;

    /** The list as gdb would read it, decoded: each entry's object bytes. */
    static List<byte[]> objects() {
        List<byte[]> out = new ArrayList<>();
        for (long[] e : GdbJitInterface.get().entries()) {
            byte[] b = new byte[(int) e[1]];
            Native.copyToArray(e[0], b, 0, b.length);
            out.add(b);
        }
        return out;
    }

    record Section(String name, int type, long flags, long addr, long offset, long size, int link, int info) {}

    record Symbol(String name, int info, int shndx, long value, long size) {}

    record Elf(int type, int machine, Map<String, Section> sections, List<Symbol> symbols, byte[] bytes) {
        ByteBuffer data(String name) {
            Section s = sections.get(name);
            return ByteBuffer.wrap(bytes, (int) s.offset(), (int) s.size()).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    static String cstr(byte[] b, int at) {
        int end = at;
        while (b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    static Elf parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, b.getInt(0), "ELF magic");
        assertEquals(2, b.get(4), "ELFCLASS64");
        assertEquals(1, b.get(5), "little-endian");
        int type = b.getShort(16), machine = b.getShort(18);
        long shoff = b.getLong(40);
        int shentsize = b.getShort(58), shnum = b.getShort(60), shstrndx = b.getShort(62);
        assertEquals(64, shentsize);
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + 64L * i);
            raw.add(new long[] {b.getInt(at), b.getInt(at + 4), b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24),
                b.getLong(at + 32), b.getInt(at + 40), b.getInt(at + 44)});
        }
        long strOff = raw.get(shstrndx)[4];
        Map<String, Section> sections = new HashMap<>();
        List<Section> byIndex = new ArrayList<>();
        for (long[] r : raw) {
            Section s = new Section(cstr(bytes, (int) (strOff + r[0])), (int) r[1], r[2], r[3], r[4], r[5], (int) r[6], (int) r[7]);
            byIndex.add(s);
            if (!s.name().isEmpty()) sections.put(s.name(), s);
        }
        List<Symbol> symbols = new ArrayList<>();
        Section symtab = sections.containsKey(".symtab") ? sections.get(".symtab") : sections.get(".dynsym");
        if (symtab != null) {
            Section str = byIndex.get(symtab.link());
            for (long at = symtab.offset() + 24; at < symtab.offset() + symtab.size(); at += 24) {
                int a = (int) at;
                symbols.add(new Symbol(cstr(bytes, (int) (str.offset() + b.getInt(a))), b.get(a + 4), b.getShort(a + 6) & 0xffff,
                    b.getLong(a + 8), b.getLong(a + 16)));
            }
        }
        return new Elf(type, machine, sections, symbols, bytes);
    }

    @Test
    void everyCopyIsRegisteredAndAStoreCloseUnregistersIt() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().gdbJit(true))) {
            Module m = Module.fromClif(engine, "t.clif", CLIF);
            CompiledModule cm = m.compiled();
            int before = GdbJitInterface.get().entries().size();
            Store s1 = new Store(engine);
            Store s2 = new Store(engine);
            Instance i1 = s1.instantiate(m), i2 = s2.instantiate(m);
            assertEquals(42, i1.func("caller").call(41)[0]);
            List<byte[]> objs = objects();
            assertEquals(before + 2, objs.size(), "one object per code copy");
            long b1 = RuntimeInternals.codeAddress(i1), b2 = RuntimeInternals.codeAddress(i2);
            // The list is newest first: s2's copy, then s1's.
            assertEquals(b2, parse(objs.get(0)).sections().get(".text").addr());
            assertEquals(b1, parse(objs.get(1)).sections().get(".text").addr());
            assertArrayEquals(new int[] {1, GdbJitInterface.JIT_NOACTION}, GdbJitInterface.get().versionAndAction(),
                "version 1, and no action pending between calls");
            s1.close();
            objs = objects();
            assertEquals(before + 1, objs.size(), "closing a Store unregisters its copy");
            assertEquals(b2, parse(objs.get(0)).sections().get(".text").addr(), "and only its copy");
            s2.close();
            assertEquals(before, GdbJitInterface.get().entries().size());
            assertEquals(2, cm.functions.size());
        }
    }

    @Test
    void withoutGdbSupportNothingIsRegistered() throws Exception {
        int before = GdbJitInterface.get().entries().size();
        try (Engine engine = new Engine(new EngineConfig()); Store s = new Store(engine)) {
            s.instantiate(Module.fromClif(engine, "t.clif", CLIF));
            assertEquals(before, GdbJitInterface.get().entries().size());
        }
    }

    @Test
    void theObjectNamesEveryFunctionAndTrampolineAtTheCopysAddresses() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().gdbJit(true)); Store s = new Store(engine)) {
            Module m = Module.fromClif(engine, "t.clif", CLIF);
            CompiledModule cm = m.compiled();
            Instance inst = s.instantiate(m);
            long base = RuntimeInternals.codeAddress(inst);
            Elf elf = parse(objects().get(0));
            assertEquals(1, elf.type(), "ET_REL");
            assertEquals(62, elf.machine(), "EM_X86_64");
            Section text = elf.sections().get(".text");
            assertEquals(8, text.type(), "SHT_NOBITS: gdb reads the code from the process");
            assertEquals(6, text.flags(), "SHF_ALLOC | SHF_EXECINSTR");
            assertEquals(base, text.addr());
            assertEquals(cm.codeSize(), text.size());
            Map<String, Symbol> byName = new HashMap<>();
            for (Symbol sym : elf.symbols()) byName.put(sym.name(), sym);
            for (FunctionInfo f : cm.functions) {
                Symbol sym = byName.get(f.name);
                assertNotNull(sym, f.name);
                assertEquals(f.start, sym.value(), "values are offsets into .text, at sh_addr " + f.name);
                assertEquals(f.size(), sym.size());
                assertEquals(0x12, sym.info(), "STB_GLOBAL STT_FUNC");
            }
            assertTrue(byName.containsKey("patchbay:entry_trampoline"), byName.keySet().toString());
            assertTrue(byName.containsKey("patchbay:trap_stub"), byName.keySet().toString());
            assertTrue(byName.containsKey("patchbay:hook_trampoline:epoch"), byName.keySet().toString());
            // One FDE per range, in order, each at the copy's address of its range.
            List<long[]> fdes = fdes(elf.data(".debug_frame"));
            assertEquals(cm.unwind.size(), fdes.size());
            for (int i = 0; i < fdes.size(); i++) {
                assertEquals(base + cm.unwind.get(i).start, fdes.get(i)[0]);
                assertEquals(cm.unwind.get(i).end - cm.unwind.get(i).start, fdes.get(i)[1]);
            }
        }
    }

    /** {initial_location, address_range} of each FDE of a .debug_frame with one CIE at 0. */
    static List<long[]> fdes(ByteBuffer b) {
        List<long[]> out = new ArrayList<>();
        int at = 0;
        boolean first = true;
        while (at < b.limit()) {
            int len = b.getInt(at), id = b.getInt(at + 4);
            assertEquals(0, (len + 4) % 8, "entries are padded to 8 bytes");
            if (first) {
                assertEquals(0xffffffff, id, "the CIE first");
                first = false;
            } else {
                assertEquals(0, id, "every FDE points at the CIE at 0");
                out.add(new long[] {b.getLong(at + 8), b.getLong(at + 16)});
            }
            at += 4 + len;
        }
        assertEquals(b.limit(), at);
        return out;
    }

    /**
     * The rows say what the code does: a function's first row is CFA = RSP + 8; the row
     * after its first byte follows `push rbp` (0x55); the RBP-based row follows `mov rbp,
     * rsp`; every RSP + 8 row after the start follows `pop rbp` (0x5d) and starts at a
     * `ret` (0xc3), and every `pop rbp; ret` pair the rows do not cover would be a frame
     * left undescribed.
     */
    @Test
    void theRowsMatchThePrologueAndEveryEpilogue() throws Exception {
        String clif = String.join("\n",
            "function %twoReturns(i64) -> i64 {",
            "block0(v0: i64):",
            "    brif v0, block1, block2",
            "block1:",
            "    v1 = iadd_imm v0, 7",
            "    return v1",
            "block2:",
            "    v2 = iconst.i64 9",
            "    return v2",
            "}",
            CLIF);
        {
            // Every site kind in the default (fused) epoch mode: stubs and islands after the
            // code are in the function's range too.
            CompiledModule cm = dev.patchbay.codegen.Compiler.compile(
                dev.patchbay.codegen.clif.ClifParser.parse("t.clif", clif).functions(),
                dev.patchbay.codegen.CompileOptions.builder().plan(dev.patchbay.codegen.instrument.InstrumentationPlan.all()).build());
            byte[] code = cm.code();
            int epilogues = 0;
            for (UnwindRange u : cm.unwind) {
                if (u.kind != UnwindRange.Kind.FUNCTION) continue;
                FunctionInfo f = cm.function(u.name);
                assertEquals(f.start, u.start);
                assertEquals(f.end, u.end);
                List<UnwindRange.Row> rows = u.rows;
                assertEquals(new UnwindRange.Row(u.start, false, 8, 0), rows.get(0));
                assertEquals(new UnwindRange.Row(u.start + 1, false, 16, -16), rows.get(1));
                assertEquals(0x55, code[u.start] & 0xff, "push rbp");
                assertEquals(new UnwindRange.Row(u.start + 4, true, 16, -16), rows.get(2));
                assertArrayEquals(new byte[] {0x48, (byte) 0x89, (byte) 0xe5}, java.util.Arrays.copyOfRange(code, u.start + 1, u.start + 4), "mov rbp, rsp");
                for (int i = 3; i < rows.size(); i++) {
                    UnwindRange.Row r = rows.get(i);
                    if (!r.cfaFromRbp()) {
                        assertEquals(new UnwindRange.Row(r.offset(), false, 8, 0), r);
                        assertEquals(0x5d, code[r.offset() - 1] & 0xff, u.name + ": pop rbp before " + r.offset());
                        assertEquals(0xc3, code[r.offset()] & 0xff, u.name + ": ret at " + r.offset());
                        epilogues++;
                        if (i + 1 < rows.size()) {
                            assertEquals(new UnwindRange.Row(r.offset() + 1, true, 16, -16), rows.get(i + 1), "back in the frame after the ret");
                        }
                    }
                }
            }
            assertEquals(4, epilogues, "twoReturns has two epilogues, leaf and caller one each");
            // Ranges do not overlap and cover every function.
            int prev = 0;
            for (UnwindRange u : cm.unwind) {
                assertTrue(u.start >= prev, u.toString());
                prev = u.end;
            }
            assertEquals(3, cm.unwind.stream().filter(u -> u.kind == UnwindRange.Kind.FUNCTION).count());
        }
    }

    static Path tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) return p;
        }
        String why = name + " is not on PATH (Debian package binutils)";
        System.out.println("SKIPPED: " + why);
        Assumptions.abort(why);
        return null;
    }

    static String run(Path dir, String... cmd) throws Exception {
        Path log = dir.resolve("out-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** readelf reads the object: its symbols at their addresses and the CFA rules decoded. */
    @Test
    void readelfDecodesTheObjectAndItsCallFrames(@TempDir Path dir) throws Exception {
        Path readelf = tool("readelf");
        try (Engine engine = new Engine(new EngineConfig().gdbJit(true)); Store s = new Store(engine)) {
            Module m = Module.fromClif(engine, "t.clif", CLIF);
            CompiledModule cm = m.compiled();
            long base = RuntimeInternals.codeAddress(s.instantiate(m));
            Path obj = Files.write(dir.resolve("copy.o"), objects().get(0));
            String syms = run(dir, readelf.toString(), "-W", "-s", obj.toString());
            for (FunctionInfo f : cm.functions) {
                Matcher mt = Pattern.compile("([0-9a-f]{16})\\s+" + f.size() + "\\s+FUNC\\s+GLOBAL\\s+DEFAULT\\s+1\\s+" + f.name + "$",
                    Pattern.MULTILINE).matcher(syms);
                assertTrue(mt.find(), f.name + " in\n" + syms);
                assertEquals(f.start, Long.parseUnsignedLong(mt.group(1), 16));
            }
            String frames = run(dir, readelf.toString(), "-W", "--debug-dump=frames-interp", obj.toString());
            assertFalse(frames.contains("Warning") || frames.contains("warning"), frames);
            // Each function's table: rsp+8, rsp+16 (rbp at cfa-16), then rbp+16 from the fourth byte on.
            for (FunctionInfo f : cm.functions) {
                String start = String.format("%016x", base + f.start);
                assertTrue(frames.contains("pc=" + start + ".." + String.format("%016x", base + f.end)), start + " in\n" + frames);
                String after = frames.substring(frames.indexOf("pc=" + start));
                List<String> rows = after.lines().skip(2).limit(3).toList();
                assertTrue(rows.get(0).matches(start + "\\s+rsp\\+8\\s+s\\s+c-8\\s*"), rows.toString());
                assertTrue(rows.get(1).matches(String.format("%016x", base + f.start + 1) + "\\s+rsp\\+16\\s+c-16\\s+c-8\\s*"), rows.toString());
                assertTrue(rows.get(2).matches(String.format("%016x", base + f.start + 4) + "\\s+rbp\\+16\\s+c-16\\s+c-8\\s*"), rows.toString());
            }
        }
    }

    /** The shared object exports the two symbols gdb looks up, and the descriptor starts at version 1. */
    @Test
    void theShimExportsTheTwoSymbolsGdbLooksFor(@TempDir Path dir) throws Exception {
        GdbJitInterface jit = GdbJitInterface.get();
        Elf so = parse(Files.readAllBytes(jit.file()));
        assertEquals(3, so.type(), "ET_DYN");
        Map<String, Symbol> byName = new HashMap<>();
        for (Symbol sym : so.symbols()) byName.put(sym.name(), sym);
        assertEquals(0x12, byName.get(GdbJitInterface.REGISTER_CODE).info(), "a global function");
        assertEquals(0x11, byName.get(GdbJitInterface.DESCRIPTOR).info(), "a global object");
        assertEquals(GdbJitInterface.DESCRIPTOR_SIZE, byName.get(GdbJitInterface.DESCRIPTOR).size());
        assertEquals(1, jit.versionAndAction()[0]);
        assertEquals(0xc3, Native.getByte(jit.registerCode()) & 0xff, "the function is a ret");
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(jit.file().getParent()),
            "a private directory: " + Files.getPosixFilePermissions(jit.file().getParent()));
        if (tool("readelf") != null) {
            String dyn = run(dir, "readelf", "-W", "--dyn-syms", "-d", "-l", jit.file().toString());
            assertTrue(dyn.contains(GdbJitInterface.REGISTER_CODE) && dyn.contains(GdbJitInterface.DESCRIPTOR), dyn);
            assertTrue(dyn.contains("GNU_STACK") && dyn.matches("(?s).*GNU_STACK(\\s+0x0+){5}\\s+RW .*"), "a non-executable stack:\n" + dyn);
        }
    }
}
