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

    @Override public String toString() { return FunctionPrinter.print(this); }
}
