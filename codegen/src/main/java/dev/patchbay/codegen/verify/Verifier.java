/*
 * Checks that a Function is well-formed IR before anything lowers it, whether it came from
 * CLIF text or from FunctionBuilder. The backend may then assume what is checked here
 * (types agree, every use is dominated by its definition, entities exist) instead of
 * failing obscurely or emitting wrong code on bad input.
 *
 * The verifier reports every error it finds rather than stopping at the first. Each check
 * guards against the malformations earlier checks found (a missing type, an out-of-range
 * reference), so one mistake does not cascade into a crash or a flood of follow-on errors.
 * Type rules follow Cranelift's, for the scalar integer and float types: every opcode is
 * integer-only, float-only, or (bitwise ops, select, memory, calls) either, and the
 * conversions check both sides (typeClass, unary).
 *
 * Cost is linear in the function: a 200,000-instruction function is a normal input (issue
 * 15). So where each value is defined (block and index) is kept in arrays by value number,
 * dominance between blocks is a constant-time check on a numbered dominator tree
 * (DominatorTree), and the same-block rule compares instruction indices.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionPrinter;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.InstFormat;
import dev.patchbay.codegen.ir.Limits;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.ir.StackSlot;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a function is well-formed IR before anything lowers it, whether it came from CLIF
 * text or a FunctionBuilder, and reports every error it finds rather than the first.
 */
public final class Verifier {
    private final Function f;
    private final String fnName;
    private final List<VerifierError> errors = new ArrayList<>();
    /**
     * Every instruction in the layout and its block (the last, if it appears twice); built
     * only for bad IR (a value whose defining instruction does not list it), since hashing
     * every instruction was a tenth of a 200k-instruction compile (issue 15).
     */
    private Map<Inst, Block> instBlock;
    /**
     * By value number, for a value that its defining instruction lists among its results:
     * that instruction's block and index in the layout; null and -1 if it is not in the layout.
     */
    private Block[] defBlockOf;
    private int[] defIndexOf;
    /** By value number: a parameter of the block that defines it, which is in the layout. */
    private boolean[] paramInLayout;
    /** Instruction indices, only for values whose defining instruction does not list them (bad IR). */
    private Map<Inst, Integer> instIndex;
    /** Dedupes the values one instruction uses: the stamp of the instruction that last saw each. */
    private int[] seenBy;
    private int stamp;

    private Verifier(Function f) {
        this.f = f;
        this.fnName = f.name != null && f.name.contains(":") ? f.name : "%" + f.name;
    }

    /**
     * All errors in a function, in layout order.
     *
     * @param f the function; it is only read
     * @return the errors, unmodifiable; empty if f is valid
     */
    public static List<VerifierError> verify(Function f) {
        Verifier v = new Verifier(f);
        v.run();
        return List.copyOf(v.errors);
    }

    /**
     * Verifies a function, throwing if it is invalid.
     *
     * @param f the function; it is only read
     * @throws VerifierException with every error, if f is invalid
     */
    public static void verifyOrThrow(Function f) {
        List<VerifierError> errs = verify(f);
        if (!errs.isEmpty()) throw new VerifierException(errs);
    }

    private void run() {
        if (f.signature == null) {
            fnError(f.loc, "function has no signature");
            return;
        }
        signatures();
        stackSlots();
        externalFunctions();
        if (f.layout.isEmpty()) {
            fnError(f.loc, "function has no blocks");
            return;
        }
        int nvals = f.numValues();
        // Instructions with results are told apart by their results' slots; only those
        // without results (stores, branches, calls of nothing) need an identity set to find
        // an instruction object that appears twice.
        java.util.Set<Inst> resultless = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        defBlockOf = new Block[nvals];
        defIndexOf = new int[nvals];
        paramInLayout = new boolean[nvals];
        seenBy = new int[nvals];
        for (Block b : f.layout) {
            for (int i = 0; i < b.insts.size(); i++) {
                Inst inst = b.insts.get(i);
                boolean twice = false, listed = false;
                if (inst.results != null) {
                    for (int r : inst.results) {
                        if (validValue(r) && f.valueDefInst(r) == inst) {
                            listed = true;
                            twice |= defBlockOf[r] != null;
                            defBlockOf[r] = b;
                            defIndexOf[r] = i;
                        }
                    }
                }
                if (!listed) twice = !resultless.add(inst);
                if (twice) instError(b, inst, "the same instruction object appears twice in the layout");
            }
        }
        for (int k = 0; k < f.numBlocks(); k++) {
            Block p = f.block(k);
            if (!p.inLayout || p.params == null) continue;
            for (int q : p.params) if (validValue(q) && f.valueDefBlock(q) == p) paramInLayout[q] = true;
        }
        DominatorTree dom = DominatorTree.compute(f);
        // Block by block, so errors come out in layout order.
        for (Block b : f.layout) {
            blockParams(b);
            if (b == f.layout.get(0)) entryParams(b);
            for (int i = 0; i < b.insts.size(); i++) {
                Inst inst = b.insts.get(i);
                if (inst.op.isTerminator() && i < b.insts.size() - 1) {
                    instError(b, inst, "terminator " + inst.op + " must be the last instruction of its block");
                }
                instruction(b, inst);
                // Code that cannot run cannot observe an undefined value; Cranelift skips it too.
                if (dom.isReachable(b)) dominance(dom, b, inst, i);
            }
            blockEnd(b);
        }
    }

    // ---- function-level ----

    private void signatures() {
        unsupportedIn(f.signature, "the signature");
        limitsOf(f.signature, "the signature");
        for (int i = 0; i < f.sigRefs.size(); i++) {
            unsupportedIn(f.sigRefs.get(i), "sig" + i);
            limitsOf(f.sigRefs.get(i), "sig" + i);
        }
    }

    /** See Limits: the trampolines write arguments below the guest before any stack check. */
    private void limitsOf(Signature s, String what) {
        if (s.params.size() > Limits.MAX_PARAMS) {
            fnError(f.loc, what + " has " + s.params.size() + " parameters, over the limit of " + Limits.MAX_PARAMS);
        }
        if (s.returns.size() > Limits.MAX_RETURNS) {
            fnError(f.loc, what + " returns " + s.returns.size() + " values, over the limit of " + Limits.MAX_RETURNS);
        }
    }

    /**
     * The explicit stack slots together, laid out as the backend does (each aligned to at
     * most 16), must stay within Limits.MAX_STACK_SLOT_BYTES: frame offsets are 32-bit
     * displacements, and a frame that wrapped would put slots over the return address.
     */
    private void stackSlots() {
        long total = 0;
        for (int i = 0; i < f.stackSlots.size(); i++) {
            StackSlot s = f.stackSlots.get(i);
            long align = Math.min(Math.max(s.align, 1), 16);
            total = (total + align - 1) / align * align + s.size;
            if (total > Limits.MAX_STACK_SLOT_BYTES) {
                fnError(s.loc.isKnown() ? s.loc : f.loc, "the stack slots up to ss" + i + " need " + total
                    + " bytes, over the limit of " + Limits.MAX_STACK_SLOT_BYTES + " bytes (1 GiB) per function");
                return;
            }
        }
    }

    private void unsupportedIn(Signature s, String what) {
        for (AbiParam p : s.params) {
            if (p.type == null || !p.type.isSupported()) fnError(f.loc, what + " has a parameter of unsupported type " + p.type);
        }
        for (AbiParam p : s.returns) {
            if (p.type == null || !p.type.isSupported()) fnError(f.loc, what + " returns unsupported type " + p.type);
        }
    }

    private void externalFunctions() {
        for (int i = 0; i < f.extFuncs.size(); i++) {
            ExtFunc e = f.extFuncs.get(i);
            SourceLoc loc = e.loc.isKnown() ? e.loc : f.loc;
            String what = "fn" + i + " (" + calleeName(e) + ")";
            if (e.sigRef < 0 || e.sigRef >= f.sigRefs.size()) {
                fnError(loc, what + " refers to sig" + e.sigRef + ", which does not exist");
                continue;
            }
            if (!e.patchable) continue;
            // A patch site ships as a NOP and is turned into a call at run time, with no
            // argument setup and no register saved around it: the callee must save
            // everything (preserve_all) and can hand nothing back.
            Signature s = f.sigRefs.get(e.sigRef);
            if (s.callConv != CallConv.PRESERVE_ALL) {
                fnError(loc, what + " is patchable, so its signature must use the preserve_all calling convention, not "
                    + s.callConv.clifName());
            }
            if (!s.returns.isEmpty()) {
                fnError(loc, what + " is patchable, so it must not return values, but it returns " + typesOf(s.returns));
            }
        }
    }

    // ---- blocks ----

    private void blockEnd(Block b) {
        if (b.insts.isEmpty()) {
            blockError(b, "block is empty: it must end with a terminator");
            return;
        }
        Inst last = b.terminator();
        if (!last.op.isTerminator()) {
            blockError(b, "block does not end with a terminator; its last instruction is \"" + text(last) + "\"");
        }
    }

    private void blockParams(Block b) {
        for (int v : b.params) {
            if (!validValue(v)) {
                blockError(b, "block parameter " + v + " does not exist");
            } else if (f.valueDefBlock(v) != b) {
                blockError(b, "parameter " + f.valueName(v) + " is not defined by this block");
            } else if (f.valueType(v) == null || !f.valueType(v).isSupported()) {
                blockError(b, "parameter " + f.valueName(v) + " has unsupported type " + f.valueType(v));
            }
        }
    }

    private void entryParams(Block entry) {
        List<AbiParam> sig = f.signature.params;
        if (entry.params.length != sig.size()) {
            blockError(entry, "entry block has " + count(entry.params.length, "parameter") + ", but the signature has "
                + sig.size());
            return;
        }
        for (int i = 0; i < sig.size(); i++) {
            int v = entry.params[i];
            Type t = validValue(v) ? f.valueType(v) : null;
            if (t != null && t != sig.get(i).type) {
                blockError(entry, "entry block parameter " + f.valueName(v) + " has type " + t + ", but the signature says "
                    + sig.get(i).type);
            }
        }
    }

    // ---- instructions ----

    private void instruction(Block b, Inst inst) {
        if (!arity(b, inst)) return;
        for (int v : inst.args) used(b, inst, v);
        if (!refs(b, inst)) return;
        if (inst.targets != null) {
            for (BlockCall bc : inst.targets) blockCall(b, inst, bc);
        }
        Type t = inst.type;
        if (needsType(inst.op)) {
            if (t == null) {
                instError(b, inst, inst.op + " has no controlling type");
                return;
            }
            if (!t.isSupported()) {
                instError(b, inst, "controlling type " + t + " is not supported");
                return;
            }
        }
        types(b, inst, t);
        results(b, inst);
    }

    private static boolean needsType(Opcode op) {
        return op.ctrl == Opcode.Ctrl.EXPLICIT || op.ctrl == Opcode.Ctrl.ARG0 || op.ctrl == Opcode.Ctrl.ARG1
            || op.res == Opcode.Res.CTRL || op.res == Opcode.Res.CTRL_AND_FLAG;
    }

    /** Checks operand and target counts for the format; false if the shape is too broken to go on. */
    private boolean arity(Block b, Inst inst) {
        if (inst.args == null) {
            instError(b, inst, "operand list is missing");
            return false;
        }
        int n = inst.args.length;
        int want;
        switch (inst.op.format) {
            case NULLARY: case UNARY_IMM: case JUMP: case FUNC_ADDR: case STACK_LOAD: case STACK_ADDR: case TRAP:
                want = 0;
                break;
            case UNARY: case BINARY_IMM: case INT_COMPARE_IMM: case BRIF: case BRANCH_TABLE: case STACK_STORE:
            case LOAD: case COND_TRAP:
                want = 1;
                break;
            case BINARY: case INT_COMPARE: case INT_ADD_TRAP: case STORE:
                want = 2;
                break;
            case TERNARY:
                want = 3;
                break;
            case CALL_INDIRECT:
                if (n < 1) {
                    instError(b, inst, "call_indirect needs a callee address operand");
                    return false;
                }
                want = -1;
                break;
            default:
                want = -1; // return, call: checked against the signature
        }
        if (want >= 0 && n != want) {
            instError(b, inst, inst.op + " takes " + count(want, "value operand") + ", found " + n);
            return false;
        }
        int targets = inst.targets == null ? 0 : inst.targets.length;
        switch (inst.op.format) {
            case JUMP:
                return expectTargets(b, inst, targets, 1);
            case BRIF:
                return expectTargets(b, inst, targets, 2);
            case BRANCH_TABLE:
                if (targets < 1) {
                    instError(b, inst, "br_table needs a default target");
                    return false;
                }
                return true;
            default:
                return expectTargets(b, inst, targets, 0);
        }
    }

    private boolean expectTargets(Block b, Inst inst, int have, int want) {
        if (have == want) return true;
        instError(b, inst, inst.op + " takes " + count(want, "branch target") + ", found " + have);
        return false;
    }

    /** Checks that a used value exists and is defined in the layout. */
    private boolean used(Block b, Inst inst, int v) {
        if (!validValue(v)) {
            instError(b, inst, "uses value number " + v + ", which does not exist");
            return false;
        }
        if (!definedInLayout(v)) {
            instError(b, inst, "undefined value " + f.valueName(v));
            return false;
        }
        return true;
    }

    private boolean validValue(int v) { return v >= 0 && v < f.numValues(); }

    private boolean definedInLayout(int v) {
        Inst d = f.valueDefInst(v);
        if (d != null) return defBlockOf[v] != null || instBlocks().containsKey(d);
        return paramInLayout[v];
    }

    /** Every instruction in the layout and its block, built on first use (bad IR only). */
    private Map<Inst, Block> instBlocks() {
        if (instBlock == null) {
            instBlock = new IdentityHashMap<>(f.instCount());
            for (Block b : f.layout) for (Inst i : b.insts) instBlock.put(i, b);
        }
        return instBlock;
    }

    /** The index of v's defining instruction in its block; v is defined by an instruction in the layout. */
    private int defIndex(int v, Inst def) {
        if (defBlockOf[v] != null) return defIndexOf[v];
        if (instIndex == null) {
            instIndex = new IdentityHashMap<>(f.instCount());
            for (Block b : f.layout) for (int i = 0; i < b.insts.size(); i++) instIndex.put(b.insts.get(i), i);
        }
        return instIndex.get(def);
    }

    /** Type of a usable value, or null if it is invalid or undefined (already reported). */
    private Type typeOf(int v) {
        return validValue(v) && definedInLayout(v) ? f.valueType(v) : null;
    }

    /** Entity references; false if the instruction cannot be checked further. */
    private boolean refs(Block b, Inst inst) {
        switch (inst.op.format) {
            case CALL: case FUNC_ADDR:
                if (inst.ref < 0 || inst.ref >= f.extFuncs.size()) {
                    instError(b, inst, "fn" + inst.ref + " does not exist");
                    return false;
                }
                int s = f.extFuncs.get(inst.ref).sigRef;
                return s >= 0 && s < f.sigRefs.size(); // a bad sigRef is reported with the declaration
            case CALL_INDIRECT:
                if (inst.ref < 0 || inst.ref >= f.sigRefs.size()) {
                    instError(b, inst, "sig" + inst.ref + " does not exist");
                    return false;
                }
                return true;
            case STACK_LOAD: case STACK_STORE: case STACK_ADDR:
                if (inst.ref < 0 || inst.ref >= f.stackSlots.size()) {
                    instError(b, inst, "ss" + inst.ref + " does not exist");
                    return false;
                }
                return true;
            default:
                return true;
        }
    }

    private void blockCall(Block b, Inst inst, BlockCall bc) {
        if (bc == null) {
            instError(b, inst, "a branch target is missing");
            return;
        }
        if (bc.block < 0 || bc.block >= f.numBlocks()) {
            instError(b, inst, "branches to block number " + bc.block + ", which does not exist");
            return;
        }
        Block target = f.block(bc.block);
        if (!target.inLayout) {
            instError(b, inst, "branches to " + target.name + ", which is not in the layout");
            return;
        }
        if (target == f.layout.get(0)) {
            // The entry block holds the prologue and takes the caller's arguments (as in Cranelift).
            instError(b, inst, "branches to " + target.name + ", the entry block, which cannot be a branch target");
            return;
        }
        if (bc.args == null) {
            instError(b, inst, "the argument list for " + target.name + " is missing");
            return;
        }
        for (int v : bc.args) used(b, inst, v);
        if (bc.args.length != target.params.length) {
            instError(b, inst, target.name + " takes " + count(target.params.length, "argument") + ", but "
                + bc.args.length + (bc.args.length == 1 ? " is" : " are") + " passed");
            return;
        }
        for (int i = 0; i < bc.args.length; i++) {
            Type have = typeOf(bc.args[i]);
            int p = target.params[i];
            Type want = validValue(p) ? f.valueType(p) : null;
            if (have != null && want != null && have != want) {
                instError(b, inst, "argument " + i + " to " + target.name + " has type " + have + ", but parameter "
                    + f.valueName(p) + " has type " + want);
            }
        }
    }

    /** Which types an opcode's controlling type may be. */
    private enum TypeClass { INT, FLOAT, ANY }

    private static TypeClass typeClass(Opcode op) {
        switch (op) {
            case F32CONST: case F64CONST:
            case FNEG: case FABS: case SQRT: case CEIL: case FLOOR: case TRUNC: case NEAREST:
            case FADD: case FSUB: case FMUL: case FDIV: case FCOPYSIGN: case FMIN: case FMAX: case FMA:
            case FCMP: case FPROMOTE: case FDEMOTE: case FCVT_FROM_UINT: case FCVT_FROM_SINT:
                return TypeClass.FLOAT;
            case BAND: case BOR: case BXOR: case BNOT: case BAND_NOT: case BOR_NOT: case BXOR_NOT:
            case BITSELECT: case SELECT: case SELECT_SPECTRE_GUARD: case BITCAST:
            case LOAD: case STORE: case STACK_LOAD: case STACK_STORE:
                return TypeClass.ANY;
            default:
                return TypeClass.INT;
        }
    }

    private void types(Block b, Inst inst, Type t) {
        Opcode op = inst.op;
        if (t != null) {
            TypeClass cls = typeClass(op);
            if (cls == TypeClass.INT && !t.isInt()) {
                instError(b, inst, op + " works on integer types, not " + t);
                return;
            }
            if (cls == TypeClass.FLOAT && !t.isFloat()) {
                instError(b, inst, op + " works on f32 and f64, not " + t);
                return;
            }
        }
        switch (op.format) {
            case NULLARY:
                if (op.ctrl == Opcode.Ctrl.EXPLICIT && t != Type.I64) instError(b, inst, op + " produces an address, which is i64, not " + t);
                break;
            case UNARY_IMM:
                if (t.bits() < 64 && (inst.imm & ~t.mask()) != 0) {
                    instError(b, inst, "immediate " + inst.imm + " does not fit in " + t);
                }
                break;
            case UNARY_IEEE:
                if (t.bits() < 64 && (inst.imm & ~t.mask()) != 0) {
                    instError(b, inst, "bit pattern 0x" + Long.toHexString(inst.imm) + " does not fit in " + t);
                }
                break;
            case UNARY:
                unary(b, inst, t);
                break;
            case BINARY:
                arg(b, inst, 0, t);
                if (!isShiftOrRotate(op)) arg(b, inst, 1, t);
                else intArg(b, inst, 1, "shift amount");
                break;
            case FLOAT_COMPARE:
                arg(b, inst, 0, t);
                arg(b, inst, 1, t);
                if (inst.fcond == null) instError(b, inst, op + " has no condition code");
                break;
            case BINARY_IMM:
            case INT_COMPARE_IMM:
                arg(b, inst, 0, t);
                break;
            case TERNARY:
                if (op == Opcode.SELECT || op == Opcode.SELECT_SPECTRE_GUARD) {
                    intArg(b, inst, 0, "condition");
                    arg(b, inst, 1, t);
                    arg(b, inst, 2, t);
                } else if (op == Opcode.BITSELECT || op == Opcode.FMA) {
                    arg(b, inst, 0, t);
                    arg(b, inst, 1, t);
                    arg(b, inst, 2, t);
                } else {
                    arg(b, inst, 0, t);
                    arg(b, inst, 1, t);
                    arg(b, inst, 2, Type.I8); // carry or borrow in
                }
                break;
            case INT_COMPARE:
                arg(b, inst, 0, t);
                arg(b, inst, 1, t);
                break;
            case INT_ADD_TRAP:
                if (t != Type.I32 && t != Type.I64) instError(b, inst, op + " works on i32 and i64 only, not " + t);
                arg(b, inst, 0, t);
                arg(b, inst, 1, t);
                break;
            case BRANCH_TABLE:
                arg(b, inst, 0, Type.I32); // Cranelift's br_table index is i32
                break;
            case RETURN:
                returnValues(b, inst);
                break;
            case CALL: {
                ExtFunc e = f.extFuncs.get(inst.ref);
                callArgs(b, inst, f.sigRefs.get(e.sigRef), inst.args, 0, "fn" + inst.ref + " (" + calleeName(e) + ")");
                break;
            }
            case CALL_INDIRECT:
                argNamed(b, inst, 0, Type.I64, "callee address");
                callArgs(b, inst, f.sigRefs.get(inst.ref), inst.args, 1, "sig" + inst.ref);
                break;
            case FUNC_ADDR:
                if (t != Type.I64) instError(b, inst, "func_addr produces an address, which is i64, not " + t);
                if (f.extFuncs.get(inst.ref).patchable) {
                    instError(b, inst, "fn" + inst.ref + " (" + calleeName(f.extFuncs.get(inst.ref))
                        + ") is patchable: it may only be called directly with call, not have its address taken");
                }
                break;
            case STACK_LOAD:
                slotAccess(b, inst, t.bytes());
                break;
            case STACK_STORE: {
                Type vt = storedType(b, inst, t);
                if (vt != null) slotAccess(b, inst, vt.bytes());
                break;
            }
            case STACK_ADDR:
                if (t != Type.I64) instError(b, inst, "stack_addr produces an address, which is i64, not " + t);
                slotAccess(b, inst, 0);
                break;
            case LOAD:
                argNamed(b, inst, 0, Type.I64, "address");
                if (op.accessBytes > 0 && !t.isInt()) {
                    instError(b, inst, op + " loads an integer, not " + t);
                } else if (op.accessBytes > 0 && t.bytes() <= op.accessBytes) {
                    instError(b, inst, op + " reads " + op.accessBytes + " bytes, so its result type must be wider than that, not "
                        + t);
                }
                break;
            case STORE: {
                argNamed(b, inst, 1, Type.I64, "address");
                Type vt = storedType(b, inst, t);
                if (vt != null && op.accessBytes > 0 && !vt.isInt()) {
                    instError(b, inst, op + " stores part of an integer, not of " + vt);
                } else if (vt != null && op.accessBytes > 0 && vt.bytes() <= op.accessBytes) {
                    instError(b, inst, op + " writes " + op.accessBytes + " bytes, so the stored value must be wider than that, not "
                        + vt);
                }
                break;
            }
            case COND_TRAP:
            case BRIF:
                intArg(b, inst, 0, "condition");
                break;
            case TRAP:
            case JUMP:
                break;
            default:
                throw new AssertionError(op.format);
        }
        if ((op.format == InstFormat.INT_COMPARE || op.format == InstFormat.INT_COMPARE_IMM) && inst.cond == null) {
            instError(b, inst, op + " has no condition code");
        }
        if ((op.format == InstFormat.TRAP || op.format == InstFormat.COND_TRAP || op.format == InstFormat.INT_ADD_TRAP)
            && inst.trapCode == null) {
            instError(b, inst, op + " has no trap code");
        }
    }

    private void unary(Block b, Inst inst, Type t) {
        Type a = typeOf(inst.args[0]);
        switch (inst.op) {
            case FPROMOTE:
                if (t != Type.F64) instError(b, inst, "fpromote produces f64, not " + t);
                arg(b, inst, 0, Type.F32);
                break;
            case FDEMOTE:
                if (t != Type.F32) instError(b, inst, "fdemote produces f32, not " + t);
                arg(b, inst, 0, Type.F64);
                break;
            case FCVT_TO_UINT: case FCVT_TO_SINT: case FCVT_TO_UINT_SAT: case FCVT_TO_SINT_SAT:
                if (a != null && !a.isFloat()) instError(b, inst, inst.op + " converts f32 or f64, not " + a);
                break;
            case FCVT_FROM_UINT: case FCVT_FROM_SINT:
                intArg(b, inst, 0, "integer to convert");
                break;
            case BITCAST:
                if (a != null && a.bits() != t.bits()) {
                    instError(b, inst, "bitcast keeps the width: " + a + " cannot become " + t);
                }
                break;
            case UEXTEND:
            case SEXTEND:
                intArg(b, inst, 0, "operand");
                if (a != null && t.bits() <= a.bits()) {
                    instError(b, inst, inst.op + " must produce a type wider than its argument's " + a + ", not " + t);
                }
                break;
            case IREDUCE:
                intArg(b, inst, 0, "operand");
                if (a != null && t.bits() >= a.bits()) {
                    instError(b, inst, "ireduce must produce a type narrower than its argument's " + a + ", not " + t);
                }
                break;
            case BMASK:
                intArg(b, inst, 0, "operand");
                break; // any integer to any integer
            case BSWAP:
                if (t.bits() < 16) instError(b, inst, "bswap needs a type of at least 16 bits, not " + t);
                arg(b, inst, 0, t);
                break;
            default:
                arg(b, inst, 0, t);
        }
    }

    private static boolean isShiftOrRotate(Opcode op) {
        return op == Opcode.ISHL || op == Opcode.USHR || op == Opcode.SSHR || op == Opcode.ROTL || op == Opcode.ROTR;
    }

    private void arg(Block b, Inst inst, int i, Type want) {
        Type have = typeOf(inst.args[i]);
        if (have != null && have != want) instError(b, inst, "arg " + i + " has type " + have + ", expected " + want);
    }

    private void intArg(Block b, Inst inst, int i, String what) {
        Type have = typeOf(inst.args[i]);
        if (have != null && !have.isInt()) {
            instError(b, inst, "arg " + i + " (the " + what + ") has type " + have + ", expected an integer type");
        }
    }

    private void argNamed(Block b, Inst inst, int i, Type want, String what) {
        Type have = typeOf(inst.args[i]);
        if (have != null && have != want) {
            instError(b, inst, "arg " + i + " (the " + what + ") has type " + have + ", expected " + want);
        }
    }

    /** The stored value's type, after checking it against a written controlling type. */
    private Type storedType(Block b, Inst inst, Type t) {
        Type vt = typeOf(inst.args[0]);
        if (vt != null && t != null && vt != t) {
            instError(b, inst, "arg 0 has type " + vt + ", expected " + t);
        }
        return vt;
    }

    private void slotAccess(Block b, Inst inst, int bytes) {
        StackSlot s = f.stackSlots.get(inst.ref);
        long end = (long) inst.offset + bytes;
        if (inst.offset < 0 || end > s.size) {
            String what = bytes == 0 ? "address at offset " + inst.offset
                : "access of " + count(bytes, "byte") + " at offset " + inst.offset;
            instError(b, inst, what + " is outside ss" + inst.ref + ", which is " + count(s.size, "byte"));
        }
    }

    private void returnValues(Block b, Inst inst) {
        List<AbiParam> rets = f.signature.returns;
        if (inst.args.length != rets.size()) {
            instError(b, inst, "return has " + count(inst.args.length, "value") + ", but the signature returns "
                + rets.size());
            return;
        }
        for (int i = 0; i < rets.size(); i++) {
            Type have = typeOf(inst.args[i]);
            if (have != null && have != rets.get(i).type) {
                instError(b, inst, "return value " + i + " has type " + have + ", but the signature returns "
                    + rets.get(i).type);
            }
        }
    }

    private void callArgs(Block b, Inst inst, Signature s, int[] args, int first, String callee) {
        int n = args.length - first;
        if (n != s.params.size()) {
            instError(b, inst, callee + " takes " + count(s.params.size(), "argument") + ", but " + n
                + (n == 1 ? " is" : " are") + " passed");
            return;
        }
        for (int i = 0; i < n; i++) {
            Type have = typeOf(args[first + i]);
            Type want = s.params.get(i).type;
            if (have != null && have != want) {
                instError(b, inst, "argument " + i + " has type " + have + ", but " + callee + " expects " + want);
            }
        }
    }

    private void results(Block b, Inst inst) {
        Type[] want;
        try {
            want = f.resultTypes(inst);
        } catch (RuntimeException e) {
            return; // the cause (a missing type or reference) is reported already
        }
        int[] res = inst.results == null ? Inst.NO_VALUES : inst.results;
        if (res.length != want.length) {
            instError(b, inst, inst.op + " produces " + count(want.length, "result") + ", but has " + res.length);
            return;
        }
        for (int i = 0; i < res.length; i++) {
            int r = res[i];
            if (!validValue(r)) {
                instError(b, inst, "result " + i + " is value number " + r + ", which does not exist");
            } else if (f.valueDefInst(r) != inst) {
                instError(b, inst, "result " + f.valueName(r) + " is not defined by this instruction");
            } else if (f.valueType(r) != want[i]) {
                instError(b, inst, "result " + f.valueName(r) + " has type " + f.valueType(r) + ", expected " + want[i]);
            }
        }
    }

    // ---- SSA dominance ----

    private void dominance(DominatorTree dom, Block b, Inst inst, int index) {
        stamp++; // each value once per instruction, in operand order
        if (inst.args != null) for (int v : inst.args) dominance(dom, b, inst, index, v);
        if (inst.targets != null) {
            for (BlockCall bc : inst.targets) {
                if (bc != null && bc.args != null) for (int v : bc.args) dominance(dom, b, inst, index, v);
            }
        }
    }

    private void dominance(DominatorTree dom, Block b, Inst inst, int index, int v) {
        if (!validValue(v) || seenBy[v] == stamp) return;
        seenBy[v] = stamp;
        if (!definedInLayout(v)) return;
        Inst def = f.valueDefInst(v);
        Block db = def == null ? f.valueDefBlock(v) : defBlockOf[v] != null ? defBlockOf[v] : instBlocks().get(def);
        if (db == b) {
            if (def != null && defIndex(v, def) >= index) {
                instError(b, inst, f.valueName(v) + " is used before it is defined");
            }
        } else if (!dom.dominates(db, b)) {
            instError(b, inst, f.valueName(v) + " is used here, but its definition in " + db.name
                + " does not dominate " + b.name);
        }
    }

    // ---- reporting ----

    private void fnError(SourceLoc loc, String msg) {
        errors.add(new VerifierError(known(loc), "function " + fnName + ": " + msg));
    }

    private void blockError(Block b, String msg) {
        SourceLoc loc = b.loc.isKnown() ? b.loc : known(f.loc);
        errors.add(new VerifierError(loc, "function " + fnName + ", " + b.name + ": " + msg));
    }

    private void instError(Block b, Inst inst, String msg) {
        SourceLoc loc = inst.loc.isKnown() ? inst.loc : b.loc.isKnown() ? b.loc : known(f.loc);
        errors.add(new VerifierError(loc, "function " + fnName + ", " + b.name + ", inst \"" + text(inst) + "\": " + msg));
    }

    private static SourceLoc known(SourceLoc loc) { return loc == null ? SourceLoc.NONE : loc; }

    private String text(Inst inst) {
        try {
            return FunctionPrinter.printInst(f, inst);
        } catch (RuntimeException e) {
            return inst.op.clif; // too malformed to print; the error says why
        }
    }

    private static String calleeName(ExtFunc e) { return e.name.contains(":") ? e.name : "%" + e.name; }

    private static String typesOf(List<AbiParam> ps) {
        StringBuilder sb = new StringBuilder();
        for (AbiParam p : ps) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(p.type);
        }
        return sb.toString();
    }

    private static String count(int n, String word) { return n + " " + word + (n == 1 ? "" : "s"); }
}
