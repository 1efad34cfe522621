/*
 * Instruction selection: IR → VCode for x86-64.
 *
 * Like Cranelift, each block is lowered bottom-up. Walking backwards means that when an
 * instruction is reached, all of its in-block users have already decided whether they
 * folded it: an icmp feeding brif/select/trapz users becomes the compare of each of them
 * (compare-into-branch; with several users, each re-emits the cmp; Wasm's i32 booleans,
 * `uextend(icmp)` and eqz of them, are seen through to the compare, and a `band` tested
 * against zero becomes `test`; an fcmp that a brif tests, seen through the same extensions
 * and eqz, becomes the branch's ucomis + jcc, FBranch), a load with one user
 * and no side effect between them becomes that user's memory operand, and
 * `iadd_imm`/`stack_addr` feeding an address become its displacement. Constants are never materialised at their definition: every use either
 * takes them as an immediate or rematerialises them into a fresh temporary right there,
 * which keeps their live ranges to one instruction.
 *
 * Values keep CLIF's convention for narrow types: only the low bits of a register are
 * defined. Operations that read the upper bits (division, right shifts, counts, widening)
 * extend first; compares work at the exact width.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.analysis.Cfg;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.MemFlags;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class Lower {
    private final Function f;
    private final CompileOptions opts;
    private final Set<String> moduleFunctions;
    private final VCode vc;
    /**
     * Per IR value: how many instructions will still read it from a register. It starts as
     * the IR's use count and stays exact as lowering folds: a user that folds a definition
     * into itself (an address, an lea, a compare, a sunk load) reads the definition's
     * operands instead (foldDef), and a definition that nobody reads any more is not lowered
     * and stops reading its own operands (lowerBlock). So a folded `iadd`, `iadd_imm` or
     * `ishl` whose every user folded it is never emitted as dead code. Users in blocks that
     * are lowered later are still counted, which only ever keeps a definition.
     */
    private final int[] useCount;
    /** Per IR value: its IR use count, which never changes (what folding decisions weigh). */
    private final int[] irUses;
    /**
     * Per IR value: its uses that are the address of a load or store in its own block, or
     * the operand of an address-only `iadd_imm` there. A value all of whose uses are such is
     * address-only: its users fold it into their addressing modes and it needs no register.
     */
    private final int[] addressUses;
    /** Per IR value: some load, or some store, of its own block takes it as the address (as for addressUses). */
    private final boolean[] loadedThrough, storedThrough;
    // Per IR value, of the instruction that defines it: its block's id (-1 for block
    // parameters), its position in the block, and its color (the side effects before it in
    // the block). Arrays by value, not identity maps by instruction: hashing 200k
    // instructions was a third of a large function's compile time (issue 15).
    private final int[] defBlock, defIndex, defColor;
    /** Per IR value: it is an iconst's result (set before any block is lowered). */
    private final boolean[] iconst;
    /** Per IR value: its definition, a load, was merged into its user as a memory operand. */
    private final boolean[] merged;
    /** The position of the instruction being lowered in curBlock, and each position's color. */
    private int currentIndex;
    private int[] curColors;
    private final VCode.VBlock[] vblockOf;
    /** Per IR value: a block parameter that is live (see liveParams); entry parameters always are. */
    private boolean[] liveParam;
    private Loops loops;
    /** A wide constant used in a loop: the loop's header and the value. */
    private record HoistKey(int header, long value) {}
    /** The register each hoisted constant is computed into, in the order first used. */
    private final Map<HoistKey, Integer> hoisted = new java.util.LinkedHashMap<>();
    /** A float constant defined in a loop: the loop's header, the width and the bits. */
    private record FloatHoistKey(int header, boolean single, long bits) {}
    /** The XMM vreg each hoisted float constant is computed into (see hoistedFloat). */
    private final Map<FloatHoistKey, Integer> hoistedFloats = new java.util.LinkedHashMap<>();
    private int nextVreg;
    /** Register and vreg hints, indexed by vreg; -1 is "none". IR values are vregs 0..numValues-1. */
    private int[] hintReg;
    private int[] hintVreg;
    /** Per vreg: it holds a float (the XMM class). IR values by their type, temps as made (ftemp). */
    private boolean[] floatVreg;
    private boolean anyFloat;
    /** Instructions of the IR instruction being lowered, in forward order. */
    private List<MInst> seq;
    private Block curBlock;
    /** Instructions in the current block, for charging fuel. */
    private int curBlockInsts;

    Lower(Function f, CompileOptions opts, Set<String> moduleFunctions) {
        this.f = f;
        this.opts = opts;
        this.moduleFunctions = moduleFunctions;
        this.vc = new VCode(f);
        this.useCount = new int[f.numValues()];
        this.irUses = new int[f.numValues()];
        this.addressUses = new int[f.numValues()];
        this.loadedThrough = new boolean[f.numValues()];
        this.storedThrough = new boolean[f.numValues()];
        this.vblockOf = new VCode.VBlock[f.numBlocks()];
        this.defBlock = new int[f.numValues()];
        this.defIndex = new int[f.numValues()];
        this.defColor = new int[f.numValues()];
        this.merged = new boolean[f.numValues()];
        this.iconst = new boolean[f.numValues()];
        Arrays.fill(defBlock, -1);
        this.nextVreg = f.numValues();
        // Sized for every IR value up front (hints are written for values as well as
        // temps) and a quarter more for temps; temp() grows them if lowering makes more.
        this.hintReg = new int[Math.max(64, f.numValues() + f.numValues() / 4)];
        this.hintVreg = new int[hintReg.length];
        Arrays.fill(hintReg, -1);
        Arrays.fill(hintVreg, -1);
        this.floatVreg = new boolean[hintReg.length];
        for (int v = 0; v < f.numValues(); v++) {
            Type t = f.valueType(v);
            if (t != null && t.isFloat()) floatVreg[v] = anyFloat = true;
        }
    }

    VCode lower() {
        Cfg cfg = new Cfg(f);
        loops = new Loops(cfg, f.numBlocks());
        // Returns are lowered before the entry parameters (blocks are lowered bottom-up),
        // so the return-area vreg must exist from the start.
        if (Abi.argLocs(f.signature).retArea != null) vc.retAreaVreg = temp();
        liveParam = liveParams();
        for (Block b : f.layout) {
            int color = 0, index = 0;
            for (Inst i : b.insts) {
                if (i.op == Opcode.ICONST) iconst[i.results[0]] = true;
                for (int r : i.results) {
                    defBlock[r] = b.id;
                    defIndex[r] = index;
                    defColor[r] = color;
                }
                index++;
                if (i.op.hasSideEffects()) color++;
                for (int a : i.args) useCount[a]++;
                if (i.targets != null) {
                    for (BlockCall bc : i.targets) for (int k = 0; k < bc.args.length; k++) if (passes(bc, k)) useCount[bc.args[k]]++;
                }
            }
        }
        System.arraycopy(useCount, 0, irUses, 0, irUses.length);
        for (Block b : f.layout) countAddressUses(b);
        // Reachable blocks keep the IR layout order; cold blocks move to the end.
        List<Block> hot = new ArrayList<>(), cold = new ArrayList<>();
        for (Block b : f.layout) {
            if (!cfg.isReachable(b.id)) continue;
            (b.cold ? cold : hot).add(b);
        }
        List<Block> placed = new ArrayList<>(hot);
        placed.addAll(cold);
        for (Block b : placed) {
            VCode.VBlock vb = vc.newBlock(b);
            vb.cold = b.cold;
            vb.loopHeader = cfg.isLoopHeader(b.id);
            vblockOf[b.id] = vb;
            if (b != f.entryBlock()) vb.params = liveOnly(b.params);
        }
        int edgesPlaced = vc.blocks.size();
        for (Block b : placed) {
            VCode.VBlock vb = vblockOf[b.id];
            vc.order.add(vb);
            lowerBlock(b, vb);
            // Edge blocks created while lowering this block's terminator follow it.
            for (; edgesPlaced < vc.blocks.size(); edgesPlaced++) vc.order.add(vc.blocks.get(edgesPlaced));
        }
        placeHoistedConstants();
        vc.numVregs = nextVreg;
        elideZeroExtensions();
        removeDeadCode();
        // Handed over, not copied: VCode reads them below numVregs only.
        vc.hintReg = hintReg;
        vc.hintVreg = hintVreg;
        if (anyFloat) vc.isFloat = floatVreg;
        vc.linearize();
        return vc;
    }

    /**
     * Which block parameters are live. A value is live if an instruction that must run (a
     * side effect, a terminator's own operand, a return) reads it, if it is an operand of
     * an instruction with a live result, or if it is passed as the argument of a live
     * parameter; everything else is dead, cycles through loops included. Found by a
     * worklist from those roots backwards, along operands and block arguments. The Wasm
     * translator makes every local a parameter of every join block, so most of them are
     * dead: a loop that never touches a local still carried it around (a register, or a
     * spill and reload, and a move on every edge), and a function's exit block took all of
     * them. A dead parameter gets no vreg and its arguments are not passed (passes), so
     * what computes only them is not lowered either (useCount). Cranelift's frontend never
     * makes such parameters (it builds SSA from variables on demand). Linear: each value
     * enters the worklist once, and then visits its definition's operands or, for a
     * parameter, the calls into its block.
     */
    private boolean[] liveParams() {
        int n = f.numValues();
        boolean[] live = new boolean[n];
        int[] paramBlock = new int[n], paramIndex = new int[n];
        Arrays.fill(paramBlock, -1);
        // The block calls into each block b: a list from firstCall[b] through nextCall
        // (-1 ends it), built in the one pass that finds the roots.
        int[] firstCall = new int[f.numBlocks()];
        Arrays.fill(firstCall, -1);
        BlockCall[] calls = new BlockCall[Math.max(16, f.numBlocks())];
        int[] nextCall = new int[calls.length];
        int ncalls = 0;
        Block entry = f.entryBlock();
        for (Block b : f.layout) {
            for (int k = 0; k < b.params.length; k++) {
                if (b == entry) {
                    live[b.params[k]] = true;
                } else {
                    paramBlock[b.params[k]] = b.id;
                    paramIndex[b.params[k]] = k;
                }
            }
        }
        // A stack of unboxed value numbers: each value is pushed at most once, so n is room enough.
        int[] work = new int[n + 1];
        for (Block b : f.layout) {
            for (Inst i : b.insts) {
                if (hasEffect(i)) for (int a : i.args) markLive(a, live, work);
                if (i.targets == null) continue;
                for (BlockCall bc : i.targets) {
                    if (ncalls == calls.length) {
                        calls = Arrays.copyOf(calls, 2 * ncalls);
                        nextCall = Arrays.copyOf(nextCall, 2 * ncalls);
                    }
                    calls[ncalls] = bc;
                    nextCall[ncalls] = firstCall[bc.block];
                    firstCall[bc.block] = ncalls++;
                }
            }
        }
        while (work[n] > 0) {
            int v = work[--work[n]];
            if (paramBlock[v] >= 0) {
                for (int c = firstCall[paramBlock[v]]; c >= 0; c = nextCall[c]) markLive(calls[c].args[paramIndex[v]], live, work);
            } else {
                Inst d = f.valueDefInst(v);
                if (d != null) for (int a : d.args) markLive(a, live, work);
            }
        }
        return live;
    }

    /** Marks v live and pushes it on work, whose last element is the stack's height. */
    private static void markLive(int v, boolean[] live, int[] work) {
        if (live[v]) return;
        live[v] = true;
        work[work[work.length - 1]++] = v;
    }

    /** Whether a block call passes its k-th argument: its target's k-th parameter is live. */
    private boolean passes(BlockCall bc, int k) {
        return liveParam[f.block(bc.block).params[k]];
    }

    /** The live ones of a block's parameters, in order. */
    private int[] liveOnly(int[] params) {
        int n = 0;
        for (int p : params) if (liveParam[p]) n++;
        int[] r = new int[n];
        n = 0;
        for (int p : params) if (liveParam[p]) r[n++] = p;
        return r;
    }

    /** Computes each hoisted constant at the end of its loop's preheader, before the terminator. */
    private void placeHoistedConstants() {
        for (Map.Entry<HoistKey, Integer> e : hoisted.entrySet()) {
            VCode.VBlock pre = vblockOf[loops.preheader(e.getKey().header())];
            pre.insts.add(pre.insts.size() - 1, new MInst.MovImm(e.getValue(), e.getKey().value()));
            if (pre.locs.size() == pre.insts.size() - 1) pre.locs.add(pre.locs.size() - 1, null);
        }
        for (Map.Entry<FloatHoistKey, Integer> e : hoistedFloats.entrySet()) {
            VCode.VBlock pre = vblockOf[loops.preheader(e.getKey().header())];
            pre.insts.add(pre.insts.size() - 1, new MInst.FConst(e.getKey().single(), e.getValue(), e.getKey().bits()));
            if (pre.locs.size() == pre.insts.size() - 1) pre.locs.add(pre.locs.size() - 1, null);
        }
    }

    /**
     * A Wasm memory index is `uextend.i64` of an i32, lowered as `mov r32, r32` before every
     * access. x86-64 zeroes bits 63..32 of a register that a 32-bit instruction writes, so
     * where the i32 was computed by one, its register already holds the extended value and
     * the address can take it as its base or index directly: the extension is left with no
     * reader and removeDeadCode drops it. Decided on the machine instructions themselves,
     * after lowering, because only they say which width writes the register (an i32 `iadd`
     * may be a 32-bit add or a 32-bit lea; an `ireduce` is a 64-bit move that keeps garbage
     * above bit 31).
     *
     * A vreg is zero-extended (zx) when every instruction that defines it writes a GPR with
     * bits 63..32 clear:
     * - ALU (add, sub, and, or, xor), ALU_I, ALU_M, IMUL, IMUL_I, LEA at size 4: 32-bit
     *   instructions (Emit: the op at size 4, or a 32-bit lea for three-address forms);
     * - LOAD of 4 bytes unsigned (`mov r32, m32`) or 1 or 2 bytes unsigned (`movzx r32`);
     * - EXT unsigned from 1, 2 or 4 bytes (`movzx r32`, `mov r32, r32`); SETCC (`movzx r32`);
     * - SHIFT_I at size 4 with a non-zero count (a count of 0 is left out: it is the one
     *   case where the instruction might be said to write nothing);
     * - MOV_IMM of a value in [0, 2^31): whichever encoding materialises it, the upper half
     *   is zero;
     * - MOV, and a jump argument into a block parameter: zx if the source is (a 64-bit
     *   move keeps all bits), and a constant argument as for MOV_IMM.
     * Everything else is not: entry parameters and call results (System V leaves bits 63..32
     * of a 32-bit argument or result undefined), shifts by a register, selects, divisions,
     * float values. Block parameters make the definitions cyclic, so the answer is the
     * greatest fixpoint: all vregs whose definitions are candidates start zx, and a worklist
     * clears each one that depends on a cleared one. A spilled vreg keeps its bits: spills,
     * reloads and moves are 8 bytes wide (Rewrite).
     *
     * Only address operands (base, index) are rewritten: an extension read by anything else
     * keeps its instruction for those readers. The source dominates the extension, which
     * dominates every reader, so the source is available wherever it is now read.
     * Tests: the `wasm-memory-index` filetest (where it is dropped and where kept), the run
     * lines of `runtests/zero-extension.clif` in OpcodeRunTest (indexes whose registers hold
     * garbage above bit 31: an argument, an ireduce, a loop fed by one; treating every
     * definition as zero-extending faults on 5 of its 6 lines), the Wasm spec suite.
     */
    private void elideZeroExtensions() {
        // Code without a 32-to-64-bit extension (most CLIF) has nothing to elide: skip the
        // analysis, which allocates per vreg.
        boolean hasExt = false;
        for (VCode.VBlock b : vc.blocks) {
            for (MInst m : b.insts) hasExt |= m.kind() == MInst.K.EXT;
        }
        if (!hasExt) return;
        int n = nextVreg;
        boolean[] zx = new boolean[n], no = new boolean[n], defined = new boolean[n];
        List<List<Integer>> dependents = new ArrayList<>(n);
        for (int v = 0; v < n; v++) dependents.add(null);
        boolean anyExt = false;
        for (VCode.VBlock b : vc.blocks) {
            for (MInst m : b.insts) {
                if (m.kind() == MInst.K.EXT) anyExt = true;
                if (m.kind() == MInst.K.JUMP) {
                    MInst.Jump j = (MInst.Jump) m;
                    int[] ps = vc.blocks.get(j.targets()[0]).params;
                    for (int i = 0; i < ps.length && i < j.args().length; i++) {
                        int p = ps[i];
                        defined[p] = true;
                        if (floatVreg[p]) {
                            no[p] = true; // an XMM register's bits say nothing of a GPR's
                        } else if (j.args()[i] < 0) {
                            if (!smallNonNegative(j.consts()[i])) no[p] = true;
                        } else {
                            dependOn(dependents, j.args()[i], p);
                        }
                    }
                    continue;
                }
                for (int d : m.defs()) {
                    defined[d] = true;
                    if (floatVreg[d]) no[d] = true;
                    else if (m.kind() == MInst.K.MOV) dependOn(dependents, ((MInst.Mov) m).a(), d);
                    else if (!writesZeroExtended(m)) no[d] = true;
                }
            }
        }
        if (!anyExt) return;
        Deque<Integer> work = new ArrayDeque<>();
        for (int v = 0; v < n; v++) {
            zx[v] = defined[v] && !no[v];
            if (!zx[v]) work.push(v);
        }
        while (!work.isEmpty()) {
            List<Integer> ds = dependents.get(work.pop());
            if (ds == null) continue;
            for (int w : ds) {
                if (zx[w]) {
                    zx[w] = false;
                    work.push(w);
                }
            }
        }
        int[] alias = new int[n];
        Arrays.fill(alias, -1);
        boolean any = false;
        for (VCode.VBlock b : vc.blocks) {
            for (MInst m : b.insts) {
                if (m.kind() != MInst.K.EXT) continue;
                MInst.Ext e = (MInst.Ext) m;
                if (e.from() == 4 && !e.signed() && zx[e.a()] && !floatVreg[e.dst()]) {
                    alias[e.dst()] = e.a();
                    any = true;
                }
            }
        }
        if (!any) return;
        for (VCode.VBlock b : vc.blocks) {
            for (int i = 0; i < b.insts.size(); i++) {
                MInst m = b.insts.get(i), r = m;
                switch (m.kind()) {
                    case LOAD: {
                        MInst.Load x = (MInst.Load) m;
                        MemArg a = aliased(x.mem(), alias);
                        if (a != x.mem()) r = new MInst.Load(x.size(), x.signed(), a, x.trap(), x.dst());
                        break;
                    }
                    case STORE: {
                        MInst.Store x = (MInst.Store) m;
                        MemArg a = aliased(x.mem(), alias);
                        if (a != x.mem()) r = new MInst.Store(x.size(), a, x.trap(), x.value());
                        break;
                    }
                    case STORE_I: {
                        MInst.StoreImm x = (MInst.StoreImm) m;
                        MemArg a = aliased(x.mem(), alias);
                        if (a != x.mem()) r = new MInst.StoreImm(x.size(), a, x.trap(), x.imm());
                        break;
                    }
                    case ALU_M: {
                        MInst.AluMem x = (MInst.AluMem) m;
                        MemArg a = aliased(x.mem(), alias);
                        if (a != x.mem()) r = new MInst.AluMem(x.op(), x.size(), x.dst(), x.a(), a, x.trap());
                        break;
                    }
                    case LEA: {
                        MInst.Lea x = (MInst.Lea) m;
                        MemArg a = aliased(x.mem(), alias);
                        if (a != x.mem()) r = new MInst.Lea(x.size(), x.dst(), a);
                        break;
                    }
                    default:
                        break;
                }
                if (r != m) b.insts.set(i, r);
            }
        }
    }

    private static void dependOn(List<List<Integer>> dependents, int source, int v) {
        if (dependents.get(source) == null) dependents.set(source, new ArrayList<>(2));
        dependents.get(source).add(v);
    }

    /** A constant whose 64-bit register form has bits 63..31 clear, however it is encoded. */
    private static boolean smallNonNegative(long c) {
        return c >= 0 && c < (1L << 31);
    }

    /** True if m's GPR result has bits 63..32 clear by m alone (see elideZeroExtensions). */
    private static boolean writesZeroExtended(MInst m) {
        switch (m.kind()) {
            case ALU: {
                MInst.Alu x = (MInst.Alu) m;
                return x.size() == 4 && plainAlu(x.op());
            }
            case ALU_I: {
                MInst.AluImm x = (MInst.AluImm) m;
                return x.size() == 4 && plainAlu(x.op());
            }
            case ALU_M: {
                MInst.AluMem x = (MInst.AluMem) m;
                return x.size() == 4 && plainAlu(x.op());
            }
            case IMUL: return ((MInst.Imul) m).size() == 4;
            case IMUL_I: return ((MInst.ImulImm) m).size() == 4;
            case LEA: return ((MInst.Lea) m).size() == 4;
            case LOAD: {
                MInst.Load x = (MInst.Load) m;
                return !x.signed() && x.size() <= 4;
            }
            case EXT: {
                MInst.Ext x = (MInst.Ext) m;
                return !x.signed() && x.from() <= 4;
            }
            case SETCC: return true;
            case SHIFT_I: {
                MInst.ShiftImm x = (MInst.ShiftImm) m;
                return x.size() == 4 && (x.amount() & 31) != 0;
            }
            case MOV_IMM: return smallNonNegative(((MInst.MovImm) m).imm());
            default: return false;
        }
    }

    private static boolean plainAlu(AluOp op) {
        return op == AluOp.ADD || op == AluOp.SUB || op == AluOp.AND || op == AluOp.OR || op == AluOp.XOR;
    }

    /** mem with every base or index in `alias` replaced by what it aliases (mem itself if none is). */
    private static MemArg aliased(MemArg mem, int[] alias) {
        int base = mem.base >= 0 && alias[mem.base] >= 0 ? alias[mem.base] : mem.base;
        int index = mem.index >= 0 && alias[mem.index] >= 0 ? alias[mem.index] : mem.index;
        if (base == mem.base && index == mem.index) return mem;
        return MemArg.rebuild(mem, base, index);
    }

    /**
     * Removes every instruction without side effects whose results nothing reads. The use
     * counts above keep a definition whose users have not been lowered yet when it is
     * reached (a `stack_addr` or `iadd_imm` whose users in later blocks all fold it), so
     * this is where such a definition goes. A worklist over the definitions of the
     * operands of what was removed keeps it linear; positions and the dead marks are
     * arrays (an identity set of instructions was a measurable part of a large compile).
     */
    private void removeDeadCode() {
        int[] uses = new int[nextVreg];
        // Where each vreg is defined: block id << 32 | index in the block (-1: nowhere).
        long[] def = new long[nextVreg];
        Arrays.fill(def, -1);
        int nb = vc.blocks.size();
        for (int bi = 0; bi < nb; bi++) {
            List<MInst> insts = vc.blocks.get(bi).insts;
            for (int k = 0; k < insts.size(); k++) {
                MInst m = insts.get(k);
                for (int u : m.uses()) uses[u]++;
                for (int d : m.defs()) def[d] = (long) bi << 32 | k;
            }
        }
        // Dead instructions, per block (null: none yet); the worklist holds positions as in def.
        boolean[][] dead = new boolean[nb][];
        long[] work = new long[64];
        int nwork = 0;
        for (int bi = 0; bi < nb; bi++) {
            List<MInst> insts = vc.blocks.get(bi).insts;
            for (int k = 0; k < insts.size(); k++) {
                if (!isDead(insts.get(k), uses)) continue;
                if (nwork == work.length) work = Arrays.copyOf(work, 2 * nwork);
                work[nwork++] = (long) bi << 32 | k;
            }
        }
        boolean any = false;
        while (nwork > 0) {
            long at = work[--nwork];
            int bi = (int) (at >>> 32), k = (int) at;
            MInst m = vc.blocks.get(bi).insts.get(k);
            if (dead[bi] != null && dead[bi][k] || !isDead(m, uses)) continue;
            if (dead[bi] == null) dead[bi] = new boolean[vc.blocks.get(bi).insts.size()];
            dead[bi][k] = any = true;
            for (int u : m.uses()) {
                if (--uses[u] == 0 && def[u] >= 0) {
                    if (nwork == work.length) work = Arrays.copyOf(work, 2 * nwork);
                    work[nwork++] = def[u];
                }
            }
        }
        if (!any) return;
        for (int bi = 0; bi < nb; bi++) {
            if (dead[bi] == null) continue;
            VCode.VBlock b = vc.blocks.get(bi);
            boolean withLocs = b.locs.size() == b.insts.size();
            int w = 0;
            for (int k = 0; k < b.insts.size(); k++) {
                if (dead[bi][k]) continue;
                b.insts.set(w, b.insts.get(k));
                if (withLocs) b.locs.set(w, b.locs.get(k));
                w++;
            }
            b.insts.subList(w, b.insts.size()).clear();
            if (withLocs) b.locs.subList(w, b.locs.size()).clear();
        }
    }

    private static boolean isDead(MInst m, int[] uses) {
        if (!m.isPure()) return false;
        int[] defs = m.defs();
        if (defs.length == 0) return false;
        for (int d : defs) if (uses[d] > 0) return false;
        return true;
    }

    // ---- per block ----

    private void lowerBlock(Block b, VCode.VBlock vb) {
        curBlock = b;
        curBlockInsts = 0;
        for (Inst i : b.insts) if (i.op != Opcode.NOP) curBlockInsts++;
        // The block's instructions are lowered bottom-up into one reused buffer, a chunk per
        // IR instruction, and copied out in IR order at the end (chunkStart / chunkLoc: each
        // chunk's first index in `lowered` and its IR location).
        List<MInst> lowered = blockBuf;
        lowered.clear();
        int nchunks = 0;
        List<Inst> insts = b.insts;
        curColors = new int[insts.size()];
        for (int idx = 0, color = 0; idx < insts.size(); idx++) {
            curColors[idx] = color;
            if (insts.get(idx).op.hasSideEffects()) color++;
        }
        seq = lowered;
        for (int idx = insts.size() - 1; idx >= 0; idx--) {
            Inst inst = insts.get(idx);
            currentIndex = idx;
            if (inst.results.length > 0 && merged[inst.results[0]] || !hasEffect(inst) && !anyResultUsed(inst)) {
                // Not lowered: it reads none of its operands (a merged load's user reads its address).
                for (int a : inst.args) useCount[a]--;
                continue;
            }
            int start = lowered.size();
            lowerInst(inst);
            nchunks = chunk(nchunks, start, isInstrumentation(lowered, start) ? dev.patchbay.codegen.ir.SourceLoc.NONE : inst.loc);
        }
        if (b == f.entryBlock()) {
            int start = lowered.size();
            lowerParams(b);
            nchunks = chunk(nchunks, start, dev.patchbay.codegen.ir.SourceLoc.NONE);
        }
        seq = null;
        if (vb.insts instanceof ArrayList<MInst> al) al.ensureCapacity(vb.insts.size() + lowered.size());
        for (int c = nchunks - 1; c >= 0; c--) {
            int from = chunkStart[c], to = c + 1 < nchunks ? chunkStart[c + 1] : lowered.size();
            dev.patchbay.codegen.ir.SourceLoc loc = chunkLoc[c];
            for (int k = from; k < to; k++) {
                vb.insts.add(lowered.get(k));
                vb.locs.add(loc.isKnown() ? loc : null);
            }
        }
        lowered.clear();
    }

    /** The block buffer lowerBlock reuses, and its chunks' starts and locations. */
    private final List<MInst> blockBuf = new ArrayList<>();
    private int[] chunkStart = new int[16];
    private dev.patchbay.codegen.ir.SourceLoc[] chunkLoc = new dev.patchbay.codegen.ir.SourceLoc[16];

    /** Records chunk n (starting at `start` in the block buffer) and returns n + 1. */
    private int chunk(int n, int start, dev.patchbay.codegen.ir.SourceLoc loc) {
        if (n == chunkStart.length) {
            chunkStart = Arrays.copyOf(chunkStart, 2 * n);
            chunkLoc = Arrays.copyOf(chunkLoc, 2 * n);
        }
        chunkStart[n] = start;
        chunkLoc[n] = loc;
        return n + 1;
    }

    /**
     * Whether a chunk is a site the instrumentation pass inserted (it carries its block's
     * location, not one of the program's instructions): no location table entry of its own.
     */
    private static boolean isInstrumentation(List<MInst> insts, int from) {
        for (int k = from; k < insts.size(); k++) {
            MInst m = insts.get(k);
            if (m.kind() == MInst.K.SITE && ((MInst.Site) m).siteKind() != SiteKind.CUSTOM) return true;
        }
        return false;
    }

    /**
     * Whether removing an unused instance of inst would change behaviour. A load marked
     * `notrap` cannot fault, so its result is all it does, as Cranelift's dead-code pass
     * also has it: the Wasm translator loads the memory base and descriptor from the
     * instance block at every function's entry, and a function that touches no memory (or,
     * without bounds checks, never needs the length) then loads nothing.
     */
    private static boolean hasEffect(Inst inst) {
        if (!inst.op.hasSideEffects()) return false;
        return !(inst.op.format == dev.patchbay.codegen.ir.InstFormat.LOAD && inst.flags.has(MemFlags.NOTRAP));
    }

    private boolean anyResultUsed(Inst inst) {
        for (int r : inst.results) if (useCount[r] > 0) return true;
        return false;
    }

    private void lowerParams(Block entry) {
        int[] ps = entry.params;
        Abi.ArgLocs locs = Abi.argLocs(f.signature);
        int extra = locs.retArea != null ? 1 : 0;
        int[] list = Arrays.copyOf(ps, ps.length + extra);
        if (extra == 1) {
            list[ps.length] = vc.retAreaVreg;
            hintReg[vc.retAreaVreg] = locs.retArea.enc();
        }
        for (int i = 0; i < ps.length; i++) if (!locs.onStack(i)) hintReg[ps[i]] = locs.reg(i);
        emit(new MInst.Params(list, f.signature));
    }

    // ---- helpers ----

    private int temp() {
        int v = nextVreg++;
        if (v >= hintReg.length) {
            int old = hintReg.length, n = Math.max(2 * old, v + 1);
            hintReg = Arrays.copyOf(hintReg, n);
            hintVreg = Arrays.copyOf(hintVreg, n);
            floatVreg = Arrays.copyOf(floatVreg, n);
            // Everything past the old end is new: no hint (not 0, which would name RAX or vreg 0).
            Arrays.fill(hintReg, old, n, -1);
            Arrays.fill(hintVreg, old, n, -1);
        }
        return v;
    }

    /** A temporary of the XMM class. */
    private int ftemp() {
        int v = temp();
        floatVreg[v] = anyFloat = true;
        return v;
    }

    private MInst emit(MInst m) {
        seq.add(m);
        return m;
    }

    private Type type(int v) { return f.valueType(v); }

    /** Operation size for a type in a 32/64-bit ALU: narrow types compute in 32 bits. */
    private static int opSize(Type t) { return t == Type.I64 ? 8 : 4; }

    /** The constant an IR value is defined as, or null; temps (vregs past the IR values) are never constants. */
    private Long constOf(int v) {
        // The bitmap first: most operands are not constants, and their definitions are
        // often far away in memory (a 200k-instruction function's IR is megabytes).
        if (v >= f.numValues() || !iconst[v]) return null;
        return f.valueDefInst(v).imm;
    }

    /** The constant as an imm32 usable by an op of the given type, or null. */
    private Integer imm32(int v, Type t) {
        Long c = constOf(v);
        if (c == null) return null;
        return fitImm(c, t);
    }

    private static Integer fitImm(long c, Type t) {
        if (t != Type.I64) return (int) t.signExtend(c);
        if (c == (int) c) return (int) c;
        return null;
    }

    /** A register holding v: v itself, a rematerialised constant, or a float constant computed before its loop. */
    private int reg(int v) {
        Long c = constOf(v);
        if (c != null) return constant(c);
        int hf = hoistedFloat(v);
        return hf >= 0 ? hf : v;
    }

    /**
     * A float constant has no immediate form: FConst is `mov r10d, imm` + `movq xmm, r10`
     * (or a pxor for +0.0), and the Wasm translator puts each `f32.const` where the loop body
     * uses it, so series32's loop computed three constants on every iteration. One defined
     * in a single-entry loop (Loops) is computed once, at the end of the loop's preheader,
     * into one XMM vreg per loop and value, and every reader that asks reg() for it reads
     * that vreg: a value defined in the loop is only read where the loop's preheader
     * dominates. Its own definition becomes a copy of that vreg, which removeDeadCode drops
     * when nothing else reads it (a jump argument or a call does, taking the value as is). If
     * the loop needs the registers, the allocator spills the constant, and a use reloads it
     * from its slot: one load, where FConst was two instructions. Returns -1 for any other
     * value. Test: the `float-loop-constants` filetest; the float peer suites and the
     * differential fuzzer (float code in loops) for the values.
     */
    private int hoistedFloat(int v) {
        if (v >= f.numValues() || defBlock[v] < 0) return -1;
        Inst d = f.valueDefInst(v);
        if (d == null || (d.op != Opcode.F32CONST && d.op != Opcode.F64CONST)) return -1;
        int h = loops.header(defBlock[v]);
        if (h < 0) return -1;
        return hoistedFloats.computeIfAbsent(new FloatHoistKey(h, d.op == Opcode.F32CONST, d.imm), k -> ftemp());
    }

    /**
     * A register holding c. Constants are rematerialised at each use, which keeps their
     * live ranges to one instruction, except one that needs a 10-byte `movabs` inside a
     * loop: that one is computed once at the end of the loop's preheader (see Loops) and
     * shared by the loop's uses, so the loop runs no `movabs` at all.
     */
    private int constant(long c) {
        boolean wide = !(c >= Integer.MIN_VALUE && c <= 0xFFFF_FFFFL);
        int h = wide && curBlock != null ? loops.header(curBlock.id) : -1;
        if (h >= 0) {
            return hoisted.computeIfAbsent(new HoistKey(h, c), k -> temp());
        }
        int t = temp();
        emit(new MInst.MovImm(t, c));
        return t;
    }

    private int ext(int v, Type from, boolean signed) {
        if (from == Type.I64) return reg(v);
        int t = temp();
        int a = reg(v);
        emit(new MInst.Ext(from.bytes(), signed, t, a));
        return t;
    }

    private void copy(int dst, int src) {
        hintVreg[dst] = src;
        emit(new MInst.Mov(dst, src));
    }

    private void alu(AluOp op, int size, int dst, int a, int b) {
        hintVreg[dst] = a;
        emit(new MInst.Alu(op, size, dst, a, b));
    }

    private void aluImm(AluOp op, int size, int dst, int a, long imm) {
        hintVreg[dst] = a;
        emit(new MInst.AluImm(op, size, dst, a, imm));
    }

    /** dst = a op b with b folded to an immediate or a memory operand when possible. */
    private void aluFold(AluOp op, Type t, int dst, int a, int b, boolean commutative) {
        int size = opSize(t);
        if (commutative && constOf(a) != null && constOf(b) == null) {
            int x = a;
            a = b;
            b = x;
        }
        Integer imm = imm32(b, t);
        if (imm != null) {
            aluImm(op, size, dst, reg(a), imm);
            return;
        }
        if (commutative && sinkableLoad(a, t) != null && sinkableLoad(b, t) == null) {
            int x = a;
            a = b;
            b = x;
        }
        Inst load = sinkableLoad(b, t);
        MemArg mem = sinkLoad(b, t);
        if (mem != null) {
            // The access may still fault: the instruction that now makes it is the trap site.
            TrapCode trap = load.op == Opcode.LOAD && !load.flags.has(MemFlags.NOTRAP) ? TrapCode.HEAP_OUT_OF_BOUNDS : null;
            int ra = reg(a);
            hintVreg[dst] = a;
            emit(new MInst.AluMem(op, size, dst, ra, mem, trap));
            return;
        }
        alu(op, size, dst, reg(a), reg(b));
    }

    /** The load defining v if it can become the memory operand of the current instruction. */
    private Inst sinkableLoad(int v, Type t) {
        Inst d = f.valueDefInst(v);
        if (d == null || useCount[v] != 1 || !definedIn(v, curBlock)) return null;
        if (!(d.op == Opcode.LOAD || d.op == Opcode.STACK_LOAD)) return null;
        if (t != Type.I32 && t != Type.I64) return null;
        if (d.type != t) return null;
        return d;
    }

    private Inst currentInst;

    /** Whether IR value v is defined by an instruction (not a parameter) of block b. */
    private boolean definedIn(int v, Block b) {
        return v < defBlock.length && defBlock[v] == b.id;
    }

    private MemArg sinkLoad(int v, Type t) {
        Inst d = sinkableLoad(v, t);
        if (d == null || currentInst == null) return null;
        if (!canSink(v, d)) return null;
        merged[v] = true;
        foldDef(v);
        return d.op == Opcode.STACK_LOAD ? MemArg.slot(d.ref, d.offset) : address(d.args[0], d.offset);
    }

    /**
     * True if load d may move down to its user. A `load` may trap, so no other side effect
     * may lie between them (their order would change): its color, which the load itself
     * bumps, must be the user's. A `stack_load` cannot trap and is no side effect, so only
     * an instruction between them that may write memory (a store or a call) forbids it;
     * comparing colors as for `load` used to let one such instruction slip in between.
     */
    private boolean canSink(int v, Inst d) {
        if (d.op.hasSideEffects()) return defColor[v] + 1 == curColors[currentIndex];
        List<Inst> insts = curBlock.insts;
        for (int i = defIndex[v] + 1; i < currentIndex; i++) {
            Opcode op = insts.get(i).op;
            if (op.isStore() || op == Opcode.CALL || op == Opcode.CALL_INDIRECT) return false;
        }
        return true;
    }

    /**
     * The current instruction reads the operands of v's definition instead of v (it folds
     * the definition into itself): v has one reader fewer, each operand one more. See
     * useCount; the definition is lowered only if some other reader is left.
     */
    private void foldDef(int v) {
        useCount[v]--;
        for (int a : f.valueDefInst(v).args) useCount[a]++;
    }

    private static boolean fitsInt(long v) { return v == (int) v; }

    /** The definition of v if v is an IR value defined by an instruction, else null. */
    private Inst defOf(int v) {
        return v < f.numValues() ? f.valueDefInst(v) : null;
    }

    /**
     * Counts, bottom-up, the uses of each value defined in b that b's loads and stores
     * take as their address, directly or through an address-only `iadd_imm` (see
     * addressUses).
     */
    private void countAddressUses(Block b) {
        List<Inst> insts = b.insts;
        for (int idx = insts.size() - 1; idx >= 0; idx--) {
            Inst i = insts.get(idx);
            int addr = -1;
            boolean loads = false, stores = false;
            if (i.op.format == dev.patchbay.codegen.ir.InstFormat.LOAD) {
                addr = i.args[0];
                loads = true;
            } else if (i.op.format == dev.patchbay.codegen.ir.InstFormat.STORE) {
                addr = i.args[1];
                stores = true;
            } else if (i.op == Opcode.IADD_IMM && i.type == Type.I64 && addressOnly(i.results[0])) {
                addr = i.args[0];
                loads = loadedThrough[i.results[0]];
                stores = storedThrough[i.results[0]];
            }
            if (addr < 0) continue;
            if (!definedIn(addr, b)) continue;
            addressUses[addr]++;
            loadedThrough[addr] |= loads;
            storedThrough[addr] |= stores;
        }
    }

    /** Every use of v is an address in v's own block (see addressUses). */
    private boolean addressOnly(int v) {
        return v < f.numValues() && irUses[v] > 0 && addressUses[v] == irUses[v];
    }

    /**
     * The address operand for `addr + offset`: the largest x86 addressing mode
     * [base + index*scale + disp] the definitions of addr fill, with base a register or a
     * stack slot (RBP). It folds a chain of `iadd_imm` into the displacement, a `stack_addr`
     * into the base, and an address-only `iadd` of a base and an index, where the index may
     * be `ishl_imm` by 0 to 3 or a multiply by 1, 2, 4 or 8 (scale), and either side may be
     * an `iadd_imm` or a constant (displacement). So `iadd(base, ishl(uextend(i), 2))` is
     * [base + i64(i)*4] and sieve's `iadd(stack_addr, k)` is [rbp + k - 0x2000]. The `iadd`
     * is folded only where every use of it is such an address in its own block: all of them
     * fold it, it needs no register of its own (useCount), and its operands stay live no
     * further than it would have. x86 address arithmetic is 64-bit modulo 2^64 with a
     * sign-extended disp32, which is what iadd and ishl compute at I64.
     *
     * An `iadd` that loads and stores both go through keeps its register instead, and the
     * accesses are [reg + disp]. Bubble sort stores a[k+1] and loads it back in the next
     * iteration; with both accesses indexed ([rbp + k*4 - 0x410]) its kernel ran 2.7x
     * slower on this machine's Sapphire Rapids cores (7.3 ms against 2.7 ms a call, same
     * process, alternating), whether the load, the store or both were indexed: the core
     * forwards a store to a later load much faster when both are base + displacement. A
     * sieve, which only stores through its indexed addresses, ran the same either way.
     */
    private MemArg address(int addr, long offset) {
        if (!fitsInt(offset)) {
            int t = temp();
            alu(AluOp.ADD, 8, t, reg(addr), constant(offset));
            return MemArg.base(t, 0);
        }
        long disp = offset;
        int v = addr;
        for (Inst d; (d = defOf(v)) != null && d.op == Opcode.IADD_IMM && d.type == Type.I64 && fitsInt(disp + d.imm); ) {
            foldDef(v);
            disp += d.imm;
            v = d.args[0];
        }
        Inst d = defOf(v);
        if (d != null && d.op == Opcode.STACK_ADDR && fitsInt(disp + d.offset)) {
            foldDef(v);
            return MemArg.slot(d.ref, (int) (disp + d.offset));
        }
        if (d != null && d.op == Opcode.IADD && d.type == Type.I64 && addressOnly(v) && !(loadedThrough[v] && storedThrough[v])) {
            MemArg m = baseIndex(v, d, disp);
            if (m != null) return m;
        }
        return MemArg.base(reg(v), (int) disp);
    }

    /** An address's index: `reg` times `scale`, computed by the definition of `folded` (or -1: reg itself). */
    private record Index(int reg, int scale, int folded) {}

    /**
     * v as a scaled index, if v is `ishl` by 0 to 3 or a multiply by 1, 2, 4 or 8 of a
     * non-constant, defined in this block and read by nothing but the `iadd` being folded.
     */
    private Index indexOf(int v) {
        Inst d = defOf(v);
        if (d == null || irUses[v] != 1 || !definedIn(v, curBlock) || d.type != Type.I64) return null;
        long scale;
        int x = d.args.length > 0 ? d.args[0] : -1;
        switch (d.op) {
            case ISHL_IMM: scale = (d.imm & 63) <= 3 ? 1L << (d.imm & 63) : 0; break;
            case ISHL: {
                Long k = constOf(d.args[1]);
                scale = k != null && (k & 63) <= 3 ? 1L << (k & 63) : 0;
                break;
            }
            case IMUL_IMM: scale = d.imm; break;
            case IMUL: {
                Long c0 = constOf(d.args[0]), c1 = constOf(d.args[1]);
                if (c1 != null) scale = c1;
                else if (c0 != null) {
                    scale = c0;
                    x = d.args[1];
                } else scale = 0;
                break;
            }
            default: return null;
        }
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) return null;
        if (constOf(x) != null) return null;
        return new Index(x, (int) scale, v);
    }

    private boolean isStackAddr(int v) {
        Inst d = defOf(v);
        return d != null && d.op == Opcode.STACK_ADDR;
    }

    /** An `iadd_imm` at I64 in this block whose only reader is the address being built, or null. */
    private Inst foldableImm(int v) {
        Inst d = defOf(v);
        boolean ok = d != null && d.op == Opcode.IADD_IMM && d.type == Type.I64 && irUses[v] == 1
            && definedIn(v, curBlock) && fitsInt(d.imm);
        return ok ? d : null;
    }

    /** [x + y*scale + disp] for v = iadd x, y (see address), or null if the parts do not fit a mode. */
    private MemArg baseIndex(int v, Inst d, long disp) {
        int x = d.args[0], y = d.args[1];
        Long cx = constOf(x), cy = constOf(y);
        if (cx != null && cy != null) return null;
        if (cx != null || cy != null) {
            // A constant side is a displacement: what is left is an address of its own.
            long c = cx != null ? cx : cy;
            if (!fitsInt(disp + c)) return null;
            foldDef(v);
            return address(cx != null ? y : x, disp + c);
        }
        Index s = indexOf(y);
        int base = x;
        if (s == null) {
            s = indexOf(x);
            base = y;
        }
        if (s == null) {
            // Two plain values, scale 1. A stack slot can only be the base (RBP).
            boolean swap = isStackAddr(y) && !isStackAddr(x);
            base = swap ? y : x;
            s = new Index(swap ? x : y, 1, -1);
        }
        long total = disp;
        int index = s.reg();
        // (i + c) * scale + ... = i*scale + ... + c*scale.
        Inst indexImm = foldableImm(index);
        if (indexImm != null && fitsInt(total + indexImm.imm * s.scale())) total += indexImm.imm * s.scale();
        else indexImm = null;
        Inst bd = defOf(base);
        boolean baseSlot = bd != null && bd.op == Opcode.STACK_ADDR && fitsInt(total + bd.offset);
        if (baseSlot) total += bd.offset;
        Inst baseImm = baseSlot ? null : foldableImm(base);
        if (baseImm != null && fitsInt(total + baseImm.imm)) total += baseImm.imm;
        else baseImm = null;
        foldDef(v);
        if (s.folded() >= 0) foldDef(s.folded());
        if (indexImm != null) {
            foldDef(index);
            index = indexImm.args[0];
        }
        if (baseSlot) {
            foldDef(base);
            return MemArg.slotIndex(bd.ref, reg(index), s.scale(), (int) total);
        }
        if (baseImm != null) {
            foldDef(base);
            base = baseImm.args[0];
        }
        return MemArg.baseIndex(reg(base), reg(index), s.scale(), (int) total);
    }

    private static Cond cond(IntCC cc) {
        switch (cc) {
            case EQ: return Cond.E;
            case NE: return Cond.NE;
            case SLT: return Cond.L;
            case SGE: return Cond.GE;
            case SGT: return Cond.G;
            case SLE: return Cond.LE;
            case ULT: return Cond.B;
            case UGE: return Cond.AE;
            case UGT: return Cond.A;
            default: return Cond.BE;
        }
    }

    /**
     * Fills the compare fields of m for "cond value v is true": folds an icmp or icmp_imm
     * from this block, otherwise tests v against zero.
     *
     * An icmp with several users is folded into each of them that reads flags (branch,
     * select, conditional trap): every one re-emits the `cmp` (its operands are SSA values,
     * so they are still there), as Cranelift does. Materialising the boolean instead costs
     * setcc + movzx + test on the path to each user, which in bubble sort's compare feeding
     * two selects sat on the loop-carried chain. The icmp itself is lowered (setcc) only if
     * some user did not fold it: blocks are lowered bottom-up, so by the time the walk
     * reaches the icmp all of its users in this block have had their say.
     */
    private MInst.Cmp condition(int v, boolean negate) {
        return condition(v, negate, 0);
    }

    /**
     * Wasm computes a condition as an i32: `uextend.i32 (icmp ...)`, and `i32.eqz` of a
     * compare is `icmp_imm eq (uextend (icmp ...)), 0`. Zero-ness survives an extension and
     * an eqz only inverts it, so the walk looks through both (`depth` bounds it) to the
     * compare and folds that, instead of setcc + movzx + movzx + test before every br_if,
     * if and select.
     */
    private MInst.Cmp condition(int v, boolean negate, int depth) {
        Inst d = defOf(v);
        if (d != null && definedIn(v, curBlock) && depth < MAX_CONDITION_DEPTH) {
            if (d.op == Opcode.UEXTEND || d.op == Opcode.SEXTEND) {
                foldDef(v);
                return condition(d.args[0], negate, depth + 1);
            }
            if (d.op == Opcode.ICMP_IMM && isZeroTest(d)) {
                foldDef(v);
                return condition(d.args[0], negate ^ d.cond == IntCC.EQ, depth + 1);
            }
            if (d.op == Opcode.ICMP || d.op == Opcode.ICMP_IMM) {
                // Each folding user reads the compare's operands itself; the icmp is lowered
                // (setcc) only if a user is left that reads the boolean.
                foldDef(v);
                IntCC cc = negate ? d.cond.inverse() : d.cond;
                if (d.op == Opcode.ICMP) return compare(cc, d.type, d.args[0], d.args[1], null);
                return compare(cc, d.type, d.args[0], -1, d.imm);
            }
        }
        Long c = constOf(v);
        if (c != null) return MInst.Cmp.zero(negate ? Cond.E : Cond.NE, type(v).bytes(), constant(c));
        return testZero(negate ? Cond.E : Cond.NE, v);
    }

    /** A float compare a branch tests: a cc b. */
    private record FloatTest(dev.patchbay.codegen.ir.FloatCC cc, boolean single, int a, int b) {}

    /**
     * The fcmp of this block that a brif's condition v comes down to, through extensions
     * and eqz as condition() looks (Wasm's br_if on f64.lt is brif of uextend(fcmp)), folded
     * into the branch: ucomis + jcc instead of ucomis, setcc, movzx, test and jcc. An eqz
     * takes the complement (lt becomes uge: NaN makes lt false, so its negation true). Null
     * if v is no such fcmp; nothing is folded then. An fcmp with other readers still computes
     * its boolean for them (useCount), and the branch compares again, as each user of an icmp
     * does.
     */
    private FloatTest floatCondition(int v) {
        int x = v;
        boolean negate = false;
        Inst fcmp = null;
        for (int depth = 0; depth < MAX_CONDITION_DEPTH && fcmp == null; depth++) {
            Inst d = defOf(x);
            if (d == null || !definedIn(x, curBlock)) return null;
            if (d.op == Opcode.UEXTEND || d.op == Opcode.SEXTEND) {
                x = d.args[0];
            } else if (d.op == Opcode.ICMP_IMM && isZeroTest(d)) {
                negate ^= d.cond == IntCC.EQ;
                x = d.args[0];
            } else if (d.op == Opcode.FCMP) {
                fcmp = d;
            } else {
                return null;
            }
        }
        if (fcmp == null) return null;
        for (int y = v; ; y = defOf(y).args[0]) {
            foldDef(y);
            if (defOf(y) == fcmp) break;
        }
        dev.patchbay.codegen.ir.FloatCC cc = negate ? complement(fcmp.fcond) : fcmp.fcond;
        return new FloatTest(cc, type(fcmp.args[0]) == Type.F32, fcmp.args[0], fcmp.args[1]);
    }

    /** The condition that holds exactly when cc does not (NaN included). */
    private static dev.patchbay.codegen.ir.FloatCC complement(dev.patchbay.codegen.ir.FloatCC cc) {
        switch (cc) {
            case ORD: return dev.patchbay.codegen.ir.FloatCC.UNO;
            case UNO: return dev.patchbay.codegen.ir.FloatCC.ORD;
            case EQ: return dev.patchbay.codegen.ir.FloatCC.NE;
            case NE: return dev.patchbay.codegen.ir.FloatCC.EQ;
            case ONE: return dev.patchbay.codegen.ir.FloatCC.UEQ;
            case UEQ: return dev.patchbay.codegen.ir.FloatCC.ONE;
            case LT: return dev.patchbay.codegen.ir.FloatCC.UGE;
            case UGE: return dev.patchbay.codegen.ir.FloatCC.LT;
            case LE: return dev.patchbay.codegen.ir.FloatCC.UGT;
            case UGT: return dev.patchbay.codegen.ir.FloatCC.LE;
            case GT: return dev.patchbay.codegen.ir.FloatCC.ULE;
            case ULE: return dev.patchbay.codegen.ir.FloatCC.GT;
            case GE: return dev.patchbay.codegen.ir.FloatCC.ULT;
            default: return dev.patchbay.codegen.ir.FloatCC.GE; // ULT
        }
    }

    /** How many extensions and eqz a condition is looked through: a bound on the recursion. */
    private static final int MAX_CONDITION_DEPTH = 16;

    /** `icmp_imm eq/ne x, 0`. */
    private static boolean isZeroTest(Inst d) {
        return (d.cond == IntCC.EQ || d.cond == IntCC.NE) && d.type.signExtend(d.imm) == 0;
    }

    /**
     * Whether v is a boolean that condition() would fold into the compare it comes from: an
     * icmp of this block, seen through extensions. Lowering such a v as setcc of
     * that compare gives the boolean, already zero-extended, in one step.
     */
    private boolean isFoldableBoolean(int v, int depth) {
        Inst d = defOf(v);
        if (d == null || !definedIn(v, curBlock) || depth >= MAX_CONDITION_DEPTH) return false;
        if (d.op == Opcode.ICMP || d.op == Opcode.ICMP_IMM) return true;
        if (d.op == Opcode.UEXTEND || d.op == Opcode.SEXTEND) return isFoldableBoolean(d.args[0], depth + 1);
        return false;
    }

    /**
     * Flags for "v cc 0" where only ZF and SF count (cc is a compare against zero). A `band`
     * of this block that nothing else reads is not computed: `test x, y` or `test x, imm`
     * sets the same flags from its operands, and leaves x intact (an `and` would need a copy
     * of x that is still live). Otherwise `test v, v`.
     */
    private MInst.Cmp testZero(Cond cc, int v) {
        Inst d = defOf(v);
        int size = type(v).bytes();
        // irUses, not useCount: a compare folded on the way here still counts as a reader
        // until the walk passes it. With other readers the band is computed as well, which
        // costs an instruction but is still right.
        if (d != null && definedIn(v, curBlock) && irUses[v] == 1) {
            if (d.op == Opcode.BAND_IMM && constOf(d.args[0]) == null) {
                Integer imm = fitImm(d.imm, d.type);
                if (imm != null) {
                    foldDef(v);
                    return MInst.Cmp.testImm(cc, testSize(size, imm), reg(d.args[0]), imm);
                }
            } else if (d.op == Opcode.BAND) {
                int x = d.args[0], y = d.args[1];
                if (constOf(x) != null) {
                    x = d.args[1];
                    y = d.args[0];
                }
                if (constOf(x) == null) {
                    Integer imm = imm32(y, d.type);
                    if (imm != null) {
                        foldDef(v);
                        return MInst.Cmp.testImm(cc, testSize(size, imm), reg(x), imm);
                    }
                    if (constOf(y) == null) {
                        foldDef(v);
                        return MInst.Cmp.testRegs(cc, size, reg(x), reg(y));
                    }
                }
            }
        }
        return MInst.Cmp.zero(cc, size, v);
    }

    /**
     * A mask within the low byte needs only `test r8, imm8` (ZF is all testZero's users
     * read), three bytes shorter than the imm32 form.
     */
    private static int testSize(int size, int imm) {
        return (imm & ~0xFF) == 0 ? 1 : size;
    }

    /**
     * Compare a (cc) b-or-imm at the exact width of t. Against 0, `test a, a` sets the same
     * flags as `cmp a, 0` (CF and OF clear, ZF and SF from a) in fewer bytes, and for eq/ne
     * may fold a `band` defining a (testZero).
     */
    private MInst.Cmp compare(IntCC cc, Type t, int a, int b, Long imm) {
        if (imm == null && constOf(a) != null && constOf(b) == null) {
            int x = a;
            a = b;
            b = x;
            cc = cc.swapped();
        }
        if (imm == null) imm = constOf(b);
        Integer i = imm != null ? fitImm(t.signExtend(imm), t) : null;
        if (i != null && i == 0 && constOf(a) == null) {
            if (cc == IntCC.EQ || cc == IntCC.NE) return testZero(cond(cc), a);
            return MInst.Cmp.zero(cond(cc), t.bytes(), a);
        }
        int ra = reg(a);
        if (i != null) return MInst.Cmp.imm(cond(cc), t.bytes(), ra, i);
        return MInst.Cmp.regs(cond(cc), t.bytes(), ra, imm != null ? constant(imm) : reg(b));
    }

    // ---- instructions ----

    private void lowerInst(Inst inst) {
        currentInst = inst;
        Type t = inst.type;
        int dst = inst.results.length > 0 ? inst.results[0] : -1;
        if (lowerFloat(inst, t, dst)) return;
        switch (inst.op) {
            case NOP:
                return;
            case DEBUGTRAP:
                emit(new MInst.DebugTrap());
                return;
            case ICONST:
                // Never materialised at its definition: every use rematerialises it (see reg()).
                return;
            case IADD: {
                // Wasm has no add-immediate: x*3 + 1 reaches here as iadd(imul(x, 3), iconst 1).
                Long c0 = constOf(inst.args[0]), c1 = constOf(inst.args[1]);
                if (c1 != null && c0 == null && addImmScaled(t, dst, inst.args[0], c1)) return;
                if (c0 != null && c1 == null && addImmScaled(t, dst, inst.args[1], c0)) return;
                if (!addScaled(t, dst, inst.args[0], inst.args[1])) aluFold(AluOp.ADD, t, dst, inst.args[0], inst.args[1], true);
                return;
            }
            case ISUB: aluFold(AluOp.SUB, t, dst, inst.args[0], inst.args[1], false); return;
            case BAND: aluFold(AluOp.AND, t, dst, inst.args[0], inst.args[1], true); return;
            case BOR: aluFold(AluOp.OR, t, dst, inst.args[0], inst.args[1], true); return;
            case BXOR: aluFold(AluOp.XOR, t, dst, inst.args[0], inst.args[1], true); return;
            case BAND_NOT: case BOR_NOT: case BXOR_NOT: {
                int nb = temp();
                unary(opSize(t), nb, reg(inst.args[1]), AluOp.XOR);
                AluOp op = inst.op == Opcode.BAND_NOT ? AluOp.AND : inst.op == Opcode.BOR_NOT ? AluOp.OR : AluOp.XOR;
                alu(op, opSize(t), dst, reg(inst.args[0]), nb);
                return;
            }
            case IADD_IMM:
                if (!addImmScaled(t, dst, inst.args[0], inst.imm)) immOp(AluOp.ADD, t, dst, inst.args[0], inst.imm);
                return;
            case BAND_IMM: immOp(AluOp.AND, t, dst, inst.args[0], inst.imm); return;
            case BOR_IMM: immOp(AluOp.OR, t, dst, inst.args[0], inst.imm); return;
            case BXOR_IMM: immOp(AluOp.XOR, t, dst, inst.args[0], inst.imm); return;
            case IRSUB_IMM: {
                int n = temp();
                unary(opSize(t), n, reg(inst.args[0]), AluOp.SUB);
                immOp(AluOp.ADD, t, dst, n, inst.imm);
                return;
            }
            case IMUL: imul(t, dst, inst.args[0], inst.args[1]); return;
            case IMUL_IMM: {
                if (mulConst(t, dst, inst.args[0], inst.imm)) return;
                Integer imm = fitImm(inst.imm, t);
                if (imm != null) imulImm(t, dst, reg(inst.args[0]), imm);
                else imul(t, dst, inst.args[0], constant(inst.imm));
                return;
            }
            case UMULHI: case SMULHI: mulhi(t, dst, inst.args[0], inst.args[1], inst.op == Opcode.SMULHI); return;
            case UDIV: case SDIV: case UREM: case SREM:
                div(inst, t, dst, inst.args[0], inst.args[1], null);
                return;
            case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
                div(inst, t, dst, inst.args[0], -1, inst.imm);
                return;
            case INEG: unary(opSize(t), dst, reg(inst.args[0]), AluOp.SUB); return;
            case BNOT: unary(opSize(t), dst, reg(inst.args[0]), AluOp.XOR); return;
            case IABS: {
                int a = t == Type.I64 || t == Type.I32 ? reg(inst.args[0]) : ext(inst.args[0], t, true);
                unary(opSize(t), dst, a, AluOp.CMP);
                return;
            }
            case BMASK: {
                int a = reg(inst.args[0]);
                emit(new MInst.Unary(AluOp.SBB, opSize(t), type(inst.args[0]).bytes(), dst, a));
                return;
            }
            case UEXTEND: case SEXTEND: {
                // A compare's boolean is 0 or 1, and setcc + movzx already leaves it
                // zero-extended to 64 bits (both extensions of it are the same value).
                if (isFoldableBoolean(inst.args[0], 0)) {
                    emit(new MInst.SetCC(condition(inst.args[0], false), dst));
                    return;
                }
                // So does an fcmp's (FloatEmit ends it with movzx): Wasm's f64.gt is
                // uextend(fcmp), which computes straight into the extension's register.
                Inst fc = defOf(inst.args[0]);
                if (fc != null && fc.op == Opcode.FCMP && definedIn(inst.args[0], curBlock) && useCount[inst.args[0]] == 1) {
                    foldDef(inst.args[0]);
                    emit(new MInst.FCmp(fc.fcond, type(fc.args[0]) == Type.F32, dst, reg(fc.args[0]), reg(fc.args[1])));
                    return;
                }
                Type from = type(inst.args[0]);
                int a = reg(inst.args[0]);
                emit(new MInst.Ext(from.bytes(), inst.op == Opcode.SEXTEND, dst, a));
                return;
            }
            case IREDUCE:
                copy(dst, reg(inst.args[0]));
                return;
            case BSWAP: {
                if (t == Type.I16) {
                    shiftImm(ShiftOp.ROL, 2, dst, reg(inst.args[0]), 8);
                } else {
                    int a = reg(inst.args[0]);
                    hintVreg[dst] = a;
                    emit(new MInst.Bswap(opSize(t), dst, a));
                }
                return;
            }
            case BITREV: bitrev(t, dst, inst.args[0]); return;
            case CLZ: bitcount(MInst.BitOp.CLZ, t, dst, ext(inst.args[0], t, false), t.bits()); return;
            case CTZ: bitcount(MInst.BitOp.CTZ, t, dst, ext(inst.args[0], t, false), t.bits()); return;
            case POPCNT: bitcount(MInst.BitOp.POPCNT, t, dst, ext(inst.args[0], t, false), t.bits()); return;
            case CLS: {
                int x = ext(inst.args[0], t, true);
                int s = temp();
                shiftImm(ShiftOp.SAR, 8, s, x, 63);
                int y = temp();
                alu(AluOp.XOR, 8, y, x, s);
                int z = temp();
                bitcount(MInst.BitOp.CLZ, Type.I64, z, y, 64);
                aluImm(AluOp.ADD, opSize(t), dst, z, -(1 + 64 - t.bits()));
                return;
            }
            case ISHL: case USHR: case SSHR: case ROTL: case ROTR:
                shift(inst.op, t, dst, inst.args[0], inst.args[1], null);
                return;
            case ISHL_IMM: case USHR_IMM: case SSHR_IMM: case ROTL_IMM: case ROTR_IMM:
                shift(inst.op, t, dst, inst.args[0], -1, inst.imm);
                return;
            case ICMP: {
                emit(new MInst.SetCC(compare(inst.cond, t, inst.args[0], inst.args[1], null), dst));
                return;
            }
            case ICMP_IMM: {
                // i32.eqz of a compare: setcc of the inverted compare.
                if (isZeroTest(inst) && isFoldableBoolean(inst.args[0], 0)) {
                    emit(new MInst.SetCC(condition(inst.args[0], inst.cond == IntCC.EQ), dst));
                    return;
                }
                emit(new MInst.SetCC(compare(inst.cond, t, inst.args[0], -1, inst.imm), dst));
                return;
            }
            case SELECT: case SELECT_SPECTRE_GUARD: {
                int c = reg(inst.args[1]);
                int d = reg(inst.args[2]);
                MInst.Cmp cmp = condition(inst.args[0], false);
                emit(new MInst.Select(cmp, opSize(t), dst, c, d));
                return;
            }
            case BITSELECT: {
                int x = temp(), y = temp();
                alu(AluOp.XOR, opSize(t), x, reg(inst.args[1]), reg(inst.args[2]));
                alu(AluOp.AND, opSize(t), y, x, reg(inst.args[0]));
                alu(AluOp.XOR, opSize(t), dst, y, reg(inst.args[2]));
                return;
            }
            case SMIN: case SMAX: case UMIN: case UMAX: {
                IntCC cc = inst.op == Opcode.SMIN ? IntCC.SLT : inst.op == Opcode.SMAX ? IntCC.SGT
                    : inst.op == Opcode.UMIN ? IntCC.ULT : IntCC.UGT;
                int a = reg(inst.args[0]);
                int b = reg(inst.args[1]);
                emit(new MInst.Select(MInst.Cmp.regs(cond(cc), t.bytes(), a, b), opSize(t), dst, a, b));
                return;
            }
            case UADD_OVERFLOW: ovf(AluOp.ADD, t, inst, Cond.B); return;
            case SADD_OVERFLOW: ovf(AluOp.ADD, t, inst, Cond.O); return;
            case USUB_OVERFLOW: ovf(AluOp.SUB, t, inst, Cond.B); return;
            case SSUB_OVERFLOW: ovf(AluOp.SUB, t, inst, Cond.O); return;
            case UMUL_OVERFLOW: umulOvf(t, inst); return;
            case SMUL_OVERFLOW: smulOvf(t, inst); return;
            case UADD_OVERFLOW_CIN: ovfCarry(AluOp.ADC, t, inst, Cond.B); return;
            case SADD_OVERFLOW_CIN: ovfCarry(AluOp.ADC, t, inst, Cond.O); return;
            case USUB_OVERFLOW_BIN: ovfCarry(AluOp.SBB, t, inst, Cond.B); return;
            case SSUB_OVERFLOW_BIN: ovfCarry(AluOp.SBB, t, inst, Cond.O); return;
            case UADD_OVERFLOW_TRAP: {
                int a = reg(inst.args[0]);
                int b = reg(inst.args[1]);
                emit(new MInst.Ovf(AluOp.ADD, t.bytes(), Cond.B, inst.trapCode, dst, -1, a, b));
                return;
            }
            case JUMP: {
                BlockCall bc = inst.targets[0];
                MInst.Jump m = jump(bc, vblockOf[bc.block].id);
                hintParams(bc, m.args());
                emit(m);
                return;
            }
            case BRIF: {
                FloatTest ft = floatCondition(inst.args[0]);
                if (ft != null) {
                    int a = reg(ft.a()), b = reg(ft.b());
                    emit(new MInst.FBranch(ft.cc(), ft.single(), a, b, new int[] {edge(inst.targets[0]), edge(inst.targets[1])}));
                    return;
                }
                MInst.Cmp cmp = condition(inst.args[0], false);
                emit(new MInst.Branch(cmp, new int[] {edge(inst.targets[0]), edge(inst.targets[1])}));
                return;
            }
            case BR_TABLE: {
                Type it = type(inst.args[0]);
                int index = it == Type.I64 ? reg(inst.args[0]) : ext(inst.args[0], it, false);
                int[] targets = new int[inst.targets.length];
                for (int i = 0; i < inst.targets.length; i++) {
                    // A table entry cannot carry a site: send loop-header targets through a jump.
                    targets[i] = edge(inst.targets[i], FusedSites.tableEntryNeedsJump(opts, vblockOf[inst.targets[i].block].loopHeader));
                }
                emit(new MInst.BrTable(index, targets));
                return;
            }
            case RETURN: {
                int[] vals = new int[inst.args.length];
                for (int i = 0; i < vals.length; i++) {
                    AbiParam p = f.signature.returns.get(i);
                    vals[i] = extendForAbi(inst.args[i], p);
                    int rr = Abi.argLocs(f.signature).retRegs[i];
                    if (rr >= 0 && constOf(inst.args[i]) == null) hintReg[inst.args[i]] = rr;
                }
                emit(new MInst.Ret(vals, vc.retAreaVreg, f.signature));
                return;
            }
            case CALL: case CALL_INDIRECT:
                call(inst);
                return;
            case FUNC_ADDR: {
                ExtFunc ef = f.extFuncs.get(inst.ref);
                emit(new MInst.FuncAddr(ef.name, moduleFunctions.contains(ef.name), dst));
                return;
            }
            case STACK_LOAD: {
                emit(new MInst.Load(t.bytes(), false, MemArg.slot(inst.ref, inst.offset), null, dst));
                return;
            }
            case LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32: {
                MemArg mem = address(inst.args[0], inst.offset);
                int size = inst.op.accessBytes == 0 ? t.bytes() : inst.op.accessBytes;
                TrapCode trap = inst.flags.has(MemFlags.NOTRAP) ? null : TrapCode.HEAP_OUT_OF_BOUNDS;
                emit(new MInst.Load(size, inst.op.signedAccess, mem, trap, dst));
                return;
            }
            case STACK_STORE:
                store(inst.args[0], MemArg.slot(inst.ref, inst.offset), type(inst.args[0]).bytes(), null);
                return;
            case STORE: case ISTORE8: case ISTORE16: case ISTORE32: {
                int size = inst.op.accessBytes == 0 ? type(inst.args[0]).bytes() : inst.op.accessBytes;
                TrapCode trap = inst.flags.has(MemFlags.NOTRAP) ? null : TrapCode.HEAP_OUT_OF_BOUNDS;
                store(inst.args[0], address(inst.args[1], inst.offset), size, trap);
                return;
            }
            case STACK_ADDR: {
                emit(new MInst.Lea(8, dst, MemArg.slot(inst.ref, inst.offset)));
                return;
            }
            case GET_FRAME_POINTER: emit(new MInst.FrameValue(MInst.K.GET_FP, dst)); return;
            case GET_STACK_POINTER: emit(new MInst.FrameValue(MInst.K.GET_SP, dst)); return;
            case GET_RETURN_ADDRESS: emit(new MInst.FrameValue(MInst.K.GET_RA, dst)); return;
            case TRAP: {
                emit(new MInst.Trap(inst.trapCode));
                return;
            }
            case TRAPZ: case TRAPNZ: {
                emit(new MInst.TrapIf(condition(inst.args[0], inst.op == Opcode.TRAPZ), inst.trapCode));
                return;
            }
            default:
                throw new CompileException("function %" + f.name + ": opcode " + inst.op + " is not supported by the x86-64 backend");
        }
    }

    /**
     * Every block argument hints its parameter and the parameter hints an argument, so
     * whichever of the two the allocator reaches second can take the other's register and
     * the edge's move disappears. The allocator goes in order of interval starts: an
     * argument on an edge from earlier in the layout (a loop's entry) comes before the
     * parameter, so the parameter takes the first such argument, a rematerialised constant
     * included; an argument defined inside the loop (a back edge's) comes after, and looks
     * for the parameter's register (unless its own definition hints better, which lowering
     * it sets later: blocks are lowered bottom-up).
     */
    /**
     * A jump's arguments. A constant is no register: the edge's parallel move writes it
     * straight into the parameter's location, so it needs no temporary and no move.
     */
    private MInst.Jump jump(BlockCall bc, int target) {
        int n = 0;
        for (int k = 0; k < bc.args.length; k++) if (passes(bc, k)) n++;
        int[] list = new int[n];
        long[] consts = new long[n];
        for (int k = 0, i = 0; k < bc.args.length; k++) {
            if (!passes(bc, k)) continue;
            Long c = constOf(bc.args[k]);
            list[i] = c != null ? -1 : bc.args[k];
            if (c != null) consts[i] = c;
            i++;
        }
        return new MInst.Jump(list, consts, new int[] {target});
    }

    /** argRegs are a jump's arguments: those of bc that it passes (see jump). */
    private void hintParams(BlockCall bc, int[] argRegs) {
        int[] ps = liveOnly(f.block(bc.block).params);
        for (int i = 0; i < ps.length && i < argRegs.length; i++) {
            if (argRegs[i] < 0) continue;
            if (hintVreg[ps[i]] < 0) hintVreg[ps[i]] = argRegs[i];
            if (hintVreg[argRegs[i]] < 0 && hintReg[argRegs[i]] < 0) hintVreg[argRegs[i]] = ps[i];
        }
    }

    /** The vcode block to branch to for an edge: the target itself, or an edge block doing the argument moves. */
    private int edge(BlockCall bc) {
        return edge(bc, false);
    }

    /** `viaJump` forces an edge block even without arguments (so a br_table entry into a loop is a real branch). */
    private int edge(BlockCall bc, boolean viaJump) {
        VCode.VBlock target = vblockOf[bc.block];
        if (target.params.length == 0 && !viaJump) return target.id;
        VCode.VBlock e = vc.newBlock(null);
        e.cold = curBlock.cold;
        List<MInst> saved = seq;
        seq = e.insts;
        MInst.Jump j = jump(bc, target.id);
        hintParams(bc, j.args());
        emit(j);
        seq = saved;
        return e.id;
    }

    private void unary(int size, int dst, int a, AluOp kind) {
        hintVreg[dst] = a;
        emit(new MInst.Unary(kind, size, 0, dst, a));
    }

    private void immOp(AluOp op, Type t, int dst, int a, long imm) {
        Integer i = fitImm(imm, t);
        if (i != null) aluImm(op, opSize(t), dst, reg(a), i);
        else alu(op, opSize(t), dst, reg(a), constant(imm));
    }

    private void imul(Type t, int dst, int a, int b) {
        if (constOf(a) != null && constOf(b) == null) {
            int x = a;
            a = b;
            b = x;
        }
        Long c = constOf(b);
        if (c != null && constOf(a) == null && mulConst(t, dst, a, c)) return;
        Integer imm = imm32(b, t);
        if (imm != null) {
            imulImm(t, dst, reg(a), imm);
            return;
        }
        int ra = reg(a);
        int rb = reg(b);
        hintVreg[dst] = ra;
        emit(new MInst.Imul(opSize(t), dst, ra, rb));
    }

    // ---- multiplies by small constants, and lea ----
    //
    // A multiply by 2^k is a shift, one by 3, 5 or 9 is lea [x + x*2/4/8], and an add of a
    // constant or of another value folds into that lea when the address form has room:
    // x*3 + 1 is lea [x + x*2 + 1], y + (x << 2) is lea [y + x*4]. imul takes 3 cycles and
    // its add another; the lea takes one or two, and is three-address (no mov first).
    // Only the low bits of narrow types are defined, so a 32-bit shift or lea serves them.

    /** x*scale, plus x once more when `plusX`: what a multiply or a shift gives an lea. */
    private static final class Scaled {
        final int x, scale;
        final boolean plusX;

        Scaled(int x, int scale, boolean plusX) {
            this.x = x;
            this.scale = scale;
            this.plusX = plusX;
        }
    }

    /** x*c as an lea shape for c = 2, 4, 8 (x*c) or 3, 5, 9 (x + x*(c-1)), else null. */
    private static Scaled scaledBy(int x, long c) {
        if (c == 2 || c == 4 || c == 8) return new Scaled(x, (int) c, false);
        if (c == 3 || c == 5 || c == 9) return new Scaled(x, (int) c - 1, true);
        return null;
    }

    /**
     * The lea shape of v if v is a multiply by 2, 4, 8, 3, 5 or 9 or a left shift by 1 to 3
     * defined in this block that nothing but the current instruction reads, so the current
     * instruction can fold it (see fold); else null.
     */
    private Scaled scaledOperand(int v, Type t) {
        if (v >= f.numValues() || useCount[v] != 1) return null;
        Inst d = f.valueDefInst(v);
        if (d == null || !definedIn(v, curBlock) || d.type != t) return null;
        Scaled s = null;
        switch (d.op) {
            case ISHL_IMM: {
                long k = d.imm & (t.bits() - 1);
                if (k >= 1 && k <= 3) s = new Scaled(d.args[0], 1 << k, false);
                break;
            }
            case IMUL_IMM:
                s = scaledBy(d.args[0], t.zeroExtend(d.imm));
                break;
            case IMUL: {
                Long c0 = constOf(d.args[0]), c1 = constOf(d.args[1]);
                if (c1 != null && c0 == null) s = scaledBy(d.args[0], t.zeroExtend(c1));
                else if (c0 != null && c1 == null) s = scaledBy(d.args[1], t.zeroExtend(c0));
                break;
            }
            default:
                break;
        }
        if (s == null || constOf(s.x) != null) return null;
        return s;
    }

    /** The current instruction computes v itself (it read scaledOperand(v)): v's definition is not lowered. */
    private void fold(int v) {
        foldDef(v);
    }

    private void lea(Type t, int dst, int base, int index, int scale, int disp) {
        hintVreg[dst] = base;
        emit(new MInst.Lea(opSize(t), dst, MemArg.baseIndex(base, index, scale, disp)));
    }

    /** dst = x * c as a copy, a shift or an lea, if c allows; false leaves it to imul. */
    private boolean mulConst(Type t, int dst, int x, long raw) {
        long c = t.zeroExtend(raw);
        if (c == 1) {
            copy(dst, reg(x));
            return true;
        }
        if (Long.bitCount(c) == 1) {
            shiftImm(ShiftOp.SHL, opSize(t), dst, reg(x), Long.numberOfTrailingZeros(c));
            return true;
        }
        Scaled s = scaledBy(x, c);
        if (s == null) return false;
        int r = reg(x);
        lea(t, dst, r, r, s.scale, 0);
        return true;
    }

    /** dst = a + b as lea [a + x*scale] when b (or a) is a foldable x*2, x*4 or x*8; false if neither is. */
    private boolean addScaled(Type t, int dst, int a, int b) {
        if (constOf(a) != null || constOf(b) != null) return false;
        int scaled = b, other = a;
        Scaled s = scaledOperand(b, t);
        if (s == null || s.plusX) {
            scaled = a;
            other = b;
            s = scaledOperand(a, t);
        }
        if (s == null || s.plusX) return false;
        fold(scaled);
        lea(t, dst, reg(other), reg(s.x), s.scale, 0);
        return true;
    }

    /** dst = v + imm as lea [x + x*s + imm] when v is a foldable x*2, x*3, x*5 or x*9. */
    private boolean addImmScaled(Type t, int dst, int v, long imm) {
        Integer disp = fitImm(imm, t);
        if (disp == null) return false;
        Scaled s = scaledOperand(v, t);
        // x*4 + c and x*8 + c would need an lea without a base register: not worth a form.
        if (s == null || !(s.plusX || s.scale == 2)) return false;
        fold(v);
        int r = reg(s.x);
        lea(t, dst, r, r, s.plusX ? s.scale : 1, disp); // x*2 + c is x + x + c
        return true;
    }

    private void imulImm(Type t, int dst, int a, int imm) {
        emit(new MInst.ImulImm(opSize(t), dst, a, imm));
    }

    private void mulhi(Type t, int dst, int a, int b, boolean signed) {
        if (t == Type.I64) {
            int ra = reg(a);
            int rb = reg(b);
            emit(new MInst.MulHi(signed, dst, ra, rb));
            return;
        }
        int x = ext(a, t, signed), y = ext(b, t, signed);
        int p = temp();
        emit(new MInst.Imul(8, p, x, y));
        shiftImm(signed ? ShiftOp.SAR : ShiftOp.SHR, 8, dst, p, t.bits());
    }

    private void div(Inst inst, Type t, int dst, int a, int b, Long immB) {
        boolean signed = inst.op == Opcode.SDIV || inst.op == Opcode.SREM
            || inst.op == Opcode.SDIV_IMM || inst.op == Opcode.SREM_IMM;
        boolean rem = inst.op == Opcode.UREM || inst.op == Opcode.SREM
            || inst.op == Opcode.UREM_IMM || inst.op == Opcode.SREM_IMM;
        Long cb = immB != null ? immB : constOf(b);
        boolean checkZero = cb == null || t.zeroExtend(cb) == 0;
        boolean checkOverflow = signed && (cb == null || t.signExtend(cb) == -1);
        boolean narrow = t == Type.I8 || t == Type.I16;
        int ra = narrow ? ext(a, t, signed) : reg(a);
        int rb;
        if (cb != null) {
            long v = signed ? t.signExtend(cb) : t.zeroExtend(cb);
            rb = constant(v);
        } else {
            rb = narrow ? ext(b, t, signed) : reg(b);
        }
        hintReg[dst] = rem ? Gpr.RDX.enc() : Gpr.RAX.enc();
        emit(new MInst.Div(signed, rem, t.bytes(), opSize(t), checkZero, checkOverflow, dst, ra, rb));
    }

    private void shiftImm(ShiftOp op, int size, int dst, int a, long amount) {
        hintVreg[dst] = a;
        emit(new MInst.ShiftImm(op, size, dst, a, amount));
    }

    private void shift(Opcode op, Type t, int dst, int a, int b, Long immAmount) {
        boolean rotate = op == Opcode.ROTL || op == Opcode.ROTR || op == Opcode.ROTL_IMM || op == Opcode.ROTR_IMM;
        ShiftOp sop;
        switch (op) {
            case ISHL: case ISHL_IMM: sop = ShiftOp.SHL; break;
            case USHR: case USHR_IMM: sop = ShiftOp.SHR; break;
            case SSHR: case SSHR_IMM: sop = ShiftOp.SAR; break;
            case ROTL: case ROTL_IMM: sop = ShiftOp.ROL; break;
            default: sop = ShiftOp.ROR; break;
        }
        boolean narrow = t == Type.I8 || t == Type.I16;
        int size;
        int x;
        if (rotate) {
            size = t.bytes();
            x = reg(a);
        } else if (narrow && sop != ShiftOp.SHL) {
            size = 4;
            x = ext(a, t, sop == ShiftOp.SAR);
        } else {
            size = opSize(t);
            x = reg(a);
        }
        Long amt = immAmount != null ? immAmount : constOf(b);
        if (amt != null) {
            long k = amt & (t.bits() - 1);
            if (k == 0) {
                copy(dst, x);
                return;
            }
            shiftImm(sop, size, dst, x, k);
            return;
        }
        int count = reg(b);
        if (narrow && !rotate) {
            int masked = temp();
            aluImm(AluOp.AND, 4, masked, count, t.bits() - 1);
            count = masked;
        }
        hintVreg[dst] = x;
        emit(new MInst.Shift(sop, size, dst, x, count));
    }

    private void bitcount(MInst.BitOp op, Type t, int dst, int a, int typeBits) {
        emit(new MInst.BitCount(op, t == Type.I64 ? 8 : 4, typeBits, dst, a));
    }

    private void bitrev(Type t, int dst, int a) {
        int size = opSize(t);
        int x = reg(a);
        long[] masks = {0x5555555555555555L, 0x3333333333333333L, 0x0F0F0F0F0F0F0F0FL};
        for (int step = 0; step < 3; step++) {
            int s = 1 << step;
            long mask = masks[step];
            int hi = temp(), hiM = temp(), lo = temp(), loS = temp(), out = temp();
            shiftImm(ShiftOp.SHR, size, hi, x, s);
            if (size == 8) {
                int mk = constant(mask);
                alu(AluOp.AND, 8, hiM, hi, mk);
                int mk2 = constant(mask);
                alu(AluOp.AND, 8, lo, x, mk2);
            } else {
                aluImm(AluOp.AND, 4, hiM, hi, (int) mask);
                aluImm(AluOp.AND, 4, lo, x, (int) mask);
            }
            shiftImm(ShiftOp.SHL, size, loS, lo, s);
            alu(AluOp.OR, size, out, hiM, loS);
            x = out;
        }
        if (t == Type.I8) {
            copy(dst, x);
        } else if (t == Type.I16) {
            shiftImm(ShiftOp.ROL, 2, dst, x, 8);
        } else {
            emit(new MInst.Bswap(size, dst, x));
        }
    }

    private void ovf(AluOp op, Type t, Inst inst, Cond flag) {
        int a = reg(inst.args[0]);
        int b = reg(inst.args[1]);
        emit(new MInst.Ovf(op, t.bytes(), flag, null, inst.results[0], inst.results[1], a, b));
    }

    private void ovfCarry(AluOp op, Type t, Inst inst, Cond flag) {
        int a = reg(inst.args[0]);
        int b = reg(inst.args[1]);
        int c = reg(inst.args[2]);
        emit(new MInst.OvfCarry(op, t.bytes(), flag, inst.results[0], inst.results[1], a, b, c));
    }

    private void umulOvf(Type t, Inst inst) {
        int dst = inst.results[0], flag = inst.results[1];
        if (t == Type.I64) {
            int a = reg(inst.args[0]);
            int b = reg(inst.args[1]);
            emit(new MInst.MulOvfWide(dst, flag, a, b));
            return;
        }
        int x = ext(inst.args[0], t, false), y = ext(inst.args[1], t, false);
        int p = temp();
        emit(new MInst.Imul(8, p, x, y));
        copy(dst, p);
        int hi = temp();
        shiftImm(ShiftOp.SHR, 8, hi, p, t.bits());
        emit(new MInst.SetCC(MInst.Cmp.imm(Cond.NE, 8, hi, 0), flag));
    }

    private void smulOvf(Type t, Inst inst) {
        int dst = inst.results[0], flag = inst.results[1];
        if (t != Type.I8) {
            int a = reg(inst.args[0]);
            int b = reg(inst.args[1]);
            emit(new MInst.Ovf(null, t.bytes(), Cond.O, null, dst, flag, a, b));
            return;
        }
        int x = ext(inst.args[0], t, true), y = ext(inst.args[1], t, true);
        int p = temp();
        emit(new MInst.Imul(4, p, x, y));
        copy(dst, p);
        int sx = temp();
        emit(new MInst.Ext(1, true, sx, p));
        emit(new MInst.SetCC(MInst.Cmp.regs(Cond.NE, 4, sx, p), flag));
    }

    private void store(int value, MemArg mem, int size, TrapCode trap) {
        Long c = constOf(value);
        if (c != null && (size < 8 || c == (int) (long) c)) {
            long imm = size == 8 ? c : (int) (size == 4 ? c : Type.I32.signExtend(c & (size == 2 ? 0xFFFF : 0xFF)));
            emit(new MInst.StoreImm(size, mem, trap, imm));
            return;
        }
        emit(new MInst.Store(size, mem, trap, reg(value)));
    }

    private int extendForAbi(int v, AbiParam p) {
        if (p.ext == AbiParam.Ext.NONE || p.type == Type.I64) return reg(v);
        return ext(v, p.type, p.ext == AbiParam.Ext.SEXT);
    }

    private void call(Inst inst) {
        Signature sig = f.calleeSignature(inst);
        if (inst.op == Opcode.CALL) {
            ExtFunc ef = f.extFuncs.get(inst.ref);
            if (ef.patchable) {
                site(inst, ef);
                return;
            }
        }
        vc.hasCalls = true;
        int first = inst.op == Opcode.CALL_INDIRECT ? 1 : 0;
        int[] args = new int[inst.args.length - first];
        Abi.ArgLocs locs = Abi.argLocs(sig);
        for (int i = 0; i < args.length; i++) {
            args[i] = extendForAbi(inst.args[first + i], sig.params.get(i));
            if (!locs.onStack(i) && constOf(inst.args[first + i]) == null && f.valueDefInst(inst.args[first + i]) != null) {
                if (hintReg[inst.args[first + i]] < 0) hintReg[inst.args[first + i]] = locs.reg(i);
            }
        }
        int[] results = inst.results.clone();
        for (int i = 0; i < results.length; i++) if (locs.retRegs[i] >= 0) hintReg[results[i]] = locs.retRegs[i];
        int target = -1;
        String callee = null;
        boolean inModule = false;
        if (inst.op == Opcode.CALL_INDIRECT) {
            target = reg(inst.args[0]);
        } else {
            ExtFunc ef = f.extFuncs.get(inst.ref);
            callee = ef.name;
            inModule = moduleFunctions.contains(ef.name);
        }
        vc.outgoingBytes = Math.max(vc.outgoingBytes, locs.stackBytes + locs.retAreaBytes);
        emit(new MInst.Call(sig, target, callee, inModule, args, results, Abi.callClobbers(sig.callConv)));
    }

    private void site(Inst inst, ExtFunc ef) {
        if (inst.args.length > 0) {
            throw new CompileException("function %" + f.name + ": patchable call to %" + ef.name
                + " passes arguments; patch sites carry no argument setup (the hook finds its site from the return address)");
        }
        SiteKind kind = SiteKind.forCallee(ef.name);
        if (kind == SiteKind.EPOCH && opts.epochMode() == EpochMode.NONE) return;
        if (kind == SiteKind.EPOCH && opts.epochMode() == EpochMode.FUSED) {
            // No instruction here: emission fuses the sites with existing branches.
            FusedSites.absorbEpochCall(vc, curBlock == f.entryBlock());
            return;
        }
        emit(new MInst.Site(kind, ef.name, moduleFunctions.contains(ef.name), curBlockInsts, inst));
    }

    // ---- scalar floats ----
    //
    // Float values live in XMM-class vregs (floatVreg). Each float opcode becomes one F_*
    // instruction; emission expands the ones with Cranelift's exact semantics (fmin/fmax,
    // the trapping and saturating conversions, u64 to float) into their sequences. Loads,
    // stores, stack slots and copies reuse the integer records: emission picks the XMM form
    // from the vreg's class. A bitcast between the classes is a copy across them.

    private boolean isFloat(int v) { return floatVreg[v]; }

    /** Lowers a float instruction, or one whose operands or result are floats; false if inst is not one. */
    private boolean lowerFloat(Inst inst, Type t, int dst) {
        switch (inst.op) {
            case F32CONST: case F64CONST: {
                int hf = hoistedFloat(dst);
                if (hf >= 0) copy(dst, hf);
                else emit(new MInst.FConst(inst.op == Opcode.F32CONST, dst, inst.imm));
                return true;
            }
            case FADD: farith(Assembler.SseOp.ADD, t, dst, inst); return true;
            case FSUB: farith(Assembler.SseOp.SUB, t, dst, inst); return true;
            case FMUL: farith(Assembler.SseOp.MUL, t, dst, inst); return true;
            case FDIV: farith(Assembler.SseOp.DIV, t, dst, inst); return true;
            case SQRT:
                emit(new MInst.FArith(Assembler.SseOp.SQRT, t == Type.F32, dst, reg(inst.args[0]), -1));
                return true;
            case FMIN: case FMAX:
                emit(new MInst.FMinMax(inst.op == Opcode.FMAX, t == Type.F32, dst, reg(inst.args[0]), reg(inst.args[1])));
                return true;
            case FMA:
                emit(new MInst.FFma(t == Type.F32, dst, reg(inst.args[0]), reg(inst.args[1]), reg(inst.args[2])));
                return true;
            case FNEG: case FABS:
                emit(new MInst.FSign(inst.op == Opcode.FNEG ? MInst.SignOp.NEG : MInst.SignOp.ABS, t == Type.F32, dst,
                    reg(inst.args[0]), -1));
                return true;
            case FCOPYSIGN:
                emit(new MInst.FSign(MInst.SignOp.COPYSIGN, t == Type.F32, dst, reg(inst.args[0]), reg(inst.args[1])));
                return true;
            case CEIL: case FLOOR: case TRUNC: case NEAREST: {
                int mode = inst.op == Opcode.NEAREST ? 0 : inst.op == Opcode.FLOOR ? 1 : inst.op == Opcode.CEIL ? 2 : 3;
                hintVreg[dst] = inst.args[0];
                emit(new MInst.FRound(t == Type.F32, mode | 8, dst, reg(inst.args[0])));
                return true;
            }
            case FPROMOTE: case FDEMOTE:
                emit(new MInst.FCvt(inst.op == Opcode.FPROMOTE ? MInst.CvtOp.PROMOTE : MInst.CvtOp.DEMOTE,
                    inst.op == Opcode.FPROMOTE, 0, dst, reg(inst.args[0])));
                return true;
            case FCVT_FROM_SINT: case FCVT_FROM_UINT: {
                Type from = type(inst.args[0]);
                boolean signed = inst.op == Opcode.FCVT_FROM_SINT;
                int a = from.bytes() < 4 || !signed && from == Type.I32 ? ext(inst.args[0], from, signed) : reg(inst.args[0]);
                int size = from == Type.I64 || !signed ? 8 : 4;
                emit(new MInst.FCvt(signed ? MInst.CvtOp.FROM_SINT : MInst.CvtOp.FROM_UINT, t == Type.F32, size, dst, a));
                return true;
            }
            case FCVT_TO_SINT: case FCVT_TO_UINT: case FCVT_TO_SINT_SAT: case FCVT_TO_UINT_SAT: {
                MInst.CvtOp op = inst.op == Opcode.FCVT_TO_SINT ? MInst.CvtOp.TO_SINT : inst.op == Opcode.FCVT_TO_UINT
                    ? MInst.CvtOp.TO_UINT : inst.op == Opcode.FCVT_TO_SINT_SAT ? MInst.CvtOp.TO_SINT_SAT : MInst.CvtOp.TO_UINT_SAT;
                emit(new MInst.FCvt(op, type(inst.args[0]) == Type.F32, t.bytes(), dst, reg(inst.args[0])));
                return true;
            }
            case FCMP:
                emit(new MInst.FCmp(inst.fcond, type(inst.args[0]) == Type.F32, dst, reg(inst.args[0]), reg(inst.args[1])));
                return true;
            case BITCAST:
                if (isFloat(dst) == isFloat(inst.args[0])) return false;
                copy(dst, reg(inst.args[0]));
                return true;
            default:
                break;
        }
        if (dst < 0 || !isFloat(dst)) return false;
        switch (inst.op) {
            case BAND: fbitwise(Assembler.BitwiseOp.AND, dst, reg(inst.args[0]), reg(inst.args[1])); return true;
            case BOR: fbitwise(Assembler.BitwiseOp.OR, dst, reg(inst.args[0]), reg(inst.args[1])); return true;
            case BXOR: fbitwise(Assembler.BitwiseOp.XOR, dst, reg(inst.args[0]), reg(inst.args[1])); return true;
            case BAND_NOT:
                // andnps computes ~first & second.
                fbitwise(Assembler.BitwiseOp.ANDN, dst, reg(inst.args[1]), reg(inst.args[0]));
                return true;
            case BNOT: case BOR_NOT: case BXOR_NOT: {
                int ones = ftemp();
                emit(new MInst.FConst(false, ones, -1L));
                int n = inst.op == Opcode.BNOT ? dst : ftemp();
                fbitwise(Assembler.BitwiseOp.XOR, n, inst.op == Opcode.BNOT ? reg(inst.args[0]) : reg(inst.args[1]), ones);
                if (inst.op != Opcode.BNOT) {
                    fbitwise(inst.op == Opcode.BOR_NOT ? Assembler.BitwiseOp.OR : Assembler.BitwiseOp.XOR, dst, reg(inst.args[0]), n);
                }
                return true;
            }
            case BITSELECT:
                emit(new MInst.FBitselect(dst, reg(inst.args[0]), reg(inst.args[1]), reg(inst.args[2])));
                return true;
            case SELECT: case SELECT_SPECTRE_GUARD: {
                int c = reg(inst.args[1]);
                int d = reg(inst.args[2]);
                MInst.Cmp cmp = condition(inst.args[0], false);
                emit(new MInst.FSelect(cmp, dst, c, d));
                return true;
            }
            case LOAD: case STACK_LOAD: case BITCAST: case CALL: case CALL_INDIRECT:
                return false;
            default:
                throw new CompileException("function %" + f.name + ": opcode " + inst.op + " on " + t
                    + " is not supported by the x86-64 backend");
        }
    }

    private void farith(Assembler.SseOp op, Type t, int dst, Inst inst) {
        int a = reg(inst.args[0]);
        int b = reg(inst.args[1]);
        hintVreg[dst] = a;
        emit(new MInst.FArith(op, t == Type.F32, dst, a, b));
    }

    private void fbitwise(Assembler.BitwiseOp op, int dst, int a, int b) {
        hintVreg[dst] = a;
        emit(new MInst.FBitwise(op, dst, a, b));
    }
}
