/*
 * Problem: decide whether a well-formed module is valid, by the spec's validation rules for
 * Wasm 2.0 without SIMD, and say why not in the reference interpreter's words.
 *
 * The code check is the algorithm of the spec's appendix ("Validation Algorithm"): an
 * operand stack of value types where UNKNOWN (the bottom type) stands for any type, and a
 * stack of control frames, each with its start (parameter) and end (result) types, the
 * operand-stack height at entry and an unreachable flag.
 *
 * Invariants:
 * 1. pop never goes below the current frame's height; at the height it yields UNKNOWN if
 *    the frame is unreachable (after br, br_table, return, unreachable) and is a "type
 *    mismatch" otherwise. unreachable() cuts the stack back to the frame's height.
 * 2. A frame's end pops exactly its end types and the stack must then be at its height; an
 *    if without else must have equal start and end types. A branch to a loop uses its start
 *    types, to anything else its end types; br_table's targets all have the default's arity.
 * 3. Block types may be type indices (multi-value): their parameters are popped before the
 *    frame is pushed and pushed again inside it.
 * 4. ref.func x is valid only for x in C.refs: function indices that occur outside function
 *    bodies and the start section (global initializers, element segments, exports, data
 *    offsets). memory.init and data.drop check the data index against the data count.
 * 5. Constant expressions hold only t.const, ref.null, ref.func and global.get of an
 *    immutable global ("constant expression required"), and leave exactly the expected type.
 *    They see only imported globals (C' of the spec; a global.get of a defined global is
 *    "unknown global"), in global initializers and segment offsets alike.
 * 6. Module level: at most one memory ("multiple memories"); memory limits at most 65536
 *    pages; min <= max; export names unique; the start function has type [] -> [].
 * 7. Work is linear in the module's size: every index lookup is O(1) or O(log n) (locals by
 *    binary search over their groups), so an adversarial module cannot make it quadratic.
 */
package dev.patchbay.wasm;

import dev.patchbay.wasm.internal.CodeReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Validates a decoded module. */
public final class Validator {
    private static final int UNKNOWN = 0;
    private static final ValType[] TYPES = ValType.values();
    private static final int[][] SIG_IN = new int[Op.values().length][];
    private static final int[][] SIG_OUT = new int[Op.values().length][];

    static {
        for (Op op : Op.values()) {
            String s = op.signature();
            if (s == null) continue;
            int gt = s.indexOf('>');
            SIG_IN[op.ordinal()] = codes(s.substring(0, gt));
            SIG_OUT[op.ordinal()] = codes(s.substring(gt + 1));
        }
    }

    private static int[] codes(String s) {
        int[] out = new int[s.length()];
        for (int i = 0; i < s.length(); i++) {
            out[i] = switch (s.charAt(i)) {
                case 'i' -> code(ValType.I32);
                case 'l' -> code(ValType.I64);
                case 'f' -> code(ValType.F32);
                case 'd' -> code(ValType.F64);
                default -> throw new IllegalStateException(s);
            };
        }
        return out;
    }

    private static int code(ValType t) { return t.ordinal() + 1; }
    private static final int I32 = code(ValType.I32);

    private final WasmModule m;
    private final Set<Long> refs = new HashSet<>();

    private Validator(WasmModule m) { this.m = m; }

    /**
     * Validates a module.
     *
     * @param module a decoded module
     * @throws WasmValidationException if it is invalid
     * @throws IllegalArgumentException if module is null
     */
    public static void validate(WasmModule module) {
        if (module == null) throw new IllegalArgumentException("module is null");
        new Validator(module).run();
    }

    private static WasmValidationException error(int at, String message) {
        return new WasmValidationException(at, message);
    }

    private void run() {
        int nTypes = m.types().size();
        for (Import i : m.imports()) {
            switch (i.kind()) {
                case FUNC -> { if (i.typeIndex() >= nTypes) throw error(i.offset(), "unknown type " + i.typeIndex()); }
                case TABLE -> tableLimits(i.table(), i.offset());
                case MEMORY -> memoryLimits(i.memory(), i.offset());
                case GLOBAL -> { }
            }
        }
        for (int i = 0; i < m.functionTypeIndices().size(); i++) {
            long t = m.functionTypeIndices().get(i);
            if (t >= nTypes) throw error(m.functions().get(i).bodyOffset(), "unknown type " + t);
        }
        for (TableType t : m.tables()) tableLimits(t, 0);
        for (MemoryType t : m.memories()) memoryLimits(t, 0);
        if (m.memoryCount() > 1) throw error(0, "multiple memories");

        // C.refs
        for (Global g : m.globals()) collectRefs(g.init());
        for (ElementSegment e : m.elements()) {
            if (e.offsetExpr() != null) collectRefs(e.offsetExpr());
            for (ConstExpr c : e.init()) collectRefs(c);
        }
        for (DataSegment d : m.data()) if (d.offsetExpr() != null) collectRefs(d.offsetExpr());
        for (Export e : m.exports()) if (e.kind() == ExternKind.FUNC) refs.add(e.index());

        for (Global g : m.globals()) constExpr(g.init(), g.type().type(), m.importedGlobalCount());
        for (ElementSegment e : m.elements()) {
            if (e.mode() == SegmentMode.ACTIVE) {
                TableType t = m.tableType(e.tableIndex());
                if (t == null) throw error(e.offset(), "unknown table " + e.tableIndex());
                constExpr(e.offsetExpr(), ValType.I32, m.importedGlobalCount());
                if (t.elementType() != e.type()) throw error(e.offset(), "type mismatch");
            }
            for (ConstExpr c : e.init()) constExpr(c, e.type(), m.importedGlobalCount());
        }
        for (DataSegment d : m.data()) {
            if (d.mode() == SegmentMode.ACTIVE) {
                if (m.memoryType(d.memoryIndex()) == null) throw error(d.offset(), "unknown memory " + d.memoryIndex());
                constExpr(d.offsetExpr(), ValType.I32, m.importedGlobalCount());
            }
        }
        for (int i = 0; i < m.functions().size(); i++) {
            new Code(m.functions().get(i)).run();
        }
        if (m.start().isPresent()) {
            long s = m.start().getAsLong();
            long t = m.functionTypeIndex(s);
            if (t < 0) throw error(m.startOffset(), "unknown function " + s);
            FuncType ft = m.types().get((int) t);
            if (!ft.params().isEmpty() || !ft.results().isEmpty()) throw error(m.startOffset(), "start function");
        }
        Set<String> names = new HashSet<>();
        for (Export e : m.exports()) {
            boolean ok = switch (e.kind()) {
                case FUNC -> e.index() < m.functionCount();
                case TABLE -> e.index() < m.tableCount();
                case MEMORY -> e.index() < m.memoryCount();
                case GLOBAL -> e.index() < m.globalCount();
            };
            if (!ok) {
                String what = switch (e.kind()) {
                    case FUNC -> "function";
                    case TABLE -> "table";
                    case MEMORY -> "memory";
                    case GLOBAL -> "global";
                };
                throw error(e.offset(), "unknown " + what + " " + e.index());
            }
            if (!names.add(e.name())) throw error(e.offset(), "duplicate export name");
        }
    }

    private static void tableLimits(TableType t, int at) {
        Limits l = t.limits();
        if (l.max().isPresent() && l.min() > l.max().getAsLong()) {
            throw error(at, "size minimum must not be greater than maximum");
        }
    }

    private static void memoryLimits(MemoryType t, int at) {
        Limits l = t.limits();
        if (l.min() > 65536 || (l.max().isPresent() && l.max().getAsLong() > 65536)) {
            throw error(at, "memory size must be at most 65536 pages (4GiB)");
        }
        if (l.max().isPresent() && l.min() > l.max().getAsLong()) {
            throw error(at, "size minimum must not be greater than maximum");
        }
    }

    private void collectRefs(ConstExpr e) {
        for (Instruction in : e.instructions()) if (in.op() == Op.REF_FUNC) refs.add(in.a());
    }

    private void constExpr(ConstExpr e, ValType expected, long visibleGlobals) {
        List<ValType> stack = new ArrayList<>();
        for (Instruction in : e.instructions()) {
            switch (in.op()) {
                case I32_CONST -> stack.add(ValType.I32);
                case I64_CONST -> stack.add(ValType.I64);
                case F32_CONST -> stack.add(ValType.F32);
                case F64_CONST -> stack.add(ValType.F64);
                case REF_NULL -> stack.add(in.types().get(0));
                case REF_FUNC -> {
                    if (in.a() >= m.functionCount()) throw error(in.offset(), "unknown function " + in.a());
                    stack.add(ValType.FUNCREF);
                }
                case GLOBAL_GET -> {
                    if (in.a() >= visibleGlobals) throw error(in.offset(), "unknown global " + in.a());
                    GlobalType g = m.globalType(in.a());
                    if (g.mutable()) throw error(in.offset(), "constant expression required");
                    stack.add(g.type());
                }
                case END -> { }
                default -> throw error(in.offset(), "constant expression required");
            }
        }
        if (stack.size() != 1 || stack.get(0) != expected) throw error(e.offset(), "type mismatch");
    }

    private static int[] codes(List<ValType> ts) {
        int[] out = new int[ts.size()];
        for (int i = 0; i < out.length; i++) out[i] = code(ts.get(i));
        return out;
    }

    private static final class Frame {
        final Op kind;
        final int[] start;
        final int[] end;
        final int height;
        boolean unreachable;

        Frame(Op kind, int[] start, int[] end, int height) {
            this.kind = kind;
            this.start = start;
            this.end = end;
            this.height = height;
        }

        int[] labelTypes() { return kind == Op.LOOP ? start : end; }
    }

    /** The validation of one function body. */
    private final class Code {
        private final FunctionBody body;
        private final int[] params;
        private final long[] groupEnds;
        private final int[] groupTypes;
        private int[] vals = new int[16];
        private int nv;
        private final List<Frame> ctrls = new ArrayList<>();
        private int at;

        Code(FunctionBody body) {
            this.body = body;
            FuncType ft = m.types().get((int) body.typeIndex());
            params = codes(ft.params());
            groupEnds = new long[body.locals().size()];
            groupTypes = new int[groupEnds.length];
            long sum = params.length;
            for (int i = 0; i < groupEnds.length; i++) {
                sum += body.locals().get(i).count();
                groupEnds[i] = sum;
                groupTypes[i] = code(body.locals().get(i).type());
            }
            ctrls.add(new Frame(Op.BLOCK, new int[0], codes(ft.results()), 0));
        }

        private WasmValidationException mismatch() { return error(at, "type mismatch"); }

        private void push(int t) {
            if (nv == vals.length) vals = Arrays.copyOf(vals, nv * 2);
            vals[nv++] = t;
        }

        private void push(int[] ts) { for (int t : ts) push(t); }

        private int pop() {
            Frame f = ctrls.get(ctrls.size() - 1);
            if (nv == f.height) {
                if (f.unreachable) return UNKNOWN;
                throw mismatch();
            }
            return vals[--nv];
        }

        private int pop(int expect) {
            int actual = pop();
            if (actual != expect && actual != UNKNOWN && expect != UNKNOWN) throw mismatch();
            return actual;
        }

        private int[] pop(int[] expect) {
            int[] popped = new int[expect.length];
            for (int i = expect.length - 1; i >= 0; i--) popped[i] = pop(expect[i]);
            return popped;
        }

        private void pushCtrl(Op kind, int[] in, int[] out) {
            ctrls.add(new Frame(kind, in, out, nv));
            push(in);
        }

        private Frame popCtrl() {
            Frame f = ctrls.get(ctrls.size() - 1);
            pop(f.end);
            if (nv != f.height) throw mismatch();
            ctrls.remove(ctrls.size() - 1);
            return f;
        }

        private void unreachable() {
            Frame f = ctrls.get(ctrls.size() - 1);
            nv = f.height;
            f.unreachable = true;
        }

        private Frame label(long depth) {
            if (depth >= ctrls.size()) throw error(at, "unknown label");
            return ctrls.get(ctrls.size() - 1 - (int) depth);
        }

        private int local(long index) {
            if (index < params.length) return params[(int) index];
            int lo = 0;
            int hi = groupEnds.length - 1;
            if (hi < 0 || index >= groupEnds[hi]) throw error(at, "unknown local " + index);
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (index < groupEnds[mid]) hi = mid; else lo = mid + 1;
            }
            return groupTypes[lo];
        }

        private TableType table(long index) {
            TableType t = m.tableType(index);
            if (t == null) throw error(at, "unknown table " + index);
            return t;
        }

        private void memory(long index) {
            if (m.memoryType(index) == null) throw error(at, "unknown memory " + index);
        }

        private long dataCount() {
            return m.dataCount().isPresent() ? m.dataCount().getAsLong() : m.data().size();
        }

        private void data(long index) {
            if (index >= dataCount()) throw error(at, "unknown data segment " + index);
        }

        private ValType elem(long index) {
            if (index >= m.elements().size()) throw error(at, "unknown elem segment " + index);
            return m.elements().get((int) index).type();
        }

        private FuncType type(long index) {
            if (index >= m.types().size()) throw error(at, "unknown type " + index);
            return m.types().get((int) index);
        }

        private int[][] blockType(BlockType bt) {
            if (bt.typeIndex() >= 0) {
                FuncType ft = type(bt.typeIndex());
                return new int[][] {codes(ft.params()), codes(ft.results())};
            }
            if (bt.valueType() == null) return new int[][] {new int[0], new int[0]};
            return new int[][] {new int[0], {code(bt.valueType())}};
        }

        void run() {
            CodeReader cr = body.reader();
            while (!ctrls.isEmpty()) {
                Instruction in = cr.next();
                at = in.offset();
                instruction(in);
            }
        }

        private void instruction(Instruction in) {
            Op op = in.op();
            switch (op) {
                case UNREACHABLE -> unreachable();
                case NOP -> { }
                case BLOCK, LOOP -> {
                    int[][] bt = blockType(in.blockType());
                    pop(bt[0]);
                    pushCtrl(op, bt[0], bt[1]);
                }
                case IF -> {
                    int[][] bt = blockType(in.blockType());
                    pop(I32);
                    pop(bt[0]);
                    pushCtrl(op, bt[0], bt[1]);
                }
                case ELSE -> {
                    Frame f = popCtrl();
                    if (f.kind != Op.IF) throw error(at, "else without if");
                    pushCtrl(Op.ELSE, f.start, f.end);
                }
                case END -> {
                    Frame f = popCtrl();
                    if (f.kind == Op.IF && !Arrays.equals(f.start, f.end)) throw mismatch();
                    push(f.end);
                }
                case BR -> {
                    pop(label(in.a()).labelTypes());
                    unreachable();
                }
                case BR_IF -> {
                    pop(I32);
                    int[] lt = label(in.a()).labelTypes();
                    pop(lt);
                    push(lt);
                }
                case BR_TABLE -> {
                    pop(I32);
                    int[] def = label(in.a()).labelTypes();
                    for (long l : in.targets()) label(l);
                    for (long l : in.targets()) {
                        int[] lt = label(l).labelTypes();
                        if (lt.length != def.length) throw mismatch();
                        push(pop(lt));
                    }
                    pop(def);
                    unreachable();
                }
                case RETURN -> {
                    pop(ctrls.get(0).end);
                    unreachable();
                }
                case CALL -> {
                    long t = m.functionTypeIndex(in.a());
                    if (t < 0) throw error(at, "unknown function " + in.a());
                    FuncType ft = m.types().get((int) t);
                    pop(codes(ft.params()));
                    push(codes(ft.results()));
                }
                case CALL_INDIRECT -> {
                    TableType tt = table(in.b());
                    if (tt.elementType() != ValType.FUNCREF) throw mismatch();
                    FuncType ft = type(in.a());
                    pop(I32);
                    pop(codes(ft.params()));
                    push(codes(ft.results()));
                }
                case DROP -> pop();
                case SELECT -> {
                    pop(I32);
                    int t1 = pop();
                    int t2 = pop();
                    if (!isNum(t1) || !isNum(t2)) throw mismatch();
                    if (t1 != t2 && t1 != UNKNOWN && t2 != UNKNOWN) throw mismatch();
                    push(t1 == UNKNOWN ? t2 : t1);
                }
                case SELECT_T -> {
                    if (in.types().size() != 1) throw error(at, "invalid result arity");
                    int t = code(in.types().get(0));
                    pop(I32);
                    pop(t);
                    pop(t);
                    push(t);
                }
                case LOCAL_GET -> push(local(in.a()));
                case LOCAL_SET -> pop(local(in.a()));
                case LOCAL_TEE -> {
                    int t = local(in.a());
                    pop(t);
                    push(t);
                }
                case GLOBAL_GET -> push(code(global(in.a()).type()));
                case GLOBAL_SET -> {
                    GlobalType g = global(in.a());
                    if (!g.mutable()) throw error(at, "global is immutable");
                    pop(code(g.type()));
                }
                case TABLE_GET -> {
                    TableType t = table(in.a());
                    pop(I32);
                    push(code(t.elementType()));
                }
                case TABLE_SET -> {
                    TableType t = table(in.a());
                    pop(code(t.elementType()));
                    pop(I32);
                }
                case TABLE_SIZE -> {
                    table(in.a());
                    push(I32);
                }
                case TABLE_GROW -> {
                    TableType t = table(in.a());
                    pop(I32);
                    pop(code(t.elementType()));
                    push(I32);
                }
                case TABLE_FILL -> {
                    TableType t = table(in.a());
                    pop(I32);
                    pop(code(t.elementType()));
                    pop(I32);
                }
                case TABLE_COPY -> {
                    TableType dst = table(in.a());
                    TableType src = table(in.b());
                    if (dst.elementType() != src.elementType()) throw mismatch();
                    pop(I32);
                    pop(I32);
                    pop(I32);
                }
                case TABLE_INIT -> {
                    TableType t = table(in.b());
                    ValType e = elem(in.a());
                    if (t.elementType() != e) throw mismatch();
                    pop(I32);
                    pop(I32);
                    pop(I32);
                }
                case ELEM_DROP -> elem(in.a());
                case REF_NULL -> push(code(in.types().get(0)));
                case REF_IS_NULL -> {
                    int t = pop();
                    if (t != UNKNOWN && !TYPES[t - 1].isRef()) throw mismatch();
                    push(I32);
                }
                case REF_FUNC -> {
                    if (in.a() >= m.functionCount()) throw error(at, "unknown function " + in.a());
                    if (!refs.contains(in.a())) throw error(at, "undeclared function reference");
                    push(code(ValType.FUNCREF));
                }
                default -> {
                    switch (op.imm()) {
                        case MEMARG -> {
                            memory(0);
                            if (in.a() > op.naturalAlignment()) {
                                throw error(at, "alignment must not be larger than natural");
                            }
                        }
                        case MEMORY, MEMORY_COPY -> memory(0);
                        case MEMORY_INIT -> {
                            memory(0);
                            data(in.a());
                        }
                        case DATA -> data(in.a());
                        default -> { }
                    }
                    int[] sin = SIG_IN[op.ordinal()];
                    if (sin == null) throw new IllegalStateException("no rule for " + op);
                    pop(sin);
                    push(SIG_OUT[op.ordinal()]);
                }
            }
        }

        private GlobalType global(long index) {
            GlobalType g = m.globalType(index);
            if (g == null) throw error(at, "unknown global " + index);
            return g;
        }

        private boolean isNum(int t) { return t == UNKNOWN || TYPES[t - 1].isNum(); }
    }
}
