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
    /** The function's name, without the {@code %} sigil; user names such as {@code u0:1} keep their colon. */
    public String name;
    /** Its parameters, returns and calling convention. */
    public Signature signature;
    /** Where the function's declaration starts in CLIF text, or {@link SourceLoc#NONE}. */
    public SourceLoc loc = SourceLoc.NONE;
    /** Explicit stack slots, indexed by slot number ({@code ss0}, {@code ss1}, ...). */
    public final List<StackSlot> stackSlots = new ArrayList<>();
    /**
     * Signature references, indexed by number ({@code sig0}, ...): the callee signatures of
     * {@code call_indirect} and of every {@link ExtFunc}.
     */
    public final List<Signature> sigRefs = new ArrayList<>();
    /**
     * Function references, indexed by number ({@code fn0}, ...): the callees of {@code call}
     * and {@code func_addr}.
     */
    public final List<ExtFunc> extFuncs = new ArrayList<>();
    private final List<Block> blocksById = new ArrayList<>();
    /** The blocks in layout order, entry first. Blocks created but never placed are not in it. */
    public final List<Block> layout = new ArrayList<>();

    private Type[] valueTypes = new Type[16];
    private String[] valueNames = new String[16];
    private Inst[] defInst = new Inst[16];
    private Block[] defBlock = new Block[16];
    private int numValues;

    /**
     * An empty function: no blocks, values or declarations.
     *
     * @param name the function's name, without the {@code %} sigil
     * @param signature its parameters, returns and calling convention
     */
    public Function(String name, Signature signature) {
        this.name = name;
        this.signature = signature;
    }

    // ---- values ----

    /**
     * Creates a value, not yet defined by anything (see {@link #defineByInst} and
     * {@link #defineByParam}).
     *
     * @param type its type; null until the definition is seen (the parser's forward references)
     * @param displayName its name in CLIF text, such as {@code "v10"}, or null for the default
     *     {@code v<number>}
     * @return the new value's number
     */
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

    /**
     * The number of values created.
     *
     * @return one more than the highest value number
     */
    public int numValues() { return numValues; }

    /**
     * The type of a value.
     *
     * @param v a value number
     * @return its type, or null if it is not known yet
     */
    public Type valueType(int v) { return valueTypes[v]; }

    /**
     * Sets the type of a value (the parser, once a forward reference is defined).
     *
     * @param v a value number
     * @param t its type
     */
    public void setValueType(int v, Type t) { valueTypes[v] = t; }

    /**
     * The name a value prints with.
     *
     * @param v a value number
     * @return its CLIF name, or {@code v<number>} if it was given none
     */
    public String valueName(int v) {
        String n = valueNames[v];
        return n != null ? n : "v" + v;
    }

    /**
     * The name a value was given, if any: what {@link #valueName} says without making the
     * default {@code v<number>} string (the value table keeps this and names on demand).
     *
     * @param v a value number
     * @return its CLIF name, or null if it was given none
     */
    public String givenValueName(int v) { return valueNames[v]; }

    /**
     * The instruction that defines a value.
     *
     * @param v a value number
     * @return the instruction, or null if v is a block parameter (or undefined)
     */
    public Inst valueDefInst(int v) { return defInst[v]; }

    /**
     * The block whose parameter a value is.
     *
     * @param v a value number
     * @return the block, or null if v is an instruction result (or undefined)
     */
    public Block valueDefBlock(int v) { return defBlock[v]; }

    /**
     * Whether a value has a definition, as an instruction result or a block parameter.
     *
     * @param v a value number
     * @return true if something defines it
     */
    public boolean isDefined(int v) { return defInst[v] != null || defBlock[v] != null; }

    /**
     * Records that an instruction defines a value.
     *
     * @param v a value number
     * @param inst the instruction whose result it is
     */
    public void defineByInst(int v, Inst inst) { defInst[v] = inst; }

    /**
     * Records that a value is a block's parameter.
     *
     * @param v a value number
     * @param b the block
     */
    public void defineByParam(int v, Block b) { defBlock[v] = b; }

    // ---- blocks ----

    /**
     * Creates a block, not yet in the layout (see {@link #appendToLayout}).
     *
     * @param displayName its name in CLIF text, or null for {@code block<id>}
     * @return the block, whose id is the number of blocks created before it
     */
    public Block newBlock(String displayName) {
        Block b = new Block(blocksById.size(), displayName != null ? displayName : "block" + blocksById.size());
        blocksById.add(b);
        return b;
    }

    /**
     * A block by id.
     *
     * @param id the block's id, in [0, {@link #numBlocks()})
     * @return the block
     */
    public Block block(int id) { return blocksById.get(id); }

    /**
     * The number of blocks created, in the layout or not.
     *
     * @return one more than the highest block id
     */
    public int numBlocks() { return blocksById.size(); }

    /**
     * The entry block: the first in the layout.
     *
     * @return the entry block, or null if the layout is empty
     */
    public Block entryBlock() { return layout.isEmpty() ? null : layout.get(0); }

    /**
     * Places a block at the end of the layout.
     *
     * @param b a block of this function
     * @throws IllegalStateException if it is already in the layout
     */
    public void appendToLayout(Block b) {
        if (b.inLayout) throw new IllegalStateException("block " + b.name + " is already in the layout");
        b.inLayout = true;
        layout.add(b);
    }

    /**
     * Adds a parameter to a block.
     *
     * @param b the block
     * @param t the parameter's type
     * @param displayName its CLIF name, or null for the default
     * @return the value the parameter defines
     */
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
     * marks them defined by it.
     *
     * @param inst an instruction of this function, with its operands and type set
     * @return its results, also stored in {@link Inst#results}
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
     *
     * @param inst an instruction of this function
     * @return the result types, in order; empty for none
     */
    public Type[] resultTypes(Inst inst) { return ResultTypes.of(this, inst); }

    /**
     * Signature of the callee of a call or call_indirect.
     *
     * @param inst a {@code call} or {@code call_indirect} of this function
     * @return the callee's signature
     * @throws IllegalArgumentException for any other opcode
     */
    public Signature calleeSignature(Inst inst) {
        if (inst.op == Opcode.CALL) return sigRefs.get(extFuncs.get(inst.ref).sigRef);
        if (inst.op == Opcode.CALL_INDIRECT) return sigRefs.get(inst.ref);
        throw new IllegalArgumentException(inst.op + " is not a call");
    }

    /**
     * Total instruction count of the blocks in the layout, for limits and statistics.
     *
     * @return the number of instructions
     */
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
        c.fcond = i.fcond;
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
