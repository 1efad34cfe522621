/*
 * Problem: turn a byte[] into a well-formed WasmModule or a WasmDecodeException, and
 * nothing else, whatever the bytes are.
 *
 * Invariants:
 * 1. Sections are read through a Reader limited to the section's declared size, which was
 *    checked against the bytes left ("length out of bounds"); a section whose content does
 *    not end exactly at its size is "section size mismatch". Non-custom sections appear at
 *    most once, in the binary order (type, import, function, table, memory, global, export,
 *    start, element, data count, code, data); otherwise "unexpected content after last
 *    section"; an id above 12 is "malformed section id".
 * 2. Every count is checked against the bytes left before allocating (Reader.count), so
 *    the model's size is proportional to the input.
 * 3. Function bodies are decoded in full here (CodeReader.sequence, keeping nothing), so
 *    every code byte range in the model is well-formed. As in the reference interpreter,
 *    instructions are read up to the code section's end, not the body's, and a body whose
 *    instructions do not end exactly at its size is "section size mismatch".
 * 4. memory.init and data.drop in code need a data count section when the module has data
 *    segments ("data count section required"; without segments the validator reports the
 *    unknown data index, as the reference interpreter does). Cross-section counts: function and code sections agree ("function and code section
 *    have inconsistent lengths"); data count and data sections agree ("data count and data
 *    section have inconsistent lengths"); total locals fit a u32 ("too many locals").
 * 5. The name section is parsed leniently: a malformed one is dropped, never an error.
 * 6. Every custom section is kept as a byte range (CustomSection), unread: the DWARF
 *    sections clang -g emits are read on demand (dwarf.LineTable), so a module with
 *    malformed debug info decodes, validates and runs exactly as without it.
 */
package dev.patchbay.wasm;

import dev.patchbay.wasm.internal.CodeReader;
import dev.patchbay.wasm.internal.Reader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

final class Decoder {
    private final byte[] bytes;

    private final List<FuncType> types = new ArrayList<>();
    private final List<Import> imports = new ArrayList<>();
    private final List<Long> functionTypes = new ArrayList<>();
    private final List<FunctionBody> functions = new ArrayList<>();
    private final List<TableType> tables = new ArrayList<>();
    private final List<MemoryType> memories = new ArrayList<>();
    private final List<Global> globals = new ArrayList<>();
    private final List<Export> exports = new ArrayList<>();
    private OptionalLong start = OptionalLong.empty();
    private int startOffset;
    private final List<ElementSegment> elements = new ArrayList<>();
    private OptionalLong dataCount = OptionalLong.empty();
    private final List<DataSegment> data = new ArrayList<>();
    private Names names = Names.NONE;
    private final List<CustomSection> customSections = new ArrayList<>();
    private int codeSectionOffset = -1;
    private int firstDataIndexUse = -1;

    Decoder(byte[] bytes) { this.bytes = bytes; }

    private static WasmDecodeException error(int at, String message) { return Reader.error(at, message); }

    /** The order of each section id in the binary (custom sections, 0, go anywhere). */
    private static int order(int id) {
        return switch (id) {
            case 12 -> 10;
            case 10 -> 11;
            case 11 -> 12;
            default -> id;
        };
    }

    WasmModule decode() {
        Reader r = new Reader(bytes, 0, bytes.length, false);
        int magic = r.f32bits();
        if (magic != 0x6D736100) throw error(0, "magic header not detected");
        int version = r.f32bits();
        if (version != 1) throw error(4, "unknown binary version");
        int last = 0;
        while (!r.atEnd()) {
            int at = r.pos();
            int id = r.u8();
            if (id > 12) throw error(at, "malformed section id");
            long size = r.u32();
            if (size > r.remaining()) throw error(r.pos(), "length out of bounds");
            int begin = r.pos();
            int end = begin + (int) size;
            if (id != 0) {
                if (order(id) <= last) throw error(at, "unexpected content after last section");
                last = order(id);
            }
            Reader s = new Reader(bytes, begin, end, true);
            section(id, s);
            if (!s.atEnd()) throw error(s.pos(), "section size mismatch");
            r.seek(end);
        }
        if (functionTypes.size() != functions.size()) {
            throw error(bytes.length, "function and code section have inconsistent lengths");
        }
        if (dataCount.isEmpty() && firstDataIndexUse >= 0 && !data.isEmpty()) {
            throw error(firstDataIndexUse, "data count section required");
        }
        if (dataCount.isPresent() && dataCount.getAsLong() != data.size()) {
            throw error(bytes.length, "data count and data section have inconsistent lengths");
        }
        return new WasmModule(bytes, types, imports, functionTypes, functions, tables, memories, globals,
                exports, start, startOffset, elements, dataCount, data, names, customSections, codeSectionOffset);
    }

    private void section(int id, Reader s) {
        switch (id) {
            case 0 -> custom(s);
            case 1 -> { for (int n = s.count(); n > 0; n--) types.add(funcType(s)); }
            case 2 -> { for (int n = s.count(); n > 0; n--) imports.add(importEntry(s)); }
            case 3 -> { for (int n = s.count(); n > 0; n--) functionTypes.add(s.u32()); }
            case 4 -> { for (int n = s.count(); n > 0; n--) tables.add(tableType(s)); }
            case 5 -> { for (int n = s.count(); n > 0; n--) memories.add(new MemoryType(limits(s))); }
            case 6 -> {
                for (int n = s.count(); n > 0; n--) {
                    GlobalType t = globalType(s);
                    globals.add(new Global(t, constExpr(s)));
                }
            }
            case 7 -> {
                for (int n = s.count(); n > 0; n--) {
                    int at = s.pos();
                    String name = s.name();
                    int kat = s.pos();
                    int k = s.u8();
                    if (k > 3) throw error(kat, "malformed export kind");
                    exports.add(new Export(name, ExternKind.values()[k], s.u32(), at));
                }
            }
            case 8 -> {
                startOffset = s.pos();
                start = OptionalLong.of(s.u32());
            }
            case 9 -> { for (int n = s.count(); n > 0; n--) elements.add(element(s)); }
            case 12 -> dataCount = OptionalLong.of(s.u32());
            case 10 -> {
                codeSectionOffset = s.pos();
                code(s);
            }
            case 11 -> {
                for (int n = s.count(); n > 0; n--) data.add(dataSegment(s));
            }
            default -> throw new IllegalStateException("section id " + id);
        }
    }

    private void custom(Reader s) {
        String name = s.name();
        customSections.add(new CustomSection(name, bytes, s.pos(), s.limit() - s.pos()));
        if (name.equals("name")) {
            Reader copy = new Reader(bytes, s.pos(), s.limit(), true);
            try {
                names = nameSection(copy);
            } catch (WasmDecodeException e) {
                names = Names.NONE;
            }
        }
        s.seek(s.limit());
    }

    private static Names nameSection(Reader s) {
        Optional<String> module = Optional.empty();
        Map<Long, String> fns = new HashMap<>();
        Map<Long, Map<Long, String>> locals = new HashMap<>();
        while (!s.atEnd()) {
            int id = s.u8();
            long size = s.u32();
            int begin = s.skip(size);
            Reader sub = new Reader(s.bytes(), begin, begin + (int) size, true);
            if (id == 0) {
                module = Optional.of(sub.name());
            } else if (id == 1) {
                for (int n = sub.count(); n > 0; n--) {
                    long idx = sub.u32();
                    fns.put(idx, sub.name());
                }
            } else if (id == 2) {
                for (int n = sub.count(); n > 0; n--) {
                    Map<Long, String> names = locals.computeIfAbsent(sub.u32(), k -> new HashMap<>());
                    for (int k = sub.count(); k > 0; k--) {
                        long idx = sub.u32();
                        names.put(idx, sub.name());
                    }
                }
            }
        }
        return new Names(module, fns, locals);
    }

    private static FuncType funcType(Reader s) {
        int at = s.pos();
        if (s.s7() != -0x20) throw error(at, "integer representation too long");
        List<ValType> params = new ArrayList<>();
        for (int n = s.count(); n > 0; n--) params.add(CodeReader.valType(s));
        List<ValType> results = new ArrayList<>();
        for (int n = s.count(); n > 0; n--) results.add(CodeReader.valType(s));
        return new FuncType(params, results);
    }

    private static Limits limits(Reader s) {
        int at = s.pos();
        int flags = s.u1();
        long min = s.u32();
        OptionalLong max = flags == 1 ? OptionalLong.of(s.u32()) : OptionalLong.empty();
        return new Limits(min, max);
    }

    private static TableType tableType(Reader s) {
        ValType t = CodeReader.refType(s);
        return new TableType(t, limits(s));
    }

    private static GlobalType globalType(Reader s) {
        ValType t = CodeReader.valType(s);
        int at = s.pos();
        int m = s.u8();
        if (m > 1) throw error(at, "malformed mutability");
        return new GlobalType(t, m == 1);
    }

    private Import importEntry(Reader s) {
        int at = s.pos();
        String module = s.name();
        String name = s.name();
        int kat = s.pos();
        int k = s.u8();
        return switch (k) {
            case 0 -> new Import(module, name, ExternKind.FUNC, (int) Math.min(s.u32(), Integer.MAX_VALUE), null, null, null, at);
            case 1 -> new Import(module, name, ExternKind.TABLE, -1, tableType(s), null, null, at);
            case 2 -> new Import(module, name, ExternKind.MEMORY, -1, null, new MemoryType(limits(s)), null, at);
            case 3 -> new Import(module, name, ExternKind.GLOBAL, -1, null, null, globalType(s), at);
            default -> throw error(kat, "malformed import kind");
        };
    }

    private ConstExpr constExpr(Reader s) {
        int at = s.pos();
        List<Instruction> out = new ArrayList<>();
        new CodeReader(s).sequence(out);
        return new ConstExpr(out, at);
    }

    private static ConstExpr refFunc(int at, long index) {
        return new ConstExpr(List.of(
                new Instruction(Op.REF_FUNC, at, index, 0, null, List.of(), List.of()),
                new Instruction(Op.END, at, 0, 0, null, List.of(), List.of())), at);
    }

    private ElementSegment element(Reader s) {
        int at = s.pos();
        long flags = s.u32();
        if (flags > 7) throw error(at, "malformed elements segment kind");
        SegmentMode mode = (flags & 1) == 0 ? SegmentMode.ACTIVE
                : (flags & 2) == 0 ? SegmentMode.PASSIVE : SegmentMode.DECLARATIVE;
        long table = 0;
        ConstExpr offset = null;
        if (mode == SegmentMode.ACTIVE) {
            if ((flags & 2) != 0) table = s.u32();
            offset = constExpr(s);
        }
        boolean exprs = (flags & 4) != 0;
        ValType type = ValType.FUNCREF;
        if ((flags & 3) != 0) {
            if (exprs) {
                type = CodeReader.refType(s);
            } else {
                int kat = s.pos();
                if (s.u8() != 0) throw error(kat, "malformed element kind");
            }
        }
        List<ConstExpr> init = new ArrayList<>();
        for (int n = s.count(); n > 0; n--) {
            if (exprs) {
                init.add(constExpr(s));
            } else {
                int fat = s.pos();
                init.add(refFunc(fat, s.u32()));
            }
        }
        return new ElementSegment(mode, type, table, offset, init, at);
    }

    private DataSegment dataSegment(Reader s) {
        int at = s.pos();
        long flags = s.u32();
        if (flags > 2) throw error(at, "malformed data segment kind");
        long memory = 0;
        ConstExpr offset = null;
        SegmentMode mode = flags == 1 ? SegmentMode.PASSIVE : SegmentMode.ACTIVE;
        if (flags == 2) memory = s.u32();
        if (mode == SegmentMode.ACTIVE) offset = constExpr(s);
        long n = s.u32();
        int begin = s.skip(n);
        return new DataSegment(mode, memory, offset, bytes, begin, (int) n, at);
    }

    private void code(Reader s) {
        int count = s.count();
        if (count != functionTypes.size()) {
            throw error(s.pos(), "function and code section have inconsistent lengths");
        }
        for (int i = 0; i < count; i++) {
            long size = s.u32();
            if (size > s.remaining()) throw s.eof();
            int bodyStart = s.pos();
            int bodyEnd = bodyStart + (int) size;
            List<LocalGroup> locals = new ArrayList<>();
            long total = 0;
            for (int n = s.count(); n > 0; n--) {
                int lat = s.pos();
                long c = s.u32();
                ValType t = CodeReader.valType(s);
                total += c;
                if (total > 0xFFFFFFFFL) throw error(lat, "too many locals");
                locals.add(new LocalGroup(c, t));
            }
            int codeStart = s.pos();
            CodeReader cr = new CodeReader(s);
            cr.sequence(null);
            if (firstDataIndexUse < 0) firstDataIndexUse = cr.firstDataIndexUse();
            if (s.pos() != bodyEnd) throw error(s.pos(), "section size mismatch");
            functions.add(new FunctionBody(functionTypes.get(i), locals, total, bytes, bodyStart, codeStart,
                    bodyEnd));
        }
    }
}
