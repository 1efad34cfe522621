/*
 * Translates a validated Wasm module's function bodies to Patchbay IR through
 * FunctionBuilder, as Cranelift's Wasm translator does: the operand stack becomes SSA values,
 * and every join point (a block's end, a loop's header, an if's arms) is an IR block whose
 * parameters are the values on the stack there. Locals are SSA values too, passed as leading
 * block parameters at every branch, so a local read is a register; a function with more than
 * SSA_LOCALS locals keeps them in stack slots instead, which bounds the size of each branch.
 *
 * Invariants:
 *  - Every IR function takes the instance block (an i64) first, then the Wasm parameters; it
 *    reads the block only at InstanceLayout's offsets.
 *  - Linear memory is addressed as base + zero-extended u32 index + u32 offset, which never
 *    leaves the memory's 8 GiB + 64 KiB reservation, so without bounds checks the only
 *    check is the hardware's: a load or store past the accessible length faults on a
 *    PROT_NONE page at a recorded trap site, and the SIGSEGV handler makes that heap_oob.
 *  - Code that Wasm validation declares unreachable (after br, return, unreachable) is not
 *    translated; only its block structure is followed.
 *  - The translator adds no patch sites: the instrumentation pass places them at function
 *    entries and loop headers, exactly as for CLIF.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.FloatCC;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.MemFlags;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.wasm.BlockType;
import dev.patchbay.wasm.FuncType;
import dev.patchbay.wasm.FunctionBody;
import dev.patchbay.wasm.Instruction;
import dev.patchbay.wasm.LocalGroup;
import dev.patchbay.wasm.ValType;
import dev.patchbay.wasm.WasmModule;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Wasm function bodies to Patchbay IR. */
public final class Translator {
    /** Functions with more locals than this keep them in stack slots. */
    static final int SSA_LOCALS = 48;
    private static final MemFlags VM = new MemFlags(MemFlags.NOTRAP | MemFlags.ALIGNED | MemFlags.VMCTX);
    private static final MemFlags HEAP = new MemFlags(MemFlags.HEAP | MemFlags.LITTLE);
    private static final MemFlags TABLE = new MemFlags(MemFlags.NOTRAP | MemFlags.ALIGNED | MemFlags.TABLE);

    private final WasmModule module;
    private final InstanceLayout layout;
    private final boolean boundsChecks;

    private Translator(WasmModule module, boolean boundsChecks) {
        this.module = module;
        this.layout = new InstanceLayout(module);
        this.boundsChecks = boundsChecks;
    }

    /**
     * Translates every function of a module. The module must have been validated: the
     * translator trusts the stack discipline and the indices.
     *
     * @param module a validated module
     * @param boundsChecks compare each memory access against the memory's length in code
     *     rather than rely on the guard region
     * @return the IR and its layout
     */
    public static TranslatedModule translate(WasmModule module, boolean boundsChecks) {
        Translator t = new Translator(module, boundsChecks);
        List<Function> out = new ArrayList<>();
        Map<String, WasmLocals> locals = new HashMap<>();
        int imported = module.importedFunctionCount();
        for (int i = 0; i < imported; i++) out.add(t.importWrapper(i));
        for (int i = 0; i < module.functions().size(); i++) {
            Body body = new Body(t, imported + i, module.functions().get(i));
            Function f = body.translate();
            out.add(f);
            locals.put(f.name, body.localMap);
        }
        return new TranslatedModule(module, t.layout, out, boundsChecks, locals);
    }

    static Type irType(ValType t) {
        return switch (t) {
            case I32 -> Type.I32;
            case I64 -> Type.I64;
            case F32 -> Type.F32;
            case F64 -> Type.F64;
            default -> Type.I64;   // funcref (a function record's address) and externref: 0 is null
        };
    }

    FuncType funcType(int index) { return module.types().get((int) module.functionTypeIndex(index)); }

    static Signature signature(FuncType t) {
        List<Type> p = new ArrayList<>(), r = new ArrayList<>();
        p.add(Type.I64);
        for (ValType v : t.params()) p.add(irType(v));
        for (ValType v : t.results()) r.add(irType(v));
        return Signature.of(p, r);
    }

    /** An imported function's wrapper: the same signature as Wasm code, calling the hostcall. */
    private Function importWrapper(int index) {
        Signature sig = signature(funcType(index));
        FunctionBuilder b = new FunctionBuilder(TranslatedModule.functionName(module, index), sig);
        b.createEntryBlock();
        int ref = b.importFunction(TranslatedModule.importName(index), sig, false, false);
        int[] params = b.blockParams(0);
        b.ret(b.call(ref, params));
        return b.finish();
    }

    // ---- one function body ----

    private enum Kind { FUNCTION, BLOCK, LOOP, IF }

    private static final class Frame {
        final Kind kind;
        final Type[] params, results;
        final int height;           // operand stack height below the frame's parameters
        final int end;              // the block after the frame (params: locals, results)
        int header = -1;            // a loop's header (params: locals, params)
        int elseBlock = -1;         // an if's false arm until `else` is seen
        int[] elseArgs;             // what the false arm starts with
        boolean endReached;         // some branch or fallthrough targets `end`

        Frame(Kind kind, Type[] params, Type[] results, int height, int end) {
            this.kind = kind;
            this.params = params;
            this.results = results;
            this.height = height;
            this.end = end;
        }

        Type[] branchTypes() { return kind == Kind.LOOP ? params : results; }
        int branchTarget() { return kind == Kind.LOOP ? header : end; }
    }

    private static final class Body {
        final Translator t;
        final WasmModule m;
        final int index;
        final FunctionBody body;
        final FuncType type;
        final FunctionBuilder b;
        final Type[] localTypes;
        final boolean ssaLocals;
        /** Which IR value holds each local where (for a debugger's stops). */
        final WasmLocals localMap;
        int[] locals;               // SSA mode: each local's current value
        int[] slots;                // slot mode: each local's stack slot
        final List<Integer> stack = new ArrayList<>();
        final List<Frame> frames = new ArrayList<>();
        boolean reachable = true;
        int deadDepth;              // blocks opened inside unreachable code
        int inst, memBase = -1, memDesc = -1;
        final Map<String, Integer> refs = new HashMap<>();
        final Map<Builtin, Integer> builtins = new EnumMap<>(Builtin.class);

        Body(Translator t, int index, FunctionBody body) {
            this.t = t;
            this.m = t.module;
            this.index = index;
            this.body = body;
            this.type = t.funcType(index);
            this.b = new FunctionBuilder(TranslatedModule.functionName(m, index), signature(type));
            List<Type> lt = new ArrayList<>();
            for (ValType v : type.params()) lt.add(irType(v));
            for (LocalGroup g : body.locals()) for (long k = 0; k < g.count(); k++) lt.add(irType(g.type()));
            this.localTypes = lt.toArray(new Type[0]);
            this.ssaLocals = localTypes.length <= SSA_LOCALS;
            List<ValType> wt = new ArrayList<>(type.params());
            for (LocalGroup g : body.locals()) for (long k = 0; k < g.count() && wt.size() <= SSA_LOCALS; k++) wt.add(g.type());
            this.localMap = new WasmLocals(ssaLocals ? wt : List.of(), !ssaLocals);
        }

        Function translate() {
            b.createEntryBlock();
            int[] params = b.blockParams(0);
            inst = params[0];
            int n = localTypes.length;
            int[] init = new int[n];
            for (int i = 0; i < n; i++) init[i] = i < type.params().size() ? params[i + 1] : zero(localTypes[i]);
            if (ssaLocals) {
                locals = init;
            } else {
                slots = new int[n];
                for (int i = 0; i < n; i++) {
                    slots[i] = b.createStackSlot(8, 8);
                    b.stackStore(init[i], slots[i], 0);
                }
            }
            if (m.memoryCount() > 0) {
                memBase = b.load(Opcode.LOAD, Type.I64, VM, inst, InstanceLayout.MEMORY_BASE);
                memDesc = b.load(Opcode.LOAD, Type.I64, VM, inst, InstanceLayout.MEMORY_DESCRIPTOR);
            }
            Type[] results = types(type.results());
            Frame f = new Frame(Kind.FUNCTION, new Type[0], results, 0, newBlock(results));
            frames.add(f);
            for (Instruction in : body.instructions()) {
                // The code offset is the IR location (line = offset in the binary, column 0),
                // so a trap's frame can name the Wasm instruction, as Wasmtime's do.
                b.setSourceLoc(new SourceLoc(in.offset(), 0));
                if (ssaLocals && reachable) localMap.record(in.offset(), locals);
                step(in);
            }
            return b.finish();
        }

        // ---- helpers ----

        Type[] types(List<ValType> vs) {
            Type[] r = new Type[vs.size()];
            for (int i = 0; i < r.length; i++) r[i] = irType(vs.get(i));
            return r;
        }

        int zero(Type ty) {
            return switch (ty) {
                case F32 -> b.f32const(0);
                case F64 -> b.f64const(0);
                default -> b.iconst(ty, 0);
            };
        }

        int newBlock(Type[] stackTypes) {
            int blk = b.createBlock();
            if (ssaLocals) for (Type ty : localTypes) b.appendBlockParam(blk, ty);
            for (Type ty : stackTypes) b.appendBlockParam(blk, ty);
            return blk;
        }

        /** The arguments of a branch that carries the top n stack values. */
        int[] args(int n) {
            int l = ssaLocals ? locals.length : 0;
            int[] a = new int[l + n];
            if (ssaLocals) System.arraycopy(locals, 0, a, 0, l);
            for (int i = 0; i < n; i++) a[l + i] = stack.get(stack.size() - n + i);
            return a;
        }

        /** Starts translating into a block created by newBlock: its params are the locals, then stack values. */
        void enter(int blk) {
            b.switchToBlock(blk);
            int[] p = b.blockParams(blk);
            int l = ssaLocals ? locals.length : 0;
            if (ssaLocals) locals = java.util.Arrays.copyOf(p, l);
            for (int i = l; i < p.length; i++) stack.add(p[i]);
            reachable = true;
        }

        int pop() { return stack.remove(stack.size() - 1); }
        void push(int v) { stack.add(v); }
        void truncate(int h) { while (stack.size() > h) stack.remove(stack.size() - 1); }

        Frame frame(long depth) { return frames.get(frames.size() - 1 - (int) depth); }

        Type[][] blockSig(BlockType bt) {
            if (bt.valueType() != null) return new Type[][] {new Type[0], new Type[] {irType(bt.valueType())}};
            if (bt.typeIndex() < 0) return new Type[][] {new Type[0], new Type[0]};
            FuncType ft = m.types().get((int) bt.typeIndex());
            return new Type[][] {types(ft.params()), types(ft.results())};
        }

        int ref(String name, Signature sig, boolean colocated) {
            return refs.computeIfAbsent(name, k -> b.importFunction(name, sig, colocated, false));
        }

        int[] builtin(Builtin bi, int... operands) {
            int r = builtins.computeIfAbsent(bi, k -> b.importFunction(k.hostcall, k.signature, false, false));
            int[] a = new int[operands.length + 1];
            a[0] = inst;
            System.arraycopy(operands, 0, a, 1, operands.length);
            return b.call(r, a);
        }

        int i32(long v) { return b.iconst(Type.I32, v); }
        int flag(int f) { return b.convert(Opcode.UEXTEND, Type.I32, f); }
        int vmLoad(int base, int offset) { return b.load(Opcode.LOAD, Type.I64, VM, base, offset); }

        void branch(Frame target) {
            Type[] ts = target.branchTypes();
            if (target.kind != Kind.LOOP) target.endReached = true;
            b.jump(target.branchTarget(), args(ts.length));
        }

        BlockCall branchCall(Frame target) {
            Type[] ts = target.branchTypes();
            if (target.kind != Kind.LOOP) target.endReached = true;
            return new BlockCall(target.branchTarget(), args(ts.length));
        }

        // ---- the instruction loop ----

        void step(Instruction in) {
            if (!reachable) {
                switch (in.op()) {
                    case BLOCK, LOOP, IF -> deadDepth++;
                    case ELSE -> { if (deadDepth == 0) doElse(); }
                    case END -> { if (deadDepth > 0) deadDepth--; else doEnd(); }
                    default -> { }
                }
                return;
            }
            switch (in.op()) {
                case UNREACHABLE -> { b.trap(TrapCode.UNREACHABLE); reachable = false; }
                case NOP -> { }
                case BLOCK -> {
                    Type[][] s = blockSig(in.blockType());
                    frames.add(new Frame(Kind.BLOCK, s[0], s[1], stack.size() - s[0].length, newBlock(s[1])));
                }
                case LOOP -> {
                    Type[][] s = blockSig(in.blockType());
                    Frame f = new Frame(Kind.LOOP, s[0], s[1], stack.size() - s[0].length, newBlock(s[1]));
                    f.header = newBlock(s[0]);
                    b.jump(f.header, args(s[0].length));
                    truncate(f.height);
                    frames.add(f);
                    enter(f.header);
                }
                case IF -> {
                    Type[][] s = blockSig(in.blockType());
                    int cond = pop();
                    Frame f = new Frame(Kind.IF, s[0], s[1], stack.size() - s[0].length, newBlock(s[1]));
                    int thenBlock = newBlock(s[0]);
                    f.elseBlock = newBlock(s[0]);
                    int[] a = args(s[0].length);
                    b.brif(cond, thenBlock, a, f.elseBlock, a);
                    truncate(f.height);
                    frames.add(f);
                    enter(thenBlock);
                }
                case ELSE -> doElse();
                case END -> doEnd();
                case BR -> { branch(frame(in.a())); reachable = false; }
                case BR_IF -> {
                    int cond = pop();
                    Frame target = frame(in.a());
                    int next = newBlock(new Type[0]);
                    BlockCall c = branchCall(target);
                    b.brif(cond, c.block, c.args, next, args(0));
                    enter(next);
                }
                case BR_TABLE -> {
                    int idx = pop();
                    BlockCall[] entries = new BlockCall[in.targets().size()];
                    for (int i = 0; i < entries.length; i++) entries[i] = branchCall(frame(in.targets().get(i)));
                    b.brTable(idx, branchCall(frame(in.a())), entries);
                    reachable = false;
                }
                case RETURN -> { doReturn(); reachable = false; }
                case CALL -> call((int) in.a());
                case CALL_INDIRECT -> callIndirect((int) in.a(), (int) in.b());
                case DROP -> pop();
                case SELECT, SELECT_T -> {
                    int c = pop(), y = pop(), x = pop();
                    push(b.select(c, x, y));
                }
                case LOCAL_GET -> push(getLocal((int) in.a()));
                case LOCAL_SET -> setLocal((int) in.a(), pop());
                case LOCAL_TEE -> setLocal((int) in.a(), stack.get(stack.size() - 1));
                case GLOBAL_GET -> {
                    int g = (int) in.a();
                    int cell = vmLoad(inst, t.layout.globalCell(g));
                    push(b.load(Opcode.LOAD, irType(m.globalType(g).type()), VM, cell, 0));
                }
                case GLOBAL_SET -> {
                    int g = (int) in.a();
                    int cell = vmLoad(inst, t.layout.globalCell(g));
                    b.store(Opcode.STORE, VM, pop(), cell, 0);
                }
                case TABLE_GET -> {
                    int tb = (int) in.a();
                    int ea = tableSlot(tb, pop(), WasmTraps.TABLE_OUT_OF_BOUNDS);
                    push(b.load(Opcode.LOAD, Type.I64, TABLE, ea, 0));
                }
                case TABLE_SET -> {
                    int tb = (int) in.a();
                    int v = pop();
                    int ea = tableSlot(tb, pop(), WasmTraps.TABLE_OUT_OF_BOUNDS);
                    b.store(Opcode.STORE, TABLE, v, ea, 0);
                }
                case TABLE_SIZE -> {
                    int desc = vmLoad(inst, t.layout.tableDescriptor((int) in.a()));
                    push(b.load(Opcode.LOAD, Type.I32, TABLE, desc, InstanceLayout.TABLE_DESC_SIZE));
                }
                case TABLE_GROW -> {
                    int n = pop(), init = pop();
                    push(builtin(Builtin.TABLE_GROW, i32(in.a()), init, n)[0]);
                }
                case TABLE_FILL -> {
                    int n = pop(), v = pop(), d = pop();
                    builtin(Builtin.TABLE_FILL, i32(in.a()), d, v, n);
                }
                case TABLE_COPY -> {
                    int n = pop(), s = pop(), d = pop();
                    builtin(Builtin.TABLE_COPY, i32(in.a()), i32(in.b()), d, s, n);
                }
                case TABLE_INIT -> {
                    int n = pop(), s = pop(), d = pop();
                    builtin(Builtin.TABLE_INIT, i32(in.b()), i32(in.a()), d, s, n);
                }
                case ELEM_DROP -> builtin(Builtin.ELEM_DROP, i32(in.a()));
                case MEMORY_SIZE -> {
                    int len = b.load(Opcode.LOAD, Type.I64, VM, memDesc, InstanceLayout.MEMORY_DESC_LENGTH);
                    push(b.convert(Opcode.IREDUCE, Type.I32, b.binaryImm(Opcode.USHR_IMM, len, 16)));
                }
                case MEMORY_GROW -> push(builtin(Builtin.MEMORY_GROW, pop())[0]);
                case MEMORY_FILL -> {
                    int n = pop(), v = pop(), d = pop();
                    builtin(Builtin.MEMORY_FILL, d, v, n);
                }
                case MEMORY_COPY -> {
                    int n = pop(), s = pop(), d = pop();
                    builtin(Builtin.MEMORY_COPY, d, s, n);
                }
                case MEMORY_INIT -> {
                    int n = pop(), s = pop(), d = pop();
                    builtin(Builtin.MEMORY_INIT, i32(in.a()), d, s, n);
                }
                case DATA_DROP -> builtin(Builtin.DATA_DROP, i32(in.a()));
                case I32_CONST -> push(b.iconst(Type.I32, in.a()));
                case I64_CONST -> push(b.iconst(Type.I64, in.a()));
                case F32_CONST -> push(b.f32const((int) in.a()));
                case F64_CONST -> push(b.f64const(in.a()));
                case REF_NULL -> push(b.iconst(Type.I64, 0));
                case REF_IS_NULL -> push(flag(b.icmpImm(IntCC.EQ, pop(), 0)));
                case REF_FUNC -> push(vmLoad(inst, t.layout.functionRecord((int) in.a())));
                default -> {
                    if (!memoryOp(in) && !numeric(in)) {
                        throw new IllegalStateException("wasm translator: no translation for " + in.op() + " at offset " + in.offset());
                    }
                }
            }
        }

        void fallthrough(Frame f) {
            f.endReached = true;
            b.jump(f.end, args(f.results.length));
        }

        void doElse() {
            Frame f = frames.get(frames.size() - 1);
            if (reachable) fallthrough(f);
            truncate(f.height);
            int blk = f.elseBlock;
            f.elseBlock = -1;
            enter(blk);
        }

        void doEnd() {
            Frame f = frames.get(frames.size() - 1);
            if (reachable) fallthrough(f);
            truncate(f.height);
            if (f.kind == Kind.IF && f.elseBlock >= 0) {
                // An if without else: the false arm passes its parameters on as its results.
                int blk = f.elseBlock;
                f.elseBlock = -1;
                enter(blk);
                fallthrough(f);
                truncate(f.height);
            }
            frames.remove(frames.size() - 1);
            if (f.endReached) {
                enter(f.end);
            } else {
                reachable = false;
            }
            if (f.kind == Kind.FUNCTION) {
                if (reachable) doReturn();
                reachable = false;
            }
        }

        void doReturn() {
            int n = type.results().size();
            int[] r = new int[n];
            for (int i = 0; i < n; i++) r[i] = stack.get(stack.size() - n + i);
            b.ret(r);
        }

        int getLocal(int i) {
            return ssaLocals ? locals[i] : b.stackLoad(localTypes[i], slots[i], 0);
        }

        void setLocal(int i, int v) {
            if (ssaLocals) locals[i] = v;
            else b.stackStore(v, slots[i], 0);
        }

        int[] popArgs(FuncType ft, int first) {
            int n = ft.params().size();
            int[] a = new int[n + 1];
            a[0] = first;
            for (int i = n - 1; i >= 0; i--) a[i + 1] = pop();
            return a;
        }

        void call(int fn) {
            FuncType ft = t.funcType(fn);
            Signature sig = signature(ft);
            int[] results;
            if (fn < m.importedFunctionCount()) {
                // Through the function record: the import may be another instance's code.
                int rec = vmLoad(inst, t.layout.functionRecord(fn));
                int[] a = popArgs(ft, 0);
                a[0] = vmLoad(rec, InstanceLayout.FUNC_INSTANCE);
                int code = vmLoad(rec, InstanceLayout.FUNC_CODE);
                results = b.callIndirect(b.importSignature(sig), code, a);
            } else {
                results = b.call(ref(TranslatedModule.functionName(m, fn), sig, true), popArgs(ft, inst));
            }
            for (int r : results) push(r);
        }

        void callIndirect(int typeIndex, int table) {
            FuncType ft = m.types().get(typeIndex);
            int idx = pop();
            int rec = tableSlot(table, idx, WasmTraps.UNDEFINED_ELEMENT);
            rec = b.load(Opcode.LOAD, Type.I64, TABLE, rec, 0);
            b.trapz(rec, WasmTraps.UNINITIALIZED_ELEMENT);
            int sig = b.load(Opcode.LOAD, Type.I64, VM, rec, InstanceLayout.FUNC_SIGNATURE);
            b.trapnz(b.icmpImm(IntCC.NE, sig, SignatureIds.of(ft)), TrapCode.BAD_SIGNATURE);
            int[] a = popArgs(ft, 0);
            a[0] = vmLoad(rec, InstanceLayout.FUNC_INSTANCE);
            int code = vmLoad(rec, InstanceLayout.FUNC_CODE);
            for (int r : b.callIndirect(b.importSignature(signature(ft)), code, a)) push(r);
        }

        /** The address of a table element, after checking the index against the table's size. */
        int tableSlot(int table, int index32, TrapCode oob) {
            int desc = vmLoad(inst, t.layout.tableDescriptor(table));
            int size = b.load(Opcode.LOAD, Type.I64, TABLE, desc, InstanceLayout.TABLE_DESC_SIZE);
            int idx = b.convert(Opcode.UEXTEND, Type.I64, index32);
            b.trapnz(b.icmp(IntCC.UGE, idx, size), oob);
            int elems = b.load(Opcode.LOAD, Type.I64, TABLE, desc, InstanceLayout.TABLE_DESC_ELEMENTS);
            return b.binary(Opcode.IADD, elems, b.binaryImm(Opcode.ISHL_IMM, idx, 3));
        }

        /** The host address of a memory access, checked in code when bounds checks are on. */
        int[] address(int index32, long offset, int size) {
            int idx = b.convert(Opcode.UEXTEND, Type.I64, index32);
            if (t.boundsChecks) {
                int end = b.binaryImm(Opcode.IADD_IMM, idx, offset + size);
                int len = b.load(Opcode.LOAD, Type.I64, VM, memDesc, InstanceLayout.MEMORY_DESC_LENGTH);
                b.trapnz(b.icmp(IntCC.UGT, end, len), TrapCode.HEAP_OUT_OF_BOUNDS);
            }
            int addr = b.binary(Opcode.IADD, memBase, idx);
            if (offset > Integer.MAX_VALUE) {
                addr = b.binaryImm(Opcode.IADD_IMM, addr, offset);
                offset = 0;
            }
            return new int[] {addr, (int) offset};
        }

        boolean memoryOp(Instruction in) {
            Opcode op;
            Type ty;
            int size;
            boolean store = false;
            switch (in.op()) {
                case I32_LOAD -> { op = Opcode.LOAD; ty = Type.I32; size = 4; }
                case I64_LOAD -> { op = Opcode.LOAD; ty = Type.I64; size = 8; }
                case F32_LOAD -> { op = Opcode.LOAD; ty = Type.F32; size = 4; }
                case F64_LOAD -> { op = Opcode.LOAD; ty = Type.F64; size = 8; }
                case I32_LOAD8_S -> { op = Opcode.SLOAD8; ty = Type.I32; size = 1; }
                case I32_LOAD8_U -> { op = Opcode.ULOAD8; ty = Type.I32; size = 1; }
                case I32_LOAD16_S -> { op = Opcode.SLOAD16; ty = Type.I32; size = 2; }
                case I32_LOAD16_U -> { op = Opcode.ULOAD16; ty = Type.I32; size = 2; }
                case I64_LOAD8_S -> { op = Opcode.SLOAD8; ty = Type.I64; size = 1; }
                case I64_LOAD8_U -> { op = Opcode.ULOAD8; ty = Type.I64; size = 1; }
                case I64_LOAD16_S -> { op = Opcode.SLOAD16; ty = Type.I64; size = 2; }
                case I64_LOAD16_U -> { op = Opcode.ULOAD16; ty = Type.I64; size = 2; }
                case I64_LOAD32_S -> { op = Opcode.SLOAD32; ty = Type.I64; size = 4; }
                case I64_LOAD32_U -> { op = Opcode.ULOAD32; ty = Type.I64; size = 4; }
                case I32_STORE, I64_STORE, F32_STORE, F64_STORE -> {
                    op = Opcode.STORE; ty = null; store = true;
                    size = in.op() == dev.patchbay.wasm.Op.I64_STORE || in.op() == dev.patchbay.wasm.Op.F64_STORE ? 8 : 4;
                }
                case I32_STORE8, I64_STORE8 -> { op = Opcode.ISTORE8; ty = null; size = 1; store = true; }
                case I32_STORE16, I64_STORE16 -> { op = Opcode.ISTORE16; ty = null; size = 2; store = true; }
                case I64_STORE32 -> { op = Opcode.ISTORE32; ty = null; size = 4; store = true; }
                default -> { return false; }
            }
            long offset = in.b() & 0xFFFFFFFFL;
            if (store) {
                int v = pop();
                int[] a = address(pop(), offset, size);
                b.store(op, HEAP, v, a[0], a[1]);
            } else {
                int[] a = address(pop(), offset, size);
                push(b.load(op, ty, HEAP, a[0], a[1]));
            }
            return true;
        }

        void bin(Opcode op) {
            int y = pop(), x = pop();
            push(b.binary(op, x, y));
        }

        void cmp(IntCC cc) {
            int y = pop(), x = pop();
            push(flag(b.icmp(cc, x, y)));
        }

        void fcmp(FloatCC cc) {
            int y = pop(), x = pop();
            push(flag(b.fcmp(cc, x, y)));
        }

        void un(Opcode op) { push(b.unary(op, pop())); }
        void conv(Opcode op, Type to) { push(b.convert(op, to, pop())); }

        void extendFrom(Type narrow, Type wide) {
            push(b.convert(Opcode.SEXTEND, wide, b.convert(Opcode.IREDUCE, narrow, pop())));
        }

        boolean numeric(Instruction in) {
            switch (in.op()) {
                case I32_EQZ, I64_EQZ -> push(flag(b.icmpImm(IntCC.EQ, pop(), 0)));
                case I32_EQ, I64_EQ -> cmp(IntCC.EQ);
                case I32_NE, I64_NE -> cmp(IntCC.NE);
                case I32_LT_S, I64_LT_S -> cmp(IntCC.SLT);
                case I32_LT_U, I64_LT_U -> cmp(IntCC.ULT);
                case I32_GT_S, I64_GT_S -> cmp(IntCC.SGT);
                case I32_GT_U, I64_GT_U -> cmp(IntCC.UGT);
                case I32_LE_S, I64_LE_S -> cmp(IntCC.SLE);
                case I32_LE_U, I64_LE_U -> cmp(IntCC.ULE);
                case I32_GE_S, I64_GE_S -> cmp(IntCC.SGE);
                case I32_GE_U, I64_GE_U -> cmp(IntCC.UGE);
                case F32_EQ, F64_EQ -> fcmp(FloatCC.EQ);
                case F32_NE, F64_NE -> fcmp(FloatCC.NE);
                case F32_LT, F64_LT -> fcmp(FloatCC.LT);
                case F32_GT, F64_GT -> fcmp(FloatCC.GT);
                case F32_LE, F64_LE -> fcmp(FloatCC.LE);
                case F32_GE, F64_GE -> fcmp(FloatCC.GE);
                case I32_CLZ, I64_CLZ -> un(Opcode.CLZ);
                case I32_CTZ, I64_CTZ -> un(Opcode.CTZ);
                case I32_POPCNT, I64_POPCNT -> un(Opcode.POPCNT);
                case I32_ADD, I64_ADD -> bin(Opcode.IADD);
                case I32_SUB, I64_SUB -> bin(Opcode.ISUB);
                case I32_MUL, I64_MUL -> bin(Opcode.IMUL);
                case I32_DIV_S, I64_DIV_S -> bin(Opcode.SDIV);
                case I32_DIV_U, I64_DIV_U -> bin(Opcode.UDIV);
                case I32_REM_S, I64_REM_S -> bin(Opcode.SREM);
                case I32_REM_U, I64_REM_U -> bin(Opcode.UREM);
                case I32_AND, I64_AND -> bin(Opcode.BAND);
                case I32_OR, I64_OR -> bin(Opcode.BOR);
                case I32_XOR, I64_XOR -> bin(Opcode.BXOR);
                case I32_SHL, I64_SHL -> bin(Opcode.ISHL);
                case I32_SHR_S, I64_SHR_S -> bin(Opcode.SSHR);
                case I32_SHR_U, I64_SHR_U -> bin(Opcode.USHR);
                case I32_ROTL, I64_ROTL -> bin(Opcode.ROTL);
                case I32_ROTR, I64_ROTR -> bin(Opcode.ROTR);
                case F32_ABS, F64_ABS -> un(Opcode.FABS);
                case F32_NEG, F64_NEG -> un(Opcode.FNEG);
                case F32_CEIL, F64_CEIL -> un(Opcode.CEIL);
                case F32_FLOOR, F64_FLOOR -> un(Opcode.FLOOR);
                case F32_TRUNC, F64_TRUNC -> un(Opcode.TRUNC);
                case F32_NEAREST, F64_NEAREST -> un(Opcode.NEAREST);
                case F32_SQRT, F64_SQRT -> un(Opcode.SQRT);
                case F32_ADD, F64_ADD -> bin(Opcode.FADD);
                case F32_SUB, F64_SUB -> bin(Opcode.FSUB);
                case F32_MUL, F64_MUL -> bin(Opcode.FMUL);
                case F32_DIV, F64_DIV -> bin(Opcode.FDIV);
                case F32_MIN, F64_MIN -> bin(Opcode.FMIN);
                case F32_MAX, F64_MAX -> bin(Opcode.FMAX);
                case F32_COPYSIGN, F64_COPYSIGN -> bin(Opcode.FCOPYSIGN);
                case I32_WRAP_I64 -> conv(Opcode.IREDUCE, Type.I32);
                case I64_EXTEND_I32_S -> conv(Opcode.SEXTEND, Type.I64);
                case I64_EXTEND_I32_U -> conv(Opcode.UEXTEND, Type.I64);
                case I32_TRUNC_F32_S, I32_TRUNC_F64_S -> conv(Opcode.FCVT_TO_SINT, Type.I32);
                case I32_TRUNC_F32_U, I32_TRUNC_F64_U -> conv(Opcode.FCVT_TO_UINT, Type.I32);
                case I64_TRUNC_F32_S, I64_TRUNC_F64_S -> conv(Opcode.FCVT_TO_SINT, Type.I64);
                case I64_TRUNC_F32_U, I64_TRUNC_F64_U -> conv(Opcode.FCVT_TO_UINT, Type.I64);
                case I32_TRUNC_SAT_F32_S, I32_TRUNC_SAT_F64_S -> conv(Opcode.FCVT_TO_SINT_SAT, Type.I32);
                case I32_TRUNC_SAT_F32_U, I32_TRUNC_SAT_F64_U -> conv(Opcode.FCVT_TO_UINT_SAT, Type.I32);
                case I64_TRUNC_SAT_F32_S, I64_TRUNC_SAT_F64_S -> conv(Opcode.FCVT_TO_SINT_SAT, Type.I64);
                case I64_TRUNC_SAT_F32_U, I64_TRUNC_SAT_F64_U -> conv(Opcode.FCVT_TO_UINT_SAT, Type.I64);
                case F32_CONVERT_I32_S, F32_CONVERT_I64_S -> conv(Opcode.FCVT_FROM_SINT, Type.F32);
                case F32_CONVERT_I32_U, F32_CONVERT_I64_U -> conv(Opcode.FCVT_FROM_UINT, Type.F32);
                case F64_CONVERT_I32_S, F64_CONVERT_I64_S -> conv(Opcode.FCVT_FROM_SINT, Type.F64);
                case F64_CONVERT_I32_U, F64_CONVERT_I64_U -> conv(Opcode.FCVT_FROM_UINT, Type.F64);
                case F32_DEMOTE_F64 -> conv(Opcode.FDEMOTE, Type.F32);
                case F64_PROMOTE_F32 -> conv(Opcode.FPROMOTE, Type.F64);
                case I32_REINTERPRET_F32 -> conv(Opcode.BITCAST, Type.I32);
                case I64_REINTERPRET_F64 -> conv(Opcode.BITCAST, Type.I64);
                case F32_REINTERPRET_I32 -> conv(Opcode.BITCAST, Type.F32);
                case F64_REINTERPRET_I64 -> conv(Opcode.BITCAST, Type.F64);
                case I32_EXTEND8_S -> extendFrom(Type.I8, Type.I32);
                case I32_EXTEND16_S -> extendFrom(Type.I16, Type.I32);
                case I64_EXTEND8_S -> extendFrom(Type.I8, Type.I64);
                case I64_EXTEND16_S -> extendFrom(Type.I16, Type.I64);
                case I64_EXTEND32_S -> extendFrom(Type.I32, Type.I64);
                default -> { return false; }
            }
            return true;
        }
    }
}
