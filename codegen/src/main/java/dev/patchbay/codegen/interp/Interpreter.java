/*
 * A reference interpreter for Patchbay IR: it executes Functions directly with CLIF's
 * semantics, so compiled code can be checked against it (hand-written run tests and
 * differential fuzzing). It is written for obviousness, not speed, and shares nothing
 * with the backend except the IR itself.
 *
 * Scope: the scalar integers (i8..i64) and floats (f32, f64, as raw bit patterns with the
 * semantics in FloatOps), every opcode in Opcode. Memory is limited to
 * stack slots: each frame's slots live in StackMemory at synthetic addresses, so loads and
 * stores through stack_addr-derived addresses work (also across calls), and any other
 * address traps with heap_oob. Functions of the module call each other directly or
 * through func_addr values (a synthetic address per function). Patchable calls are idle
 * patch sites, so they do nothing, which is also what instrumented code does while its
 * sites are off.
 *
 * Values are kept masked to their type (zero-extended); integer results come back
 * sign-extended at their declared types, as Func.call returns them, float results as
 * their zero-extended bit patterns. Calls run on an explicit frame
 * stack rather than Java recursion, so deep guest recursion cannot overflow the JVM: a
 * call beyond the depth limit traps with stk_ovf. A step limit bounds every call and
 * throws StepLimitExceeded, which is not a trap.
 *
 * get_frame_pointer, get_stack_pointer and get_return_address return fixed non-zero
 * values that have nothing to do with a real machine; isComparable() says whether a
 * function can observe them, and such functions must not be compared with compiled code.
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.IeeeLiteral;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.StackSlot;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A reference interpreter that executes IR directly with CLIF's semantics, written for obviousness
 * rather than speed, so compiled code can be checked against it.
 */
public final class Interpreter {
    public static final long DEFAULT_STEP_LIMIT = 50_000_000;
    public static final int DEFAULT_MAX_CALL_DEPTH = 10_000;

    /** Synthetic function addresses: far from stack addresses and from small integers. */
    private static final long FUNCTION_BASE = 0x0000_5000_0000_0000L;
    private static final long FUNCTION_STRIDE = 16;
    private static final long FRAME_POINTER_TOP = 0x0000_7FFF_F000_0000L;

    /** A callee reference that needs no call: an idle patch site. */
    private static final int IDLE_SITE = -1;
    /** A callee outside the module: the interpreter cannot run it. */
    private static final int EXTERNAL = -2;

    /** A module function prepared for execution. */
    private static final class Callee {
        final Function fn;
        final long address;
        /** Per ExtFunc: the index of the module function it names, IDLE_SITE or EXTERNAL. */
        final int[] extTargets;

        Callee(Function fn, long address, int[] extTargets) {
            this.fn = fn;
            this.address = address;
            this.extTargets = extTargets;
        }
    }

    /** One activation: its values, where it is, and its stack slots. */
    private static final class Frame {
        final Callee callee;
        final long[] vals;
        final long[] slotBases;
        Block block;
        int pc;
        /** The call instruction waiting for this frame's callee to return. */
        Inst pendingCall;

        Frame(Callee callee, long[] slotBases) {
            this.callee = callee;
            this.vals = new long[callee.fn.numValues()];
            this.slotBases = slotBases;
        }
    }

    private final List<Callee> callees = new ArrayList<>();
    private final Map<String, Integer> byName = new LinkedHashMap<>();
    private final Map<Long, Integer> byAddress = new HashMap<>();
    private final Set<String> nonComparable = new HashSet<>();
    private long stepLimit = DEFAULT_STEP_LIMIT;
    private int maxCallDepth = DEFAULT_MAX_CALL_DEPTH;
    private long steps;

    public Interpreter(List<Function> module) {
        for (Function f : module) {
            if (byName.containsKey(f.name)) throw new IllegalArgumentException("function %" + f.name + " is defined twice");
            byName.put(f.name, byName.size());
        }
        for (Function f : module) {
            int[] targets = new int[f.extFuncs.size()];
            for (int i = 0; i < targets.length; i++) {
                ExtFunc e = f.extFuncs.get(i);
                Integer idx = byName.get(e.name);
                targets[i] = e.patchable ? IDLE_SITE : idx != null ? idx : EXTERNAL;
            }
            long addr = FUNCTION_BASE + FUNCTION_STRIDE * callees.size();
            byAddress.put(addr, callees.size());
            callees.add(new Callee(f, addr, targets));
        }
        findNonComparable();
    }

    /** Sees each instruction just before it executes, with its frame's values by value number. */
    @FunctionalInterface
    public interface Observer {
        /**
         * One instruction is about to execute.
         *
         * @param fn its function
         * @param inst the instruction
         * @param values the frame's values by IR value number (live array: copy what you keep)
         */
        void before(Function fn, Inst inst, long[] values);
    }

    private Observer observer;

    /** Calls `o` before every instruction (the debugger's tests compare values with it); null for none. */
    public Interpreter setObserver(Observer o) {
        this.observer = o;
        return this;
    }

    public Interpreter setStepLimit(long limit) {
        if (limit <= 0) throw new IllegalArgumentException("step limit must be positive: " + limit);
        this.stepLimit = limit;
        return this;
    }

    public Interpreter setMaxCallDepth(int depth) {
        if (depth <= 0) throw new IllegalArgumentException("call depth limit must be positive: " + depth);
        this.maxCallDepth = depth;
        return this;
    }

    /** Instructions executed by the last call (including a call that trapped). */
    public long stepsTaken() { return steps; }

    /**
     * False when the function can observe machine state the interpreter only makes up
     * (frame pointer, stack pointer, return address), directly or through anything it may
     * call; its results then need not match compiled code.
     */
    public boolean isComparable(String name) {
        callee(name);
        return !nonComparable.contains(name);
    }

    /**
     * Calls a function of the module. Arguments are truncated to their types; results come
     * back sign-extended from their types. Throws InterpreterTrap when the program traps
     * and StepLimitExceeded when it runs too long.
     */
    public long[] call(String name, long... args) {
        Callee c = callee(name);
        Signature sig = c.fn.signature;
        if (args.length != sig.params.size()) {
            throw new IllegalArgumentException("%" + name + " takes " + sig.params.size() + " arguments, got " + args.length);
        }
        long[] a = new long[args.length];
        for (int i = 0; i < a.length; i++) a[i] = sig.params.get(i).type.zeroExtend(args[i]);
        long[] r = run(c, a);
        for (int i = 0; i < r.length; i++) {
            Type t = sig.returns.get(i).type;
            r[i] = t.isFloat() ? t.zeroExtend(r[i]) : t.signExtend(r[i]);
        }
        return r;
    }

    private Callee callee(String name) {
        Integer i = byName.get(name);
        if (i == null) throw new IllegalArgumentException("no function %" + name + " in this module");
        return callees.get(i);
    }

    // ---- the machine ----

    private StackMemory memory;
    private Deque<Frame> stack;

    private long[] run(Callee entry, long[] args) {
        steps = 0;
        memory = new StackMemory();
        stack = new ArrayDeque<>();
        Frame f = enter(entry, args);
        while (true) {
            if (f.pc >= f.block.insts.size()) {
                throw new IllegalStateException("%" + f.callee.fn.name + ": " + f.block.name + " has no terminator");
            }
            Inst inst = f.block.insts.get(f.pc++);
            if (++steps > stepLimit) throw new StepLimitExceeded(stepLimit);
            if (observer != null) observer.before(f.callee.fn, inst, f.vals);
            switch (inst.op) {
                case CALL: case CALL_INDIRECT: {
                    Callee target = callTarget(f, inst);
                    if (target == null) break; // an idle patch site
                    int first = inst.op == Opcode.CALL_INDIRECT ? 1 : 0;
                    long[] callArgs = new long[inst.args.length - first];
                    for (int i = 0; i < callArgs.length; i++) callArgs[i] = f.vals[inst.args[first + i]];
                    f.pendingCall = inst;
                    f = enter(target, callArgs);
                    break;
                }
                case RETURN: {
                    long[] results = new long[inst.args.length];
                    for (int i = 0; i < results.length; i++) results[i] = f.vals[inst.args[i]];
                    leave(f);
                    if (stack.isEmpty()) return results;
                    f = stack.peek();
                    int[] rs = f.pendingCall.results;
                    for (int i = 0; i < rs.length; i++) set(f, rs[i], results[i]);
                    f.pendingCall = null;
                    break;
                }
                case JUMP:
                    branch(f, inst.targets[0]);
                    break;
                case BRIF:
                    branch(f, inst.targets[f.vals[inst.args[0]] != 0 ? 0 : 1]);
                    break;
                case BR_TABLE: {
                    long idx = f.vals[inst.args[0]];
                    int entries = inst.targets.length - 1;
                    // The index is unsigned: anything at or past the table takes the default.
                    branch(f, inst.targets[Long.compareUnsigned(idx, entries) < 0 ? (int) idx + 1 : 0]);
                    break;
                }
                default:
                    execute(f, inst);
            }
        }
    }

    private Frame enter(Callee c, long[] args) {
        if (stack.size() >= maxCallDepth) {
            // Compiled code traps in the callee's prologue, so the callee is the innermost frame.
            InterpreterTrap t = trap(TrapCode.STACK_OVERFLOW, "call depth limit of " + maxCallDepth + " reached");
            List<String> bt = new ArrayList<>();
            bt.add(c.fn.name);
            bt.addAll(t.backtrace());
            throw new InterpreterTrap(TrapCode.STACK_OVERFLOW, bt, "call depth limit of " + maxCallDepth + " reached");
        }
        List<StackSlot> slots = c.fn.stackSlots;
        long[] bases = new long[slots.size()];
        for (int i = 0; i < bases.length; i++) bases[i] = memory.allocate(slots.get(i).size, slots.get(i).align);
        Frame f = new Frame(c, bases);
        stack.push(f);
        Block entry = c.fn.entryBlock();
        int[] params = entry.params;
        for (int i = 0; i < params.length; i++) set(f, params[i], args[i]);
        f.block = entry;
        f.pc = 0;
        return f;
    }

    private void leave(Frame f) {
        for (long base : f.slotBases) memory.free(base);
        stack.pop();
    }

    /** Block arguments are read before any parameter is written: the transfer is parallel. */
    private void branch(Frame f, BlockCall bc) {
        Block target = f.callee.fn.block(bc.block);
        long[] vals = new long[bc.args.length];
        for (int i = 0; i < vals.length; i++) vals[i] = f.vals[bc.args[i]];
        for (int i = 0; i < vals.length; i++) set(f, target.params[i], vals[i]);
        f.block = target;
        f.pc = 0;
    }

    /** The callee of a call, or null for an idle patch site. */
    private Callee callTarget(Frame f, Inst inst) {
        Function fn = f.callee.fn;
        Signature sig = fn.calleeSignature(inst);
        if (inst.op == Opcode.CALL) {
            int t = f.callee.extTargets[inst.ref];
            if (t == IDLE_SITE) return null;
            if (t == EXTERNAL) {
                throw new UnsupportedOperationException("%" + fn.name + " calls %" + fn.extFuncs.get(inst.ref).name
                    + ", which is not a function of this module");
            }
            return checkSignature(callees.get(t), sig);
        }
        long addr = f.vals[inst.args[0]];
        Integer t = byAddress.get(addr);
        if (t == null) {
            // Compiled code would jump to a wild address; the closest trap is a bad access.
            throw trap(TrapCode.HEAP_OUT_OF_BOUNDS, "call_indirect to 0x" + Long.toHexString(addr) + ", which is no function");
        }
        return checkSignature(callees.get(t), sig);
    }

    private Callee checkSignature(Callee c, Signature sig) {
        Signature have = c.fn.signature;
        boolean same = have.params.size() == sig.params.size() && have.returns.size() == sig.returns.size();
        for (int i = 0; same && i < sig.params.size(); i++) same = have.params.get(i).type == sig.params.get(i).type;
        for (int i = 0; same && i < sig.returns.size(); i++) same = have.returns.get(i).type == sig.returns.get(i).type;
        if (!same) throw trap(TrapCode.BAD_SIGNATURE, "%" + c.fn.name + " has signature " + have + ", called as " + sig);
        return c;
    }

    private void set(Frame f, int v, long value) { f.vals[v] = f.callee.fn.valueType(v).zeroExtend(value); }

    private InterpreterTrap trap(TrapCode code, String detail) {
        List<String> bt = new ArrayList<>();
        for (Iterator<Frame> it = stack.iterator(); it.hasNext(); ) bt.add(it.next().callee.fn.name);
        return new InterpreterTrap(code, bt, detail);
    }

    // ---- straight-line instructions ----

    private void execute(Frame f, Inst inst) {
        long[] v = f.vals;
        Type t = inst.type;
        int[] a = inst.args;
        switch (inst.op) {
            case NOP:
                return;
            case GET_FRAME_POINTER:
                set(f, inst.result(), framePointer());
                return;
            case GET_STACK_POINTER:
                set(f, inst.result(), framePointer() - 0x100);
                return;
            case GET_RETURN_ADDRESS:
                set(f, inst.result(), FUNCTION_BASE - 0x1000 + stack.size());
                return;
            case ICONST:
            case F32CONST: case F64CONST:
                set(f, inst.result(), inst.imm);
                return;

            case FNEG: case FABS: case SQRT: case CEIL: case FLOOR: case TRUNC: case NEAREST:
                set(f, inst.result(), FloatOps.unary(inst.op, t, v[a[0]]));
                return;
            case FADD: case FSUB: case FMUL: case FDIV: case FMIN: case FMAX: case FCOPYSIGN:
                set(f, inst.result(), FloatOps.binary(inst.op, t, v[a[0]], v[a[1]]));
                return;
            case FMA:
                set(f, inst.result(), FloatOps.fma(t, v[a[0]], v[a[1]], v[a[2]]));
                return;
            case FCMP:
                set(f, inst.result(), inst.fcond.eval(t, v[a[0]], v[a[1]]) ? 1 : 0);
                return;
            case FPROMOTE:
                set(f, inst.result(), FloatOps.fpromote(v[a[0]]));
                return;
            case FDEMOTE:
                set(f, inst.result(), FloatOps.fdemote(v[a[0]]));
                return;
            case FCVT_TO_UINT: case FCVT_TO_SINT: case FCVT_TO_UINT_SAT: case FCVT_TO_SINT_SAT: {
                boolean signed = inst.op == Opcode.FCVT_TO_SINT || inst.op == Opcode.FCVT_TO_SINT_SAT;
                boolean sat = inst.op == Opcode.FCVT_TO_UINT_SAT || inst.op == Opcode.FCVT_TO_SINT_SAT;
                TrapCode[] trap = new TrapCode[1];
                Type from = type(f, a[0]);
                long r = FloatOps.toInt(from, t, v[a[0]], signed, sat, trap);
                if (trap[0] != null) {
                    throw trap(trap[0], inst.op + " of " + IeeeLiteral.format(from, v[a[0]]) + " to " + t);
                }
                set(f, inst.result(), r);
                return;
            }
            case FCVT_FROM_UINT: case FCVT_FROM_SINT:
                set(f, inst.result(), FloatOps.fromInt(type(f, a[0]), t, v[a[0]], inst.op == Opcode.FCVT_FROM_SINT));
                return;
            case BITCAST:
                // Same width, so the bits are the value; a scalar's byte order does not matter.
                set(f, inst.result(), v[a[0]]);
                return;

            case INEG: set(f, inst.result(), IntOps.ineg(t, v[a[0]])); return;
            case IABS: set(f, inst.result(), IntOps.iabs(t, v[a[0]])); return;
            case BNOT: set(f, inst.result(), IntOps.bnot(t, v[a[0]])); return;
            case CLZ: set(f, inst.result(), IntOps.clz(t, v[a[0]])); return;
            case CTZ: set(f, inst.result(), IntOps.ctz(t, v[a[0]])); return;
            case CLS: set(f, inst.result(), IntOps.cls(t, v[a[0]])); return;
            case POPCNT: set(f, inst.result(), IntOps.popcnt(t, v[a[0]])); return;
            case BITREV: set(f, inst.result(), IntOps.bitrev(t, v[a[0]])); return;
            case BSWAP: set(f, inst.result(), IntOps.bswap(t, v[a[0]])); return;
            case BMASK: set(f, inst.result(), IntOps.bmask(t, v[a[0]])); return;
            case UEXTEND: set(f, inst.result(), v[a[0]]); return;
            case SEXTEND: set(f, inst.result(), IntOps.sextend(type(f, a[0]), t, v[a[0]])); return;
            case IREDUCE: set(f, inst.result(), v[a[0]]); return;

            case IADD: case ISUB: case IMUL: case UMULHI: case SMULHI:
            case UDIV: case SDIV: case UREM: case SREM:
            case BAND: case BOR: case BXOR: case BAND_NOT: case BOR_NOT: case BXOR_NOT:
            case ISHL: case USHR: case SSHR: case ROTL: case ROTR:
            case SMIN: case SMAX: case UMIN: case UMAX:
                set(f, inst.result(), binary(inst.op, t, v[a[0]], v[a[1]]));
                return;

            case IADD_IMM: case IMUL_IMM: case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
            case BAND_IMM: case BOR_IMM: case BXOR_IMM:
            case ISHL_IMM: case USHR_IMM: case SSHR_IMM: case ROTL_IMM: case ROTR_IMM:
                // The immediate is read at the controlling type, like a constant operand.
                set(f, inst.result(), binary(nonImm(inst.op), t, v[a[0]], t.zeroExtend(inst.imm)));
                return;
            case IRSUB_IMM:
                set(f, inst.result(), IntOps.isub(t, t.zeroExtend(inst.imm), v[a[0]]));
                return;

            case UADD_OVERFLOW: results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], 0, false, false)); return;
            case SADD_OVERFLOW: results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], 0, false, true)); return;
            case USUB_OVERFLOW: results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], 0, true, false)); return;
            case SSUB_OVERFLOW: results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], 0, true, true)); return;
            case UMUL_OVERFLOW: results(f, inst, IntOps.mulOverflow(t, v[a[0]], v[a[1]], false)); return;
            case SMUL_OVERFLOW: results(f, inst, IntOps.mulOverflow(t, v[a[0]], v[a[1]], true)); return;
            case UADD_OVERFLOW_CIN:
                results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], IntOps.carryIn(v[a[2]]), false, false));
                return;
            case SADD_OVERFLOW_CIN:
                results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], IntOps.carryIn(v[a[2]]), false, true));
                return;
            case USUB_OVERFLOW_BIN:
                results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], IntOps.carryIn(v[a[2]]), true, false));
                return;
            case SSUB_OVERFLOW_BIN:
                results(f, inst, IntOps.addSub(t, v[a[0]], v[a[1]], IntOps.carryIn(v[a[2]]), true, true));
                return;
            case UADD_OVERFLOW_TRAP: {
                long[] r = IntOps.addSub(t, v[a[0]], v[a[1]], 0, false, false);
                if (r[1] != 0) throw trap(inst.trapCode, "uadd_overflow_trap overflowed");
                set(f, inst.result(), r[0]);
                return;
            }

            case SELECT: case SELECT_SPECTRE_GUARD:
                set(f, inst.result(), v[a[0]] != 0 ? v[a[1]] : v[a[2]]);
                return;
            case BITSELECT:
                set(f, inst.result(), IntOps.bitselect(t, v[a[0]], v[a[1]], v[a[2]]));
                return;
            case ICMP:
                set(f, inst.result(), inst.cond.eval(t, v[a[0]], v[a[1]]) ? 1 : 0);
                return;
            case ICMP_IMM:
                set(f, inst.result(), inst.cond.eval(t, v[a[0]], t.zeroExtend(inst.imm)) ? 1 : 0);
                return;

            case FUNC_ADDR: {
                int target = f.callee.extTargets[inst.ref];
                if (target < 0) {
                    throw new UnsupportedOperationException("%" + f.callee.fn.name + " takes the address of %"
                        + f.callee.fn.extFuncs.get(inst.ref).name + ", which is not a function of this module");
                }
                set(f, inst.result(), callees.get(target).address);
                return;
            }
            case STACK_ADDR:
                set(f, inst.result(), f.slotBases[inst.ref] + inst.offset);
                return;
            case STACK_LOAD: {
                // The verifier keeps stack_load/stack_store inside their slot; access() is belt and braces.
                long addr = f.slotBases[inst.ref] + inst.offset;
                set(f, inst.result(), access(() -> memory.load(addr, t.bytes())));
                return;
            }
            case STACK_STORE: {
                long addr = f.slotBases[inst.ref] + inst.offset;
                int bytes = type(f, a[0]).bytes();
                long value = v[a[0]];
                access(() -> {
                    memory.store(addr, bytes, value);
                    return 0L;
                });
                return;
            }
            case LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32: {
                int bytes = inst.op.accessBytes == 0 ? t.bytes() : inst.op.accessBytes;
                long raw = access(() -> memory.load(v[a[0]] + inst.offset, bytes));
                set(f, inst.result(), inst.op.signedAccess ? intType(bytes).signExtend(raw) : raw);
                return;
            }
            case STORE: case ISTORE8: case ISTORE16: case ISTORE32: {
                int bytes = inst.op.accessBytes == 0 ? type(f, a[0]).bytes() : inst.op.accessBytes;
                access(() -> {
                    memory.store(v[a[1]] + inst.offset, bytes, v[a[0]]);
                    return 0L;
                });
                return;
            }

            case TRAP:
                throw trap(inst.trapCode, null);
            case TRAPZ:
                if (v[a[0]] == 0) throw trap(inst.trapCode, "trapz on zero");
                return;
            case TRAPNZ:
                if (v[a[0]] != 0) throw trap(inst.trapCode, "trapnz on non-zero");
                return;
            default:
                throw new IllegalStateException("the interpreter does not handle " + inst.op);
        }
    }

    private interface Access {
        long run();
    }

    private long access(Access a) {
        try {
            return a.run();
        } catch (StackMemory.OutOfBounds e) {
            throw trap(TrapCode.HEAP_OUT_OF_BOUNDS, e.getMessage());
        }
    }

    private long binary(Opcode op, Type t, long x, long y) {
        switch (op) {
            case IADD: return IntOps.iadd(t, x, y);
            case ISUB: return IntOps.isub(t, x, y);
            case IMUL: return IntOps.imul(t, x, y);
            case UMULHI: return IntOps.umulhi(t, x, y);
            case SMULHI: return IntOps.smulhi(t, x, y);
            case UDIV: case SDIV: case UREM: case SREM: {
                boolean signed = op == Opcode.SDIV || op == Opcode.SREM;
                boolean rem = op == Opcode.UREM || op == Opcode.SREM;
                TrapCode trap = IntOps.divisionTrap(t, signed, rem, x, y);
                if (trap != null) throw trap(trap, op + " of " + t.signExtend(x) + " by " + t.signExtend(y));
                if (signed) return rem ? IntOps.srem(t, x, y) : IntOps.sdiv(t, x, y);
                return rem ? IntOps.urem(t, x, y) : IntOps.udiv(t, x, y);
            }
            case BAND: return x & y;
            case BOR: return x | y;
            case BXOR: return x ^ y;
            case BAND_NOT: return t.zeroExtend(x & ~y);
            case BOR_NOT: return t.zeroExtend(x | ~y);
            case BXOR_NOT: return t.zeroExtend(x ^ ~y);
            case ISHL: return IntOps.ishl(t, x, y);
            case USHR: return IntOps.ushr(t, x, y);
            case SSHR: return IntOps.sshr(t, x, y);
            case ROTL: return IntOps.rotl(t, x, y);
            case ROTR: return IntOps.rotr(t, x, y);
            case SMIN: return IntOps.smin(t, x, y);
            case SMAX: return IntOps.smax(t, x, y);
            case UMIN: return IntOps.umin(t, x, y);
            case UMAX: return IntOps.umax(t, x, y);
            default: throw new IllegalStateException(op + " is not a binary operation");
        }
    }

    private static Opcode nonImm(Opcode op) {
        switch (op) {
            case IADD_IMM: return Opcode.IADD;
            case IMUL_IMM: return Opcode.IMUL;
            case UDIV_IMM: return Opcode.UDIV;
            case SDIV_IMM: return Opcode.SDIV;
            case UREM_IMM: return Opcode.UREM;
            case SREM_IMM: return Opcode.SREM;
            case BAND_IMM: return Opcode.BAND;
            case BOR_IMM: return Opcode.BOR;
            case BXOR_IMM: return Opcode.BXOR;
            case ISHL_IMM: return Opcode.ISHL;
            case USHR_IMM: return Opcode.USHR;
            case SSHR_IMM: return Opcode.SSHR;
            case ROTL_IMM: return Opcode.ROTL;
            case ROTR_IMM: return Opcode.ROTR;
            default: throw new IllegalStateException(op + " has no register form");
        }
    }

    private void results(Frame f, Inst inst, long[] r) {
        set(f, inst.results[0], r[0]);
        set(f, inst.results[1], r[1]);
    }

    private static Type type(Frame f, int v) { return f.callee.fn.valueType(v); }

    private static Type intType(int bytes) {
        switch (bytes) {
            case 1: return Type.I8;
            case 2: return Type.I16;
            case 4: return Type.I32;
            default: return Type.I64;
        }
    }

    private long framePointer() { return FRAME_POINTER_TOP - 0x1000L * stack.size(); }

    // ---- which functions can see made-up machine state ----

    private void findNonComparable() {
        // Any function whose address is taken may be reached by any call_indirect.
        Set<String> addressTaken = new HashSet<>();
        for (Callee c : callees) {
            for (Block b : c.fn.layout) {
                for (Inst i : b.insts) {
                    if (i.op == Opcode.FUNC_ADDR && c.extTargets[i.ref] >= 0) addressTaken.add(callees.get(c.extTargets[i.ref]).fn.name);
                }
            }
        }
        for (Callee c : callees) {
            for (Block b : c.fn.layout) {
                for (Inst i : b.insts) {
                    if (i.op == Opcode.GET_FRAME_POINTER || i.op == Opcode.GET_STACK_POINTER || i.op == Opcode.GET_RETURN_ADDRESS) {
                        nonComparable.add(c.fn.name);
                    }
                }
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            boolean indirectTainted = false;
            for (String n : addressTaken) indirectTainted |= nonComparable.contains(n);
            for (Callee c : callees) {
                if (nonComparable.contains(c.fn.name)) continue;
                boolean tainted = false;
                for (Block b : c.fn.layout) {
                    for (Inst i : b.insts) {
                        if (i.op == Opcode.CALL && c.extTargets[i.ref] >= 0) {
                            tainted |= nonComparable.contains(callees.get(c.extTargets[i.ref]).fn.name);
                        } else if (i.op == Opcode.CALL_INDIRECT) {
                            tainted |= indirectTainted;
                        }
                    }
                }
                if (tainted) {
                    nonComparable.add(c.fn.name);
                    changed = true;
                }
            }
        }
    }
}
