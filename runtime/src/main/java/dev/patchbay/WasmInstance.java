/*
 * Instantiates a translated Wasm module in a Store: resolves and type-checks its imports,
 * loads its code (each Store has its own copy), builds the native instance block that the
 * code reads (InstanceLayout), creates its memories, tables, globals and function records,
 * applies element and data segments in order and runs the start function.
 *
 * Invariants:
 *  - The instance block, function records, memories, tables and global cells are native
 *    memory released with the Store (StoreCore.releaseOnFree), by close() or its Cleaner.
 *  - A function record's signature id is SignatureIds.of its type, the same constant
 *    call_indirect compares with, so a cross-module call_indirect checks types structurally.
 *  - Imports link by module and name; a missing one or one of the wrong kind or type fails
 *    before anything is allocated, and the message names it.
 *  - Segment and start traps surface as a Trap from instantiate; what earlier segments wrote
 *    stays written, as the spec requires.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.wasm.ConstExpr;
import dev.patchbay.wasm.DataSegment;
import dev.patchbay.wasm.ElementSegment;
import dev.patchbay.wasm.Export;
import dev.patchbay.wasm.FuncType;
import dev.patchbay.wasm.Global;
import dev.patchbay.wasm.Import;
import dev.patchbay.wasm.Instruction;
import dev.patchbay.wasm.Limits;
import dev.patchbay.wasm.MemoryType;
import dev.patchbay.wasm.SegmentMode;
import dev.patchbay.wasm.TableType;
import dev.patchbay.wasm.WasmModule;
import dev.patchbay.wasm.translate.Builtin;
import dev.patchbay.wasm.translate.InstanceLayout;
import dev.patchbay.wasm.translate.SignatureIds;
import dev.patchbay.wasm.translate.TranslatedModule;
import dev.patchbay.wasm.translate.WasmTraps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An instance of a WebAssembly module in a {@link Store}, with its exports. */
public final class WasmInstance {
    private final Store store;
    private final Map<String, Object> exports = new LinkedHashMap<>();
    private final WasmBuiltins state;
    /** Set once instantiate has the code instantiated; never changes after. */
    private Instance instance;

    private WasmInstance(Store store, int dataCount, int elementCount) {
        this.store = store;
        this.state = new WasmBuiltins(dataCount, elementCount);
    }

    /**
     * Instantiates a Wasm module.
     *
     * @param store the Store to instantiate in; everything the instance allocates is freed with it
     * @param module a module from {@link Module#fromWasm}
     * @param linker the definitions of its imports
     * @return the instance, its start function run
     * @throws WasmLinkException if an import is unknown or has the wrong kind or type
     * @throws Trap if a segment does not fit or the start function traps
     * @throws IllegalArgumentException if the module is not a Wasm module of the Store's Engine
     * @throws IllegalStateException if the Store is closed, or another thread runs it
     */
    public static WasmInstance instantiate(Store store, Module module, WasmLinker linker) {
        if (store == null || module == null || linker == null) throw new IllegalArgumentException("store, module and linker must not be null");
        store.checkOpen();
        TranslatedModule t = module.wasm();
        if (t == null) throw new IllegalArgumentException("not a Wasm module: use Store.instantiate or a Linker");
        WasmModule m = t.module();
        Object[] resolved = resolve(store, m, linker);
        WasmInstance wi = new WasmInstance(store, m.data().size(), m.elements().size());
        wi.build(module, t, resolved);
        return wi;
    }

    // ---- imports ----

    private static Object[] resolve(Store store, WasmModule m, WasmLinker linker) {
        Object[] out = new Object[m.imports().size()];
        for (int i = 0; i < out.length; i++) {
            Import imp = m.imports().get(i);
            Object def = linker.get(imp.module(), imp.name());
            String who = "\"" + imp.module() + "\" \"" + imp.name() + "\"";
            if (def == null) throw new WasmLinkException("unknown import " + who);
            boolean ok;
            switch (imp.kind()) {
                case FUNC -> {
                    FuncType want = m.types().get(imp.typeIndex());
                    if (def instanceof WasmFunction f && !f.type().equals(want)) {
                        // The spec's wording first (spec scripts match it), then both types.
                        throw new WasmLinkException("incompatible import type for " + who + ": the module imports a function of type "
                            + want + ", but the definition's type is " + f.type());
                    }
                    if (def instanceof WasmFunction f && f.store() != null && f.store() != store) {
                        throw new WasmLinkException("incompatible import type for " + who + ": the function belongs to another Store");
                    }
                    ok = def instanceof WasmFunction;
                }
                case MEMORY -> ok = def instanceof WasmMemory mem && mem.store() == store
                    && limitsMatch(mem.pages(), mem.declaredMax().isPresent() ? mem.declaredMax().getAsLong() : -1, imp.memory().limits());
                case TABLE -> ok = def instanceof WasmTable tb && tb.store() == store && tb.elementType() == imp.table().elementType()
                    && limitsMatch(tb.size(), tb.declaredMax().isPresent() ? tb.declaredMax().getAsLong() : -1, imp.table().limits());
                case GLOBAL -> ok = def instanceof WasmGlobal g && g.store() == store && g.type().equals(imp.global());
                default -> ok = false;
            }
            if (!ok) throw new WasmLinkException("incompatible import type for " + who);
            out[i] = def;
        }
        return out;
    }

    private static boolean limitsMatch(long size, long max, Limits want) {
        if (size < want.min()) return false;
        if (want.max().isEmpty()) return true;
        return max >= 0 && max <= want.max().getAsLong();
    }

    // ---- building ----

    private void build(Module module, TranslatedModule t, Object[] resolved) {
        WasmModule m = t.module();
        InstanceLayout layout = t.layout();
        List<Import> funcImports = new ArrayList<>();
        List<Object> funcDefs = new ArrayList<>();
        List<Object> memDefs = new ArrayList<>(), tableDefs = new ArrayList<>(), globalDefs = new ArrayList<>();
        for (int i = 0; i < resolved.length; i++) {
            switch (m.imports().get(i).kind()) {
                case FUNC -> { funcImports.add(m.imports().get(i)); funcDefs.add(resolved[i]); }
                case MEMORY -> memDefs.add(resolved[i]);
                case TABLE -> tableDefs.add(resolved[i]);
                case GLOBAL -> globalDefs.add(resolved[i]);
                default -> { }
            }
        }
        // The hostcalls: each import wrapper's, and the builtins.
        Hostcall[] hostcalls = new Hostcall[module.compiled().imports.size()];
        for (ImportInfo imp : module.compiled().imports) {
            Builtin bi = Builtin.byName(imp.name);
            if (bi != null) {
                hostcalls[imp.index] = state.hostcall(bi);
            } else {
                int fi = Integer.parseInt(imp.name.substring(TranslatedModule.IMPORT_PREFIX.length()));
                WasmFunction f = (WasmFunction) funcDefs.get(fi);
                hostcalls[imp.index] = hostImport(f, funcImports.get(fi));
            }
        }
        Instance inst = store.instantiate(module, hostcalls);
        this.instance = inst;
        long code = inst.loaded().code().execBase();

        int nf = (int) m.functionCount();
        long block = Native.calloc(1, layout.size());
        long records = Native.calloc(Math.max(1, nf), InstanceLayout.FUNC_RECORD_BYTES);
        store.core().releaseOnFree(() -> {
            Native.free(block);
            Native.free(records);
        });

        // Memory.
        if (m.memoryCount() > 0) {
            if (!memDefs.isEmpty()) {
                state.memory = (WasmMemory) memDefs.get(0);
            } else {
                MemoryType mt = m.memories().get(0);
                state.memory = WasmMemory.create(store, mt.limits().min(), mt.limits().max());
            }
            Native.putLong(block + InstanceLayout.MEMORY_BASE, state.memory.base());
            Native.putLong(block + InstanceLayout.MEMORY_DESCRIPTOR, state.memory.descriptor());
        }
        // Tables.
        for (Object o : tableDefs) state.tables.add((WasmTable) o);
        for (TableType tt : m.tables()) state.tables.add(WasmTable.create(store, tt.elementType(), tt.limits().min(), tt.limits().max()));
        for (int i = 0; i < state.tables.size(); i++) Native.putLong(block + layout.tableDescriptor(i), state.tables.get(i).descriptor());

        // Function records and the host-visible functions.
        WasmFunction[] functions = new WasmFunction[nf];
        long[] recordOf = new long[nf];
        for (int i = 0; i < nf; i++) {
            FuncType ft = m.types().get((int) m.functionTypeIndex(i));
            Object def = i < funcDefs.size() ? funcDefs.get(i) : null;
            if (def instanceof WasmFunction f && !f.isHost()) {
                functions[i] = f;
                recordOf[i] = f.record();
            } else {
                long rec = records + (long) i * InstanceLayout.FUNC_RECORD_BYTES;
                FunctionInfo info = module.compiled().function(t.functionName(i));
                Native.putLong(rec + InstanceLayout.FUNC_CODE, code + info.start);
                Native.putLong(rec + InstanceLayout.FUNC_INSTANCE, block);
                Native.putLong(rec + InstanceLayout.FUNC_SIGNATURE, SignatureIds.of(ft));
                recordOf[i] = rec;
                functions[i] = new WasmFunction(store, ft, inst.func(info.name), block, rec);
            }
            Native.putLong(block + layout.functionRecord(i), recordOf[i]);
        }

        // Globals: imported cells, then defined ones (their initializers see imported globals and functions).
        List<WasmGlobal> globals = new ArrayList<>();
        for (Object o : globalDefs) globals.add((WasmGlobal) o);
        for (Global g : m.globals()) globals.add(new WasmGlobal(store, g.type(), eval(g.init(), globals, recordOf)));
        for (int i = 0; i < globals.size(); i++) Native.putLong(block + layout.globalCell(i), globals.get(i).cell());

        for (Export e : m.exports()) {
            Object v = switch (e.kind()) {
                case FUNC -> functions[(int) e.index()];
                case MEMORY -> state.memory;
                case TABLE -> state.tables.get((int) e.index());
                case GLOBAL -> globals.get((int) e.index());
                default -> null;
            };
            exports.put(e.name(), v);
        }

        // Element segments, then data segments, in order; then start.
        for (int i = 0; i < m.elements().size(); i++) {
            ElementSegment seg = m.elements().get(i);
            long[] items = new long[seg.init().size()];
            for (int k = 0; k < items.length; k++) items[k] = eval(seg.init().get(k), globals, recordOf);
            if (seg.mode() == SegmentMode.PASSIVE) {
                state.elements[i] = items;
            } else {
                state.elements[i] = new long[0];
                if (seg.mode() == SegmentMode.ACTIVE) {
                    long off = eval(seg.offsetExpr(), globals, recordOf) & 0xFFFFFFFFL;
                    runTrapping(() -> state.tables.get((int) seg.tableIndex()).init(off, items, 0, items.length));
                }
            }
        }
        for (int i = 0; i < m.data().size(); i++) {
            DataSegment seg = m.data().get(i);
            if (seg.mode() == SegmentMode.PASSIVE) {
                state.data[i] = seg.bytes();
            } else {
                state.data[i] = new byte[0];
                long off = eval(seg.offsetExpr(), globals, recordOf) & 0xFFFFFFFFL;
                byte[] bytes = seg.bytes();
                runTrapping(() -> state.memory.init(off, bytes, 0, bytes.length));
            }
        }
        if (m.start().isPresent()) functions[(int) m.start().getAsLong()].call();
    }

    private static void runTrapping(Runnable r) {
        try {
            r.run();
        } catch (WasmBuiltinTrap b) {
            throw new Trap(b.code, List.of(), null);
        }
    }

    /** A constant expression's value: the one instruction before its end. */
    private static long eval(ConstExpr e, List<WasmGlobal> globals, long[] records) {
        Instruction in = e.instructions().get(0);
        return switch (in.op()) {
            case I32_CONST -> (int) in.a();
            case I64_CONST, F32_CONST, F64_CONST -> in.a();
            case REF_NULL -> 0;
            case REF_FUNC -> records[(int) in.a()];
            case GLOBAL_GET -> Native.getLong(globals.get((int) in.a()).cell());
            default -> throw new IllegalStateException("constant expression " + in + " at offset " + in.offset());
        };
    }

    // ---- hostcalls ----

    /**
     * The hostcall an import's wrapper calls: the host function, without the instance block
     * (the wrapper's first argument), and every result (MultiValueHostcall), counted.
     */
    private static Hostcall hostImport(WasmFunction f, Import imp) {
        if (!f.isHost()) {
            // A Wasm function is called through its record, never through the wrapper.
            return (MultiValueHostcall) (caller, args) -> {
                throw new IllegalStateException("wrapper of a Wasm import called");
            };
        }
        String who = "host function \"" + imp.module() + "\" \"" + imp.name() + "\"";
        return (MultiValueHostcall) (caller, args) -> f.callHost(java.util.Arrays.copyOfRange(args, 1, args.length), who);
    }


    // ---- exports ----

    /** @return the exports by name: {@link WasmFunction}, {@link WasmMemory}, {@link WasmTable} or {@link WasmGlobal}; unmodifiable */
    public Map<String, Object> exports() { return Collections.unmodifiableMap(exports); }

    /**
     * @param name an export's name
     * @return the exported function
     * @throws IllegalArgumentException if there is no function export by that name
     */
    public WasmFunction function(String name) { return export(name, WasmFunction.class); }

    /**
     * @param name an export's name
     * @return the exported memory
     * @throws IllegalArgumentException if there is no memory export by that name
     */
    public WasmMemory memory(String name) { return export(name, WasmMemory.class); }

    /**
     * @param name an export's name
     * @return the exported table
     * @throws IllegalArgumentException if there is no table export by that name
     */
    public WasmTable table(String name) { return export(name, WasmTable.class); }

    /**
     * @param name an export's name
     * @return the exported global
     * @throws IllegalArgumentException if there is no global export by that name
     */
    public WasmGlobal global(String name) { return export(name, WasmGlobal.class); }

    private <T> T export(String name, Class<T> kind) {
        Object o = exports.get(name);
        if (!kind.isInstance(o)) {
            throw new IllegalArgumentException("no " + kind.getSimpleName().replace("Wasm", "").toLowerCase(java.util.Locale.ROOT)
                + " export \"" + name + "\" (exports: " + exports.keySet() + ")");
        }
        return kind.cast(o);
    }

    /**
     * The compiled code of this instance as its Store runs it: what the profiler
     * ({@code ProfilerConfig.moduleName}), the samplers and the debugger see. Its functions
     * are named {@code f<index>_<name-section name>}.
     *
     * @return the instance of the translated module
     */
    public Instance instance() { return instance; }

    /** @return the Store this instance lives in */
    public Store store() { return store; }

    /**
     * The Wasm spec's wording of a trap ("out of bounds memory access", "call stack
     * exhausted", ...), for messages and for spec scripts.
     *
     * @param trap a Trap from a Wasm function or instantiation
     * @return its message
     */
    public static String trapMessage(Trap trap) {
        return WasmTraps.message(WasmFunction.wasmTrap(trap).code());
    }

    /**
     * The trap code a Wasm trap reports, with a builtin's trap resolved to its own code.
     *
     * @param trap a Trap from a Wasm function or instantiation
     * @return its code
     */
    public static TrapCode trapCode(Trap trap) { return WasmFunction.wasmTrap(trap).code(); }
}
