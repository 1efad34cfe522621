/*
 * The Java API for building IR, for frontends that generate code directly instead of
 * writing CLIF text. It appends instructions to a current block, creates result values
 * with the right types, and leaves all checking to the verifier, which finish() runs.
 */
package dev.patchbay.codegen.ir;

import dev.patchbay.codegen.verify.Verifier;

import java.util.List;

/**
 * Builds IR from Java, for frontends that generate code directly rather than writing CLIF text;
 * {@code finish()} runs the verifier.
 */
public final class FunctionBuilder {
    private final Function f;
    private Block current;

    public FunctionBuilder(String name, Signature signature) {
        this.f = new Function(name, signature);
    }

    public Function function() { return f; }

    /** Creates a block; it joins the layout when it is first switched to. */
    public int createBlock() { return f.newBlock(null).id; }

    /** Creates the entry block with one parameter per signature parameter, and switches to it. */
    public int createEntryBlock() {
        int b = createBlock();
        for (AbiParam p : f.signature.params) appendBlockParam(b, p.type);
        switchToBlock(b);
        return b;
    }

    public int appendBlockParam(int block, Type t) { return f.appendBlockParam(f.block(block), t, null); }

    public int[] blockParams(int block) { return f.block(block).params.clone(); }

    public void switchToBlock(int block) {
        Block b = f.block(block);
        if (!b.inLayout) f.appendToLayout(b);
        current = b;
    }

    public void setCold(int block) { f.block(block).cold = true; }

    public int createStackSlot(int size, int align) {
        f.stackSlots.add(new StackSlot(size, align));
        return f.stackSlots.size() - 1;
    }

    public int importSignature(Signature s) {
        f.sigRefs.add(s);
        return f.sigRefs.size() - 1;
    }

    public int importFunction(String name, Signature sig, boolean colocated, boolean patchable) {
        int s = importSignature(sig);
        f.extFuncs.add(new ExtFunc(name, s, colocated, patchable));
        return f.extFuncs.size() - 1;
    }

    public Type typeOf(int v) { return f.valueType(v); }

    // ---- instructions ----

    private Inst append(Inst inst) {
        if (current == null) throw new IllegalStateException("no current block: call switchToBlock first");
        f.makeResults(inst);
        current.insts.add(inst);
        return inst;
    }

    private static Inst inst(Opcode op, Type t, int... args) {
        Inst i = new Inst(op);
        i.type = t;
        i.args = args;
        return i;
    }

    private void expectFormat(Opcode op, InstFormat... formats) {
        for (InstFormat fm : formats) if (op.format == fm) return;
        throw new IllegalArgumentException(op + " has format " + op.format + ", expected one of " + List.of(formats));
    }

    public void nop() { append(new Inst(Opcode.NOP)); }

    public int iconst(Type t, long value) {
        Inst i = inst(Opcode.ICONST, t);
        i.imm = t.bits() >= 64 ? value : t.zeroExtend(value);
        return append(i).result();
    }

    public int unary(Opcode op, int a) {
        expectFormat(op, InstFormat.UNARY);
        if (op.ctrl == Opcode.Ctrl.EXPLICIT) throw new IllegalArgumentException(op + " needs a result type: use convert()");
        return append(inst(op, f.valueType(a), a)).result();
    }

    /** uextend, sextend, ireduce and bmask: the result type is given. */
    public int convert(Opcode op, Type to, int a) {
        expectFormat(op, InstFormat.UNARY);
        return append(inst(op, to, a)).result();
    }

    public int binary(Opcode op, int a, int b) {
        expectFormat(op, InstFormat.BINARY);
        if (op.res == Opcode.Res.CTRL_AND_FLAG) throw new IllegalArgumentException(op + " has two results: use overflow()");
        return append(inst(op, f.valueType(a), a, b)).result();
    }

    public int binaryImm(Opcode op, int a, long imm) {
        expectFormat(op, InstFormat.BINARY_IMM);
        Inst i = inst(op, f.valueType(a), a);
        i.imm = imm;
        return append(i).result();
    }

    /** The overflow ops: returns {result, flag}. */
    public int[] overflow(Opcode op, int a, int b) {
        expectFormat(op, InstFormat.BINARY);
        return append(inst(op, f.valueType(a), a, b)).results.clone();
    }

    /** The carry-in/borrow-in overflow ops: returns {result, flag}. */
    public int[] overflowCarry(Opcode op, int a, int b, int carry) {
        expectFormat(op, InstFormat.TERNARY);
        return append(inst(op, f.valueType(a), a, b, carry)).results.clone();
    }

    public int uaddOverflowTrap(int a, int b, TrapCode code) {
        Inst i = inst(Opcode.UADD_OVERFLOW_TRAP, f.valueType(a), a, b);
        i.trapCode = code;
        return append(i).result();
    }

    public int icmp(IntCC cc, int a, int b) {
        Inst i = inst(Opcode.ICMP, f.valueType(a), a, b);
        i.cond = cc;
        return append(i).result();
    }

    public int icmpImm(IntCC cc, int a, long imm) {
        Inst i = inst(Opcode.ICMP_IMM, f.valueType(a), a);
        i.cond = cc;
        i.imm = imm;
        return append(i).result();
    }

    public int select(int cond, int a, int b) { return append(inst(Opcode.SELECT, f.valueType(a), cond, a, b)).result(); }

    /** Like select, but lowered without a branch on the condition (CLIF's Spectre guard). */
    public int selectSpectreGuard(int cond, int a, int b) {
        return append(inst(Opcode.SELECT_SPECTRE_GUARD, f.valueType(a), cond, a, b)).result();
    }

    public int bitselect(int c, int a, int b) { return append(inst(Opcode.BITSELECT, f.valueType(a), c, a, b)).result(); }

    public void jump(int block, int... args) {
        Inst i = new Inst(Opcode.JUMP);
        i.targets = new BlockCall[] {new BlockCall(block, args)};
        append(i);
    }

    public void brif(int cond, int thenBlock, int[] thenArgs, int elseBlock, int[] elseArgs) {
        Inst i = inst(Opcode.BRIF, null, cond);
        i.targets = new BlockCall[] {new BlockCall(thenBlock, thenArgs), new BlockCall(elseBlock, elseArgs)};
        append(i);
    }

    public void brTable(int index, int defaultBlock, int... entries) {
        Inst i = inst(Opcode.BR_TABLE, null, index);
        i.targets = new BlockCall[entries.length + 1];
        i.targets[0] = new BlockCall(defaultBlock, Inst.NO_VALUES);
        for (int k = 0; k < entries.length; k++) i.targets[k + 1] = new BlockCall(entries[k], Inst.NO_VALUES);
        append(i);
    }

    /** br_table whose default and entries pass block arguments. */
    public void brTable(int index, BlockCall defaultCall, BlockCall... entries) {
        Inst i = inst(Opcode.BR_TABLE, null, index);
        i.targets = new BlockCall[entries.length + 1];
        i.targets[0] = new BlockCall(defaultCall.block, defaultCall.args);
        for (int k = 0; k < entries.length; k++) i.targets[k + 1] = new BlockCall(entries[k].block, entries[k].args);
        append(i);
    }

    public void ret(int... values) { append(inst(Opcode.RETURN, null, values)); }

    public int[] call(int funcRef, int... args) {
        Inst i = inst(Opcode.CALL, null, args);
        i.ref = funcRef;
        return append(i).results.clone();
    }

    public int[] callIndirect(int sigRef, int callee, int... args) {
        int[] all = new int[args.length + 1];
        all[0] = callee;
        System.arraycopy(args, 0, all, 1, args.length);
        Inst i = inst(Opcode.CALL_INDIRECT, null, all);
        i.ref = sigRef;
        return append(i).results.clone();
    }

    public int funcAddr(Type t, int funcRef) {
        Inst i = inst(Opcode.FUNC_ADDR, t);
        i.ref = funcRef;
        return append(i).result();
    }

    public int stackLoad(Type t, int slot, int offset) {
        Inst i = inst(Opcode.STACK_LOAD, t);
        i.ref = slot;
        i.offset = offset;
        return append(i).result();
    }

    public void stackStore(int value, int slot, int offset) {
        Inst i = inst(Opcode.STACK_STORE, f.valueType(value), value);
        i.ref = slot;
        i.offset = offset;
        append(i);
    }

    public int stackAddr(Type t, int slot, int offset) {
        Inst i = inst(Opcode.STACK_ADDR, t);
        i.ref = slot;
        i.offset = offset;
        return append(i).result();
    }

    /** load, uload8, sload8, ... */
    public int load(Opcode op, Type t, MemFlags flags, int addr, int offset) {
        expectFormat(op, InstFormat.LOAD);
        Inst i = inst(op, t, addr);
        i.flags = flags;
        i.offset = offset;
        return append(i).result();
    }

    /** store, istore8, istore16, istore32 */
    public void store(Opcode op, MemFlags flags, int value, int addr, int offset) {
        expectFormat(op, InstFormat.STORE);
        Inst i = inst(op, f.valueType(value), value, addr);
        i.flags = flags;
        i.offset = offset;
        append(i);
    }

    public void trap(TrapCode code) {
        Inst i = new Inst(Opcode.TRAP);
        i.trapCode = code;
        append(i);
    }

    public void trapz(int cond, TrapCode code) { condTrap(Opcode.TRAPZ, cond, code); }

    public void trapnz(int cond, TrapCode code) { condTrap(Opcode.TRAPNZ, cond, code); }

    private void condTrap(Opcode op, int cond, TrapCode code) {
        Inst i = inst(op, null, cond);
        i.trapCode = code;
        append(i);
    }

    public int getFramePointer() { return append(inst(Opcode.GET_FRAME_POINTER, Type.I64)).result(); }

    public int getStackPointer() { return append(inst(Opcode.GET_STACK_POINTER, Type.I64)).result(); }

    public int getReturnAddress() { return append(inst(Opcode.GET_RETURN_ADDRESS, Type.I64)).result(); }

    /** Verifies the function and returns it; throws VerifierException listing every error. */
    public Function finish() {
        Verifier.verifyOrThrow(f);
        return f;
    }
}
