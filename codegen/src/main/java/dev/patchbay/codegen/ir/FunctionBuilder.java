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
 *
 * <p>Blocks, values, stack slots and references are the dense int indices of the function being
 * built. Instructions are appended to the current block (see {@link #switchToBlock}); each method
 * that makes an instruction returns its result values. Nothing is checked while building beyond
 * the opcode's format: {@link #finish()} verifies the whole function.
 */
public final class FunctionBuilder {
    private final Function f;
    private Block current;
    private SourceLoc loc = SourceLoc.NONE;

    /**
     * Starts an empty function.
     *
     * @param name the function's name, without the {@code %} sigil
     * @param signature its parameters, returns and calling convention
     */
    public FunctionBuilder(String name, Signature signature) {
        this.f = new Function(name, signature);
    }

    /**
     * The function being built, unverified; {@link #finish()} is the checked way out.
     *
     * @return the function, which this builder keeps appending to
     */
    public Function function() { return f; }

    /**
     * Creates a block; it joins the layout when it is first switched to.
     *
     * @return the new block's index
     */
    public int createBlock() { return f.newBlock(null).id; }

    /**
     * Creates the entry block with one parameter per signature parameter, and switches to it.
     * Call it before any other block joins the layout, since the first block laid out is the entry.
     *
     * @return the entry block's index; {@link #blockParams} gives the parameter values
     */
    public int createEntryBlock() {
        int b = createBlock();
        for (AbiParam p : f.signature.params) appendBlockParam(b, p.type);
        switchToBlock(b);
        return b;
    }

    /**
     * Adds a parameter to a block.
     *
     * @param block the block's index
     * @param t the parameter's type
     * @return the value the parameter defines
     */
    public int appendBlockParam(int block, Type t) { return f.appendBlockParam(f.block(block), t, null); }

    /**
     * A block's parameters.
     *
     * @param block the block's index
     * @return a copy of its parameter values, in order
     */
    public int[] blockParams(int block) { return f.block(block).params.clone(); }

    /**
     * Makes a block the current one, where instructions are appended; the first switch to a
     * block places it at the end of the layout.
     *
     * @param block the block's index
     */
    public void switchToBlock(int block) {
        Block b = f.block(block);
        if (!b.inLayout) f.appendToLayout(b);
        current = b;
    }

    /**
     * Marks a block cold: the backend places cold blocks after the others.
     *
     * @param block the block's index
     */
    public void setCold(int block) { f.block(block).cold = true; }

    /**
     * Declares an explicit stack slot.
     *
     * @param size its size in bytes, at least 0
     * @param align its alignment in bytes, a power of two
     * @return the slot's index, for the stack instructions
     */
    public int createStackSlot(int size, int align) {
        f.stackSlots.add(new StackSlot(size, align));
        return f.stackSlots.size() - 1;
    }

    /**
     * Declares a signature reference, for {@link #callIndirect}.
     *
     * @param s the signature
     * @return the signature reference's index
     */
    public int importSignature(Signature s) {
        f.sigRefs.add(s);
        return f.sigRefs.size() - 1;
    }

    /**
     * Declares a callee. A callee defined in the same module is called directly; any other becomes
     * an import (a hostcall) that the runtime resolves by name.
     *
     * @param name the callee's name, without the {@code %} sigil
     * @param sig its signature
     * @param colocated whether it is in the same module (CLIF's {@code colocated})
     * @param patchable whether calls to it are patch sites, which ship as NOPs; such a callee must
     *     use the preserve_all convention and return nothing
     * @return the function reference's index, for {@link #call} and {@link #funcAddr}
     */
    public int importFunction(String name, Signature sig, boolean colocated, boolean patchable) {
        int s = importSignature(sig);
        f.extFuncs.add(new ExtFunc(name, s, colocated, patchable));
        return f.extFuncs.size() - 1;
    }

    /**
     * The type of a value.
     *
     * @param v the value
     * @return its type
     */
    public Type typeOf(int v) { return f.valueType(v); }

    // ---- instructions ----

    /**
     * Sets the source location every instruction appended from now on carries (a frontend's
     * position: a Wasm code offset, a source line). Emission records it in the module's
     * location table, so traps, samplers and debuggers can name it.
     *
     * @param loc the location, or {@link SourceLoc#NONE}
     */
    public void setSourceLoc(SourceLoc loc) {
        this.loc = loc == null ? SourceLoc.NONE : loc;
    }

    private Inst append(Inst inst) {
        if (current == null) throw new IllegalStateException("no current block: call switchToBlock first");
        if (!inst.loc.isKnown()) inst.loc = loc;
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

    /** Appends a {@code nop}. */
    public void nop() { append(new Inst(Opcode.NOP)); }

    /**
     * Appends an {@code iconst}.
     *
     * @param t the constant's type
     * @param value the constant; bits above the type's width are dropped
     * @return the constant's value
     */
    public int iconst(Type t, long value) {
        Inst i = inst(Opcode.ICONST, t);
        i.imm = t.bits() >= 64 ? value : t.zeroExtend(value);
        return append(i).result();
    }

    /**
     * Appends an {@code f32const}.
     *
     * @param bits the constant's IEEE bit pattern (NaN payloads are kept)
     * @return the constant's value
     */
    public int f32const(int bits) {
        Inst i = inst(Opcode.F32CONST, Type.F32);
        i.imm = bits & 0xFFFF_FFFFL;
        return append(i).result();
    }

    /**
     * Appends an {@code f64const}.
     *
     * @param bits the constant's IEEE bit pattern (NaN payloads are kept)
     * @return the constant's value
     */
    public int f64const(long bits) {
        Inst i = inst(Opcode.F64CONST, Type.F64);
        i.imm = bits;
        return append(i).result();
    }

    /**
     * Appends an {@code fcmp}.
     *
     * @param cc the condition
     * @param a the left operand, f32 or f64
     * @param b the right operand, of the same type
     * @return an i8: 1 if the condition holds, else 0
     */
    public int fcmp(FloatCC cc, int a, int b) {
        Inst i = inst(Opcode.FCMP, f.valueType(a), a, b);
        i.fcond = cc;
        return append(i).result();
    }

    /**
     * Appends {@code fma}: {@code a * b + c}, rounded once.
     *
     * @param a a factor
     * @param b the other factor
     * @param c the addend
     * @return the result
     */
    public int fma(int a, int b, int c) { return append(inst(Opcode.FMA, f.valueType(a), a, b, c)).result(); }

    /**
     * Appends a one-operand instruction whose result has the operand's type ({@code ineg},
     * {@code clz}, {@code bswap}, ...).
     *
     * @param op an opcode of format {@link InstFormat#UNARY} that infers its type
     * @param a the operand
     * @return the result
     * @throws IllegalArgumentException for another format, or for the conversions, which need
     *     {@link #convert}
     */
    public int unary(Opcode op, int a) {
        expectFormat(op, InstFormat.UNARY);
        if (op.ctrl == Opcode.Ctrl.EXPLICIT) throw new IllegalArgumentException(op + " needs a result type: use convert()");
        return append(inst(op, f.valueType(a), a)).result();
    }

    /**
     * Appends a conversion whose result type is given: {@code uextend}, {@code sextend},
     * {@code ireduce}, {@code bmask}, {@code fpromote}, {@code fdemote}, the {@code fcvt_*} family,
     * {@code bitcast}.
     *
     * @param op the conversion
     * @param to the result type
     * @param a the operand
     * @return the result
     */
    public int convert(Opcode op, Type to, int a) {
        expectFormat(op, InstFormat.UNARY);
        return append(inst(op, to, a)).result();
    }

    /**
     * Appends a two-operand instruction with one result of the operands' type ({@code iadd},
     * {@code udiv}, {@code rotl}, ...).
     *
     * @param op an opcode of format {@link InstFormat#BINARY}
     * @param a the left operand
     * @param b the right operand
     * @return the result
     * @throws IllegalArgumentException for another format, or for the overflow ops, which need
     *     {@link #overflow}
     */
    public int binary(Opcode op, int a, int b) {
        expectFormat(op, InstFormat.BINARY);
        if (op.res == Opcode.Res.CTRL_AND_FLAG) throw new IllegalArgumentException(op + " has two results: use overflow()");
        return append(inst(op, f.valueType(a), a, b)).result();
    }

    /**
     * Appends an operation with an immediate right-hand side ({@code iadd_imm}, ...).
     *
     * @param op an opcode of format {@link InstFormat#BINARY_IMM}
     * @param a the operand
     * @param imm the immediate
     * @return the result
     */
    public int binaryImm(Opcode op, int a, long imm) {
        expectFormat(op, InstFormat.BINARY_IMM);
        Inst i = inst(op, f.valueType(a), a);
        i.imm = imm;
        return append(i).result();
    }

    /**
     * Appends one of the overflow ops ({@code uadd_overflow}, ...).
     *
     * @param op the overflow op
     * @param a the left operand
     * @param b the right operand
     * @return the wrapped result and the i8 overflow flag, in that order
     */
    public int[] overflow(Opcode op, int a, int b) {
        expectFormat(op, InstFormat.BINARY);
        return append(inst(op, f.valueType(a), a, b)).results.clone();
    }

    /**
     * Appends one of the carry-in or borrow-in overflow ops ({@code uadd_overflow_cin}, ...).
     *
     * @param op the op
     * @param a the left operand
     * @param b the right operand
     * @param carry the carry or borrow in, an i8 that is 0 or 1
     * @return the wrapped result and the i8 carry or overflow flag, in that order
     */
    public int[] overflowCarry(Opcode op, int a, int b, int carry) {
        expectFormat(op, InstFormat.TERNARY);
        return append(inst(op, f.valueType(a), a, b, carry)).results.clone();
    }

    /**
     * Appends {@code uadd_overflow_trap}.
     *
     * @param a the left operand
     * @param b the right operand
     * @param code what the trap reports if the unsigned sum overflows
     * @return the sum
     */
    public int uaddOverflowTrap(int a, int b, TrapCode code) {
        Inst i = inst(Opcode.UADD_OVERFLOW_TRAP, f.valueType(a), a, b);
        i.trapCode = code;
        return append(i).result();
    }

    /**
     * Appends an {@code icmp}.
     *
     * @param cc the comparison
     * @param a the left operand
     * @param b the right operand
     * @return an i8: 1 if the comparison holds, else 0
     */
    public int icmp(IntCC cc, int a, int b) {
        Inst i = inst(Opcode.ICMP, f.valueType(a), a, b);
        i.cond = cc;
        return append(i).result();
    }

    /**
     * Appends an {@code icmp_imm}.
     *
     * @param cc the comparison
     * @param a the left operand
     * @param imm the right-hand immediate
     * @return an i8: 1 if the comparison holds, else 0
     */
    public int icmpImm(IntCC cc, int a, long imm) {
        Inst i = inst(Opcode.ICMP_IMM, f.valueType(a), a);
        i.cond = cc;
        i.imm = imm;
        return append(i).result();
    }

    /**
     * Appends a {@code select}.
     *
     * @param cond the condition
     * @param a the result if the condition is non-zero
     * @param b the result if it is zero
     * @return the selected value
     */
    public int select(int cond, int a, int b) { return append(inst(Opcode.SELECT, f.valueType(a), cond, a, b)).result(); }

    /**
     * Like {@link #select}, but lowered without a branch on the condition (CLIF's Spectre guard).
     *
     * @param cond the condition
     * @param a the result if the condition is non-zero
     * @param b the result if it is zero
     * @return the selected value
     */
    public int selectSpectreGuard(int cond, int a, int b) {
        return append(inst(Opcode.SELECT_SPECTRE_GUARD, f.valueType(a), cond, a, b)).result();
    }

    /**
     * Appends a {@code bitselect}.
     *
     * @param c the mask
     * @param a where the mask has ones, the result has a's bits
     * @param b where it has zeros, b's
     * @return the merged value
     */
    public int bitselect(int c, int a, int b) { return append(inst(Opcode.BITSELECT, f.valueType(a), c, a, b)).result(); }

    /**
     * Appends a {@code jump}, which ends the current block.
     *
     * @param block the target block
     * @param args the values passed to its parameters
     */
    public void jump(int block, int... args) {
        Inst i = new Inst(Opcode.JUMP);
        i.targets = new BlockCall[] {new BlockCall(block, args)};
        append(i);
    }

    /**
     * Appends a {@code brif}, which ends the current block.
     *
     * @param cond the condition
     * @param thenBlock the target if it is non-zero
     * @param thenArgs the values passed to that target's parameters
     * @param elseBlock the target if it is zero
     * @param elseArgs the values passed to that target's parameters
     */
    public void brif(int cond, int thenBlock, int[] thenArgs, int elseBlock, int[] elseArgs) {
        Inst i = inst(Opcode.BRIF, null, cond);
        i.targets = new BlockCall[] {new BlockCall(thenBlock, thenArgs), new BlockCall(elseBlock, elseArgs)};
        append(i);
    }

    /**
     * Appends a {@code br_table} whose targets take no arguments; it ends the current block.
     *
     * @param index the table index, unsigned
     * @param defaultBlock the target when the index is not below {@code entries.length}
     * @param entries the targets by index
     */
    public void brTable(int index, int defaultBlock, int... entries) {
        Inst i = inst(Opcode.BR_TABLE, null, index);
        i.targets = new BlockCall[entries.length + 1];
        i.targets[0] = new BlockCall(defaultBlock, Inst.NO_VALUES);
        for (int k = 0; k < entries.length; k++) i.targets[k + 1] = new BlockCall(entries[k], Inst.NO_VALUES);
        append(i);
    }

    /**
     * Appends a {@code br_table} whose default and entries pass block arguments; it ends the
     * current block.
     *
     * @param index the table index, unsigned
     * @param defaultCall the target and arguments when the index is not below {@code entries.length}
     * @param entries the targets and arguments by index
     */
    public void brTable(int index, BlockCall defaultCall, BlockCall... entries) {
        Inst i = inst(Opcode.BR_TABLE, null, index);
        i.targets = new BlockCall[entries.length + 1];
        i.targets[0] = new BlockCall(defaultCall.block, defaultCall.args);
        for (int k = 0; k < entries.length; k++) i.targets[k + 1] = new BlockCall(entries[k].block, entries[k].args);
        append(i);
    }

    /**
     * Appends a {@code return}, which ends the current block.
     *
     * @param values the returned values, as the signature lists them
     */
    public void ret(int... values) { append(inst(Opcode.RETURN, null, values)); }

    /**
     * Appends a {@code call}.
     *
     * @param funcRef the callee, from {@link #importFunction}
     * @param args the arguments
     * @return the callee's return values, in order (none for a patchable callee)
     */
    public int[] call(int funcRef, int... args) {
        Inst i = inst(Opcode.CALL, null, args);
        i.ref = funcRef;
        return append(i).results.clone();
    }

    /**
     * Appends a {@code call_indirect}.
     *
     * @param sigRef the callee's signature, from {@link #importSignature}
     * @param callee the callee's address
     * @param args the arguments
     * @return the callee's return values, in order
     */
    public int[] callIndirect(int sigRef, int callee, int... args) {
        int[] all = new int[args.length + 1];
        all[0] = callee;
        System.arraycopy(args, 0, all, 1, args.length);
        Inst i = inst(Opcode.CALL_INDIRECT, null, all);
        i.ref = sigRef;
        return append(i).results.clone();
    }

    /**
     * Appends a {@code func_addr}.
     *
     * @param t the address type, i64 on x86-64
     * @param funcRef the function, from {@link #importFunction}
     * @return its address
     */
    public int funcAddr(Type t, int funcRef) {
        Inst i = inst(Opcode.FUNC_ADDR, t);
        i.ref = funcRef;
        return append(i).result();
    }

    /**
     * Appends a {@code stack_load}.
     *
     * @param t the loaded type
     * @param slot the stack slot, from {@link #createStackSlot}
     * @param offset the byte offset in the slot
     * @return the loaded value
     */
    public int stackLoad(Type t, int slot, int offset) {
        Inst i = inst(Opcode.STACK_LOAD, t);
        i.ref = slot;
        i.offset = offset;
        return append(i).result();
    }

    /**
     * Appends a {@code stack_store}.
     *
     * @param value the value to store; its type sets the width
     * @param slot the stack slot, from {@link #createStackSlot}
     * @param offset the byte offset in the slot
     */
    public void stackStore(int value, int slot, int offset) {
        Inst i = inst(Opcode.STACK_STORE, f.valueType(value), value);
        i.ref = slot;
        i.offset = offset;
        append(i);
    }

    /**
     * Appends a {@code stack_addr}.
     *
     * @param t the address type, i64 on x86-64
     * @param slot the stack slot, from {@link #createStackSlot}
     * @param offset the byte offset in the slot
     * @return the address
     */
    public int stackAddr(Type t, int slot, int offset) {
        Inst i = inst(Opcode.STACK_ADDR, t);
        i.ref = slot;
        i.offset = offset;
        return append(i).result();
    }

    /**
     * Appends a load: {@code load}, {@code uload8}, {@code sload8} and the other narrow loads.
     *
     * @param op the load
     * @param t the result type
     * @param flags the memory flags ({@link MemFlags#NONE} for none)
     * @param addr the base address
     * @param offset the byte offset added to it
     * @return the loaded value
     */
    public int load(Opcode op, Type t, MemFlags flags, int addr, int offset) {
        expectFormat(op, InstFormat.LOAD);
        Inst i = inst(op, t, addr);
        i.flags = flags;
        i.offset = offset;
        return append(i).result();
    }

    /**
     * Appends a store: {@code store}, {@code istore8}, {@code istore16} or {@code istore32}.
     *
     * @param op the store
     * @param flags the memory flags ({@link MemFlags#NONE} for none)
     * @param value the value to store
     * @param addr the base address
     * @param offset the byte offset added to it
     */
    public void store(Opcode op, MemFlags flags, int value, int addr, int offset) {
        expectFormat(op, InstFormat.STORE);
        Inst i = inst(op, f.valueType(value), value, addr);
        i.flags = flags;
        i.offset = offset;
        append(i);
    }

    /**
     * Appends a {@code trap}, which ends the current block.
     *
     * @param code what the trap reports
     */
    public void trap(TrapCode code) {
        Inst i = new Inst(Opcode.TRAP);
        i.trapCode = code;
        append(i);
    }

    /**
     * Appends a {@code trapz}.
     *
     * @param cond traps if this is zero
     * @param code what the trap reports
     */
    public void trapz(int cond, TrapCode code) { condTrap(Opcode.TRAPZ, cond, code); }

    /**
     * Appends a {@code trapnz}.
     *
     * @param cond traps if this is non-zero
     * @param code what the trap reports
     */
    public void trapnz(int cond, TrapCode code) { condTrap(Opcode.TRAPNZ, cond, code); }

    private void condTrap(Opcode op, int cond, TrapCode code) {
        Inst i = inst(op, null, cond);
        i.trapCode = code;
        append(i);
    }

    /**
     * Appends a {@code get_frame_pointer.i64}.
     *
     * @return the frame pointer
     */
    public int getFramePointer() { return append(inst(Opcode.GET_FRAME_POINTER, Type.I64)).result(); }

    /**
     * Appends a {@code get_stack_pointer.i64}.
     *
     * @return the stack pointer
     */
    public int getStackPointer() { return append(inst(Opcode.GET_STACK_POINTER, Type.I64)).result(); }

    /**
     * Appends a {@code get_return_address.i64}.
     *
     * @return the current function's return address
     */
    public int getReturnAddress() { return append(inst(Opcode.GET_RETURN_ADDRESS, Type.I64)).result(); }

    /**
     * Verifies the function and returns it.
     *
     * @return the finished function
     * @throws dev.patchbay.codegen.verify.VerifierException listing every error, if it is not
     *     valid IR
     */
    public Function finish() {
        Verifier.verifyOrThrow(f);
        return f;
    }
}
