/*
 * A function in SSA form. Values are dense ints; each value is defined either by an
 * instruction result or by a block parameter, and records its type and its display name
 * (CLIF text numbers values freely: v0, v10, v20). Blocks are kept by id and separately in
 * layout order; the first block in the layout is the entry block.
 */
package dev.patchbay.codegen.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A function in SSA form: its signature, blocks in layout order (the first is the entry),
 * instructions and typed values, as the parser or a FunctionBuilder makes it.
 */
public final class Function {
    public String name;
    public Signature signature;
    public SourceLoc loc = SourceLoc.NONE;
    public final List<StackSlot> stackSlots = new ArrayList<>();
    public final List<Signature> sigRefs = new ArrayList<>();
    public final List<ExtFunc> extFuncs = new ArrayList<>();
    private final List<Block> blocksById = new ArrayList<>();
    public final List<Block> layout = new ArrayList<>();

    private Type[] valueTypes = new Type[16];
    private String[] valueNames = new String[16];
    private Inst[] defInst = new Inst[16];
    private Block[] defBlock = new Block[16];
    private int numValues;

    public Function(String name, Signature signature) {
        this.name = name;
        this.signature = signature;
    }

    // ---- values ----

    /** Creates a value; the type may be null until its definition is seen (parser forward references). */
    public int newValue(Type type, String displayName) {
        if (numValues == valueTypes.length) {
            int n = numValues * 2;
            valueTypes = Arrays.copyOf(valueTypes, n);
            valueNames = Arrays.copyOf(valueNames, n);
            defInst = Arrays.copyOf(defInst, n);
            defBlock = Arrays.copyOf(defBlock, n);
        }
        int v = numValues++;
        valueTypes[v] = type;
        valueNames[v] = displayName;
        return v;
    }

    public int numValues() { return numValues; }

    public Type valueType(int v) { return valueTypes[v]; }

    public void setValueType(int v, Type t) { valueTypes[v] = t; }

    public String valueName(int v) {
        String n = valueNames[v];
        return n != null ? n : "v" + v;
    }

    /** The instruction that defines v, or null if v is a block parameter (or undefined). */
    public Inst valueDefInst(int v) { return defInst[v]; }

    /** The block whose parameter v is, or null. */
    public Block valueDefBlock(int v) { return defBlock[v]; }

    public boolean isDefined(int v) { return defInst[v] != null || defBlock[v] != null; }

    public void defineByInst(int v, Inst inst) { defInst[v] = inst; }

    public void defineByParam(int v, Block b) { defBlock[v] = b; }

    // ---- blocks ----

    public Block newBlock(String displayName) {
        Block b = new Block(blocksById.size(), displayName != null ? displayName : "block" + blocksById.size());
        blocksById.add(b);
        return b;
    }

    public Block block(int id) { return blocksById.get(id); }

    public int numBlocks() { return blocksById.size(); }

    public Block entryBlock() { return layout.isEmpty() ? null : layout.get(0); }

    public void appendToLayout(Block b) {
        if (b.inLayout) throw new IllegalStateException("block " + b.name + " is already in the layout");
        b.inLayout = true;
        layout.add(b);
    }

    public int appendBlockParam(Block b, Type t, String displayName) {
        int v = newValue(t, displayName);
        int[] p = Arrays.copyOf(b.params, b.params.length + 1);
        p[p.length - 1] = v;
        b.params = p;
        defineByParam(v, b);
        return v;
    }

    // ---- instructions ----

    /**
     * Creates result values for an instruction from its opcode and controlling type, and
     * marks them defined by it. Returns the results.
     */
    public int[] makeResults(Inst inst) {
        Type[] types = ResultTypes.of(this, inst);
        int[] r = new int[types.length];
        for (int i = 0; i < types.length; i++) {
            r[i] = newValue(types[i], null);
            defineByInst(r[i], inst);
        }
        inst.results = r;
        return r;
    }

    /**
     * The types an instruction's results must have, from its opcode, controlling type and
     * (for calls) callee signature. The parser names results itself, so it needs the types
     * without makeResults creating fresh values.
     */
    public Type[] resultTypes(Inst inst) { return ResultTypes.of(this, inst); }

    /** Signature of the callee of a call or call_indirect. */
    public Signature calleeSignature(Inst inst) {
        if (inst.op == Opcode.CALL) return sigRefs.get(extFuncs.get(inst.ref).sigRef);
        if (inst.op == Opcode.CALL_INDIRECT) return sigRefs.get(inst.ref);
        throw new IllegalArgumentException(inst.op + " is not a call");
    }

    /** Total instruction count, for limits and statistics. */
    public int instCount() {
        int n = 0;
        for (Block b : layout) n += b.insts.size();
        return n;
    }

    // ---- copying ----

    /**
     * A deep copy of this function: the same name, signature, declarations, values, blocks and
     * instructions, with the same ids and indices, sharing nothing mutable with this one. A pass
     * that rewrites IR (the instrumentation pass) works on a copy, so the caller's function is
     * left as it was.
     *
     * @return a new function that prints, verifies and compiles exactly as this one does
     */
    public Function copy() {
        Function c = new Function(name, signature);
        c.loc = loc;
        c.stackSlots.addAll(stackSlots);
        c.sigRefs.addAll(sigRefs);
        for (ExtFunc e : extFuncs) {
            ExtFunc d = new ExtFunc(e.name, e.sigRef, e.colocated, e.patchable);
            d.loc = e.loc;
            c.extFuncs.add(d);
        }
        java.util.IdentityHashMap<Inst, Inst> insts = new java.util.IdentityHashMap<>();
        for (Block b : blocksById) {
            Block d = new Block(b.id, b.name);
            d.params = b.params.clone();
            d.cold = b.cold;
            d.loc = b.loc;
            d.inLayout = b.inLayout;
            for (Inst i : b.insts) d.insts.add(insts.computeIfAbsent(i, Function::copyInst));
            c.blocksById.add(d);
        }
        for (Block b : layout) c.layout.add(c.blocksById.get(b.id));
        c.valueTypes = valueTypes.clone();
        c.valueNames = valueNames.clone();
        c.defInst = new Inst[defInst.length];
        c.defBlock = new Block[defBlock.length];
        for (int v = 0; v < numValues; v++) {
            if (defInst[v] != null) c.defInst[v] = insts.computeIfAbsent(defInst[v], Function::copyInst);
            if (defBlock[v] != null) c.defBlock[v] = c.blocksById.get(defBlock[v].id);
        }
        c.numValues = numValues;
        return c;
    }

    private static Inst copyInst(Inst i) {
        Inst c = new Inst(i.op);
        c.type = i.type;
        c.args = i.args == null || i.args.length == 0 ? i.args : i.args.clone();
        c.results = i.results == null || i.results.length == 0 ? i.results : i.results.clone();
        c.imm = i.imm;
        c.offset = i.offset;
        c.cond = i.cond;
        c.trapCode = i.trapCode;
        c.ref = i.ref;
        if (i.targets != null) {
            c.targets = new BlockCall[i.targets.length];
            for (int k = 0; k < i.targets.length; k++) {
                BlockCall t = i.targets[k];
                c.targets[k] = t == null ? null : new BlockCall(t.block, t.args);
            }
        }
        c.flags = i.flags;
        c.loc = i.loc;
        return c;
    }

    @Override public String toString() { return FunctionPrinter.print(this); }
}
