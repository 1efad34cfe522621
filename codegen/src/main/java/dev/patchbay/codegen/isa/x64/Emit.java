/*
 * Emission: allocated VCode → x86-64 bytes for one function, plus its metadata.
 *
 * The frame is RBP-based: push rbp; mov rbp, rsp; a stack-limit check against the vmctx;
 * callee-saved pushes; then one `sub rsp` for spill slots, stack slots and the outgoing
 * argument area, so RSP stays 16-byte aligned at every call and nothing ever lives below
 * RSP (no red zone: a patched-in call or a redirected signal may push there).
 *
 * Each instruction reads its operands from their allocated locations. A spilled operand is
 * read from its slot by the x86 instruction itself where the instruction takes a memory
 * operand, and through R10/R11 otherwise. Two-address instructions are careful when the
 * destination register is also the second source.
 *
 * References outside the function (calls to other functions, the trap stub, hook
 * trampolines) are recorded in the CodeBuffer as symbol references for the module
 * assembler, as are trap sites, call returns and patch sites: the buffer is the one sink
 * for code and metadata. Branches between blocks and to islands are emitted once, as
 * relaxable branches; after the islands, CodeBuffer.relax() picks each one's size by a
 * fixpoint and moves the code, its labels and its metadata. What depends on final offsets
 * (fused sites' forms, jump tables) is written after that. Fused sites stay near: their
 * on form rewrites a rel32.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.Limits;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.StackSlot;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.machinst.TrapSite;
import dev.patchbay.codegen.regalloc.LinearScan;
import dev.patchbay.codegen.vm.VmctxLayout;

import java.util.ArrayList;
import java.util.List;

final class Emit {
    private static final Gpr[] BY_ENC = new Gpr[16];

    static {
        for (Gpr g : Gpr.values()) BY_ENC[g.enc()] = g;
    }

    static Gpr gpr(int enc) { return BY_ENC[enc]; }

    private static final Gpr R10 = Abi.SCRATCH2, R11 = Abi.SCRATCH, RBP = Gpr.RBP, RSP = Gpr.RSP;

    /**
     * One function's code and everything the module's assembler needs of it. Trap sites,
     * call returns, patch sites and references to module symbols are in `buf`, the one sink
     * for code and metadata, with offsets relative to the function.
     */
    static final class Output {
        byte[] code;
        CodeBuffer buf;
        int frameSize;
        /** Where the jump tables start (the end of the instructions). */
        int codeEnd;
        /** Every instruction start, relative to the function's start, below codeEnd; set after relax(). */
        int[] instructions;
        /**
         * The location table's entries (LocationTable.Entry with function 0), relative to the
         * function's start, in offset order; set after relax().
         */
        final List<dev.patchbay.codegen.machinst.LocationTable.Entry> locations = new ArrayList<>();
        /** The value table's entries (function 0, offsets relative to the function); set after relax(). */
        final List<dev.patchbay.codegen.machinst.ValueTable.Value> values = new ArrayList<>();
        /** The call frame rows (see UnwindRange), relative to the function's start; set after relax(). */
        final List<dev.patchbay.codegen.machinst.UnwindRange.Row> unwind = new ArrayList<>();
    }

    final VCode vc;
    private final LinearScan.Result alloc;
    private final CompileOptions opts;
    final CodeBuffer buf = new CodeBuffer();
    private final Assembler asm = new Assembler(buf);
    private final Output out = new Output();
    /** Builds the frame rows once relax() has placed the code (see frameRow). */
    private final List<Runnable> frameRows = new ArrayList<>();
    private final Label[] blockLabels;
    /** The blocks in the order they are emitted: vc.order without the blocks threaded away (see planLayout). */
    private final List<VCode.VBlock> layout = new ArrayList<>();
    /** Per block id: its index in `layout`, or -1 if it is threaded away. */
    private final int[] pos;
    /** Per block id: the block a branch to it goes to (itself unless it is threaded away). */
    private final int[] dest;
    private final List<Runnable> islands = new ArrayList<>();
    private final List<Runnable> tables = new ArrayList<>();
    /** Fused sites whose bytes are computed once every label is bound. */
    private final List<Runnable> fusedFinish = new ArrayList<>();

    // frame
    private final List<Gpr> saved = new ArrayList<>();
    private final boolean preserveAll;
    private final int spillBase;
    private final int[] slotOffsets;
    private final int subBytes;

    Emit(VCode vc, LinearScan.Result alloc, CompileOptions opts) {
        this.vc = vc;
        this.alloc = alloc;
        this.opts = opts;
        this.blockLabels = new Label[vc.blocks.size()];
        for (int i = 0; i < blockLabels.length; i++) blockLabels[i] = buf.newLabel();
        this.pos = new int[blockLabels.length];
        this.dest = new int[blockLabels.length];
        planLayout();

        CallConv cc = vc.f.signature.callConv;
        preserveAll = cc == CallConv.PRESERVE_ALL;
        if (preserveAll && vc.isFloat != null) {
            throw new CompileException("function %" + vc.f.name + ": a preserve_all function that uses f32/f64 is not supported"
                + " (its XMM registers would have to be saved too)");
        }
        if (preserveAll) {
            for (Gpr g : Gpr.values()) if (g != RSP && g != RBP && g != Abi.VMCTX) saved.add(g);
        } else {
            long cs = Abi.calleeSaved(cc);
            // A register this function must preserve is overwritten not only when the
            // allocator hands it out but also by any call to a callee whose convention does
            // not preserve it (argument setup and the callee's body): a windows_fastcall
            // function calling System V code loses RSI and RDI that way.
            long clobbered = alloc.usedRegs;
            for (MInst m : vc.insts) if (m.kind() == MInst.K.CALL) clobbered |= m.lateClobber();
            for (Gpr g : Abi.ALLOCATABLE) {
                if ((clobbered & Abi.bit(g)) != 0 && (cs & Abi.bit(g)) != 0) saved.add(g);
            }
        }
        int pushed = 8 * saved.size() + (preserveAll ? 8 : 0);
        spillBase = pushed;
        // 64-bit arithmetic throughout: slot sizes are ints, and their sum must not wrap
        // (a wrapped frame once put a stack slot over the return address).
        long off = pushed + 8L * alloc.numSpillSlots;
        List<StackSlot> slots = vc.f.stackSlots;
        slotOffsets = new int[slots.size()];
        for (int i = 0; i < slots.size(); i++) {
            StackSlot s = slots.get(i);
            long align = Math.min(Math.max(s.align, 1), 16);
            off = (off + s.size + align - 1) / align * align;
            if (off > Limits.MAX_FRAME_BYTES) break;
            slotOffsets[i] = (int) off;
        }
        long total = off + vc.outgoingBytes;
        long aligned = (total + 15) & ~15L;
        if (off > Limits.MAX_FRAME_BYTES || aligned > Limits.MAX_FRAME_BYTES) {
            throw new CompileException("function %" + vc.f.name + ": its frame needs more than " + Limits.MAX_FRAME_BYTES
                + " bytes, over the limit (stack slots, spills and outgoing arguments together)");
        }
        subBytes = (int) (aligned - pushed);
        out.frameSize = (int) aligned;
    }

    Output emit() {
        prologue();
        // The location table: a mark where the IR location changes (null: code of no IR
        // instruction). Marks only record positions, so the bytes are what they would be
        // without them.
        List<int[]> locMarks = new ArrayList<>();
        dev.patchbay.codegen.ir.SourceLoc lastLoc = null;
        // Each emitted instruction's start, for the value table (-1: threaded away).
        int[] instMarks = new int[vc.insts.size()];
        java.util.Arrays.fill(instMarks, -1);
        for (VCode.VBlock b : layout) {
            if (b.loopHeader && opts.loopAlign() > 0) NopUnits.align(buf, opts.loopAlign());
            buf.bind(blockLabels[b.id]);
            for (int i = b.first; i < b.end; i++) {
                dev.patchbay.codegen.ir.SourceLoc l = vc.locs.get(i);
                if (l != lastLoc) {
                    locMarks.add(new int[] {buf.mark(), l == null ? 0 : l.line, l == null ? 0 : l.col});
                    lastLoc = l;
                }
                instMarks[i] = buf.mark();
                inst(vc.insts.get(i), b);
            }
        }
        locMarks.add(new int[] {buf.mark(), 0, 0});
        for (int i = 0; i < islands.size(); i++) islands.get(i).run();
        // Every branch is placed: the buffer picks short forms where they reach (moving the
        // code, its labels and its metadata), then what depends on final offsets is written.
        buf.relax();
        out.codeEnd = buf.offset();
        out.instructions = buf.instructionStarts();
        for (int[] lm : locMarks) {
            out.locations.add(new dev.patchbay.codegen.machinst.LocationTable.Entry(buf.markOffset(lm[0]), 0, lm[1], lm[2]));
        }
        valueTable(instMarks);
        for (Runnable r : frameRows) r.run();
        for (Runnable r : fusedFinish) r.run();
        if (!tables.isEmpty()) {
            NopUnits.align(buf, 4);
            for (Runnable r : tables) r.run();
        }
        buf.finish();
        out.code = buf.bytes();
        out.buf = buf;
        return out;
    }

    /**
     * The value table (ValueTable's header): each IR value's allocated location and the
     * instruction starts where its live ranges say the location holds it; constants by value.
     */
    private void valueTable(int[] instMarks) {
        int[] off = new int[instMarks.length];
        for (int i = 0; i < off.length; i++) off[i] = instMarks[i] < 0 ? -1 : buf.markOffset(instMarks[i]);
        // A stop at an offset is before the instruction that emitted bytes there: the last of
        // the instructions starting at it (the ones before it emitted nothing). Only that one
        // speaks for the offset; the others are dropped (-1).
        for (int i = 0, next = -1; i < off.length; i++) {
            if (off[i] < 0) continue;
            if (next >= 0 && off[next] == off[i]) off[next] = -1;
            next = i;
        }
        dev.patchbay.codegen.ir.Function f = vc.f;
        for (int v = 0; v < f.numValues(); v++) {
            dev.patchbay.codegen.ir.Type t = f.valueType(v);
            if (t == null || !f.isDefined(v)) continue;
            dev.patchbay.codegen.ir.Inst def = f.valueDefInst(v);
            String name = f.valueName(v);
            if (def != null && def.op == dev.patchbay.codegen.ir.Opcode.ICONST) {
                out.values.add(new dev.patchbay.codegen.machinst.ValueTable.Value(0, v, name, t.bits(),
                    dev.patchbay.codegen.machinst.ValueTable.Kind.CONSTANT, 0, t.signExtend(def.imm), new int[0]));
                continue;
            }
            if (v >= alloc.loc.length || alloc.loc[v] == LinearScan.Result.UNUSED) continue;
            int[] pos = alloc.liveRanges(v);
            List<Integer> ranges = new ArrayList<>();
            for (int k = 0; k < pos.length; k += 2) {
                int first = -1, last = -1;
                for (int i = (pos[k] + 1) / 2; i <= pos[k + 1] / 2 && i < off.length; i++) {
                    if (off[i] < 0) continue;
                    if (first < 0) first = off[i];
                    last = off[i];
                }
                if (first < 0) continue;
                if (!ranges.isEmpty() && ranges.get(ranges.size() - 1) >= first) {
                    ranges.set(ranges.size() - 1, Math.max(last, ranges.get(ranges.size() - 1)));
                } else {
                    ranges.add(first);
                    ranges.add(last);
                }
            }
            if (ranges.isEmpty()) continue;
            boolean reg = inReg(v);
            out.values.add(new dev.patchbay.codegen.machinst.ValueTable.Value(0, v, name, t.bits(),
                reg ? dev.patchbay.codegen.machinst.ValueTable.Kind.REGISTER : dev.patchbay.codegen.machinst.ValueTable.Kind.FRAME_SLOT,
                reg ? alloc.loc[v] : spillOffset(v), 0, ranges.stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    // ---- locations ----

    boolean inReg(int v) { return alloc.loc[v] >= 0; }

    Gpr reg(int v) { return BY_ENC[alloc.loc[v]]; }

    private int spillOffset(int v) { return -(spillBase + 8 * (alloc.spillSlot(v) + 1)); }

    Mem slot(int v) { return Mem.base(RBP, spillOffset(v)); }

    private long loc(int v) {
        if (alloc.loc[v] == LinearScan.Result.UNUSED) throw new IllegalStateException("vreg " + v + " has no location");
        return inReg(v) ? ParallelMove.regNum(alloc.loc[v]) : ParallelMove.stack(spillOffset(v));
    }

    // ---- float locations: XMM registers, or the vreg's 8-byte spill slot ----

    private static final Xmm X14 = Abi.XSCRATCH, X15 = Abi.XSCRATCH2;

    boolean isF(int v) { return vc.isFloat != null && vc.isFloat[v]; }

    Xmm xreg(int v) { return Abi.xmm(alloc.loc[v]); }

    Xmm xuse(int v, Xmm scratch) {
        if (inReg(v)) return xreg(v);
        asm.movsLoad(false, scratch, slot(v));
        return scratch;
    }

    Xmm xdef(int v, Xmm scratch) { return inReg(v) ? xreg(v) : scratch; }

    void xmoveTo(Xmm d, int v) {
        if (inReg(v)) {
            if (xreg(v) != d) asm.movaps(d, xreg(v));
        } else {
            asm.movsLoad(false, d, slot(v));
        }
    }

    void xcommit(int v, Xmm r) {
        if (inReg(v)) {
            if (xreg(v) != r) asm.movaps(xreg(v), r);
        } else {
            asm.movsStore(false, slot(v), r);
        }
    }

    Gpr use(int v, Gpr scratch) {
        if (inReg(v)) return reg(v);
        asm.load(8, scratch, slot(v));
        return scratch;
    }

    void moveToReg(Gpr dst, int v) {
        if (inReg(v)) {
            if (reg(v) != dst) asm.mov(8, dst, reg(v));
        } else {
            asm.load(8, dst, slot(v));
        }
    }

    Gpr defReg(int v, Gpr scratch) { return inReg(v) ? reg(v) : scratch; }

    /** Stores the value computed in r into v's location if it is not already there. */
    void commit(int v, Gpr r) {
        if (inReg(v)) {
            if (reg(v) != r) asm.mov(8, reg(v), r);
        } else {
            asm.store(8, slot(v), r);
        }
    }

    /**
     * Picks the register to compute dst = a op b in and loads a into it. Avoids clobbering
     * b or the registers of `keep` (a memory operand) by computing in R11 when dst's
     * register holds them.
     */
    private Gpr twoAddr(int dst, int a, int b, Mem keep) {
        Gpr d = defReg(dst, R11);
        boolean aInD = inReg(a) && reg(a) == d;
        boolean kept = keep != null && (keep.base() == d || keep.index() == d);
        if (!aInD && ((b >= 0 && inReg(b) && reg(b) == d) || kept)) d = R11;
        moveToReg(d, a);
        return d;
    }

    /**
     * The x86 operand for m, reading at most one scratch register when the instruction
     * uses it: a spilled base or index is loaded into s1; when both are spilled, the index
     * goes into s2 and an lea combines them into s1, so s2 is free again afterwards.
     */
    private Mem mem(MemArg m, Gpr s1, Gpr s2) {
        int disp = m.slot >= 0 ? -slotOffsets[m.slot] + m.disp : m.disp;
        if (m.index < 0) return Mem.base(m.slot >= 0 ? RBP : use(m.base, s1), disp);
        boolean baseSpilled = m.slot < 0 && !inReg(m.base), indexSpilled = !inReg(m.index);
        if (baseSpilled && indexSpilled && m.index != m.base) {
            asm.load(8, s1, slot(m.base));
            asm.load(8, s2, slot(m.index));
            asm.lea(8, s1, Mem.baseIndex(s1, s2, m.scale, 0));
            return Mem.base(s1, disp);
        }
        Gpr base = m.slot >= 0 ? RBP : use(m.base, s1);
        Gpr index = m.index == m.base ? base : use(m.index, s1);
        return Mem.baseIndex(base, index, m.scale, disp);
    }

    // ---- layout and branches ----

    /**
     * Threads branches through blocks that do nothing but jump. Lowering gives each edge
     * that passes block arguments an edge block for the moves; once registers are allocated,
     * many of those moves turn out empty and the block is a bare `jmp`. A branch to such a
     * block goes straight to where it jumps (through chains of them), and the block is left
     * out of the layout. With the jumps to the next block in layout dropped and a branch whose
     * taken target comes next inverted (BRANCH, JUMP), a loop then ends in one conditional
     * branch instead of `jae exit; jmp header`, as Cranelift's MachBuffer does it.
     *
     * Left alone: the entry block, blocks a br_table targets (its table holds their labels,
     * and a table entry cannot carry a fused site, which is why Lower sends a table's entries
     * into a loop through a jump), and one block of every cycle of bare jumps (it becomes a
     * jump to itself: the guest loops forever either way).
     *
     * Fused epoch sites stay sound: FusedSites states why (every cycle of the emitted code
     * contains a backward branch) and what that needs of this layout (`pos` is the emitted
     * order, falling through only goes to the next block). Threading takes no instruction
     * with metadata out of the code (a removed block has none: no trap, call or patch
     * site), so trap sites, call returns and patch sites are unchanged.
     */
    private void planLayout() {
        int n = blockLabels.length;
        boolean[] tableTarget = new boolean[n];
        for (VCode.VBlock b : vc.order) {
            MInst t = b.terminator();
            if (t.kind() == MInst.K.BR_TABLE) for (int x : t.targets()) tableTarget[x] = true;
        }
        boolean[] bare = new boolean[n];
        for (int i = 1; i < vc.order.size(); i++) {
            VCode.VBlock b = vc.order.get(i);
            bare[b.id] = !tableTarget[b.id] && b.insts.size() == 1 && b.terminator().kind() == MInst.K.JUMP && movesNothing((MInst.Jump) b.terminator());
        }
        java.util.Arrays.fill(dest, -1);
        boolean[] onPath = new boolean[n];
        List<Integer> path = new ArrayList<>();
        for (VCode.VBlock b : vc.order) {
            if (!bare[b.id] || dest[b.id] >= 0) continue;
            path.clear();
            int x = b.id;
            while (bare[x] && dest[x] < 0 && !onPath[x]) {
                onPath[x] = true;
                path.add(x);
                x = vc.blocks.get(x).terminator().targets()[0];
            }
            int r;
            if (bare[x] && onPath[x]) {
                bare[x] = false; // a cycle of bare jumps: x stays, as the cycle's one block
                r = x;
            } else {
                r = bare[x] ? dest[x] : x;
            }
            for (int p : path) {
                onPath[p] = false;
                dest[p] = r;
            }
        }
        for (VCode.VBlock b : vc.order) {
            if (bare[b.id]) {
                pos[b.id] = -1;
                continue;
            }
            dest[b.id] = b.id;
            pos[b.id] = layout.size();
            layout.add(b);
        }
    }

    /** True if a jump's argument moves are all empty: each argument already sits where its parameter lives. */
    private boolean movesNothing(MInst.Jump jump) {
        VCode.VBlock target = vc.blocks.get(jump.targets()[0]);
        int[] args = jump.args();
        for (int i = 0; i < args.length; i++) {
            int p = target.params[i];
            if (alloc.loc[p] == LinearScan.Result.UNUSED) continue;
            if (args[i] < 0 || alloc.loc[p] != alloc.loc[args[i]]) return false;
        }
        return true;
    }

    /** The block to branch to for vcode target id. */
    private VCode.VBlock dest(int id) { return vc.blocks.get(dest[id]); }

    private void jmp(Label target) {
        asm.jmpRelaxable(target);
    }

    private void jcc(Cond c, Label target) {
        asm.jccRelaxable(c, target);
    }

    private void callSym(String symbol) { buf.addSymbolRef(asm.callRel32Field(), symbol); }

    private void jmpSym(String symbol) { buf.addSymbolRef(asm.jmpRel32Field(), symbol); }

    /** lea dst, [rip + symbol]. */
    private void leaSym(Gpr dst, String symbol) { buf.addSymbolRef(asm.leaRipRel32Field(dst), symbol); }

    static String fnSymbol(String name) { return "fn:" + name; }

    static String importSymbol(String name) { return "import:" + name; }

    static String hookSymbol(SiteKind k) { return "hook:" + k.label(); }

    static final String TRAP_STUB = "trap_stub";

    // ---- traps ----

    private void trapIsland(Label site, TrapCode code) {
        Label island = buf.newLabel();
        jcc(null, island, site);
        islands.add(() -> {
            buf.bind(island);
            trapSequence(site, code);
        });
    }

    private void jcc(Cond c, Label island, Label site) {
        buf.bind(site);
        buf.addTrap(null);
        if (c != null) jcc(c, island);
    }


    void conditionalTrap(Cond c, TrapCode code) {
        Label site = buf.newLabel();
        Label island = buf.newLabel();
        buf.bind(site);
        buf.addTrap(code);
        jcc(c, island);
        islands.add(() -> {
            buf.bind(island);
            trapSequence(site, code);
        });
    }

    /** Records the trap in the vmctx and jumps to the module's trap stub, which unwinds. */
    private void trapSequence(Label site, TrapCode code) {
        asm.storeImm(8, Mem.base(Abi.VMCTX, VmctxLayout.TRAP_CODE), code.code());
        asm.lea(8, R11, Mem.rip(site, 0));
        jmpSym(TRAP_STUB);
    }

    // ---- fused epoch sites (EpochMode.FUSED) ----

    private String entryLocation() {
        return vc.order.isEmpty() || vc.order.get(0).ir == null ? "entry" : vc.order.get(0).ir.name + " (entry)";
    }

    /**
     * The function-entry epoch site, fused with the stack-limit branch (FusedSites.entry:
     * off, the `jb stack_overflow` the prologue needs anyway; on, `jmp stub; nop`, where the
     * stub repeats the stack check, calls the epoch hook and jumps back after the site).
     */
    private void fusedEntrySite() {
        Label site = buf.newLabel(), island = buf.newLabel(), stub = buf.newLabel(), after = buf.newLabel();
        buf.bind(site);
        buf.addTrap(TrapCode.STACK_OVERFLOW);
        CodeBuffer.Site ps = buf.addPatchSite(SiteKind.EPOCH, SiteKind.EPOCH.hookName(), null, entryLocation());
        asm.jcc(Cond.B, island, false);
        buf.bind(after);
        islands.add(() -> {
            buf.bind(island);
            trapSequence(site, TrapCode.STACK_OVERFLOW);
        });
        islands.add(() -> {
            buf.bind(stub);
            asm.alu(AluOp.CMP, 8, R11, Mem.base(Abi.VMCTX, VmctxLayout.STACK_LIMIT));
            asm.jcc(Cond.B, island, false);
            callSym(hookSymbol(SiteKind.EPOCH));
            asm.jmp(after, false);
        });
        fusedFinish.add(() -> {
            // After relax(): the site's own offset, not one taken while emitting.
            FusedSites.Forms forms = FusedSites.entry(ps.offset(), buf.labelOffset(island), buf.labelOffset(stub));
            buf.setForms(ps, forms.on(), forms.off());
        });
    }

    /**
     * A branch to a block. A backward branch in FUSED mode is an epoch site
     * (FusedSites.isSite): always the near form; its on form retargets the rel32 to a stub
     * that calls the epoch hook and then jumps to the original target.
     */
    private void blockBranch(Cond c, VCode.VBlock target, VCode.VBlock from) {
        Label label = blockLabels[target.id];
        // Backward is judged by the emitted layout (pos): see FusedSites.
        if (!FusedSites.isSite(vc, pos[from.id], pos[target.id])) {
            if (c == null) jmp(label);
            else jcc(c, label);
            return;
        }
        Label stub = buf.newLabel();
        String loc = (target.ir != null ? target.ir.name : "edge") + " (loop back edge)";
        CodeBuffer.Site ps = buf.addPatchSite(SiteKind.EPOCH, SiteKind.EPOCH.hookName(), null, loc);
        int start = buf.offset();
        if (c == null) asm.jmp(label, false);
        else asm.jcc(c, label, false);
        int len = buf.offset() - start;
        islands.add(() -> {
            buf.bind(stub);
            callSym(hookSymbol(SiteKind.EPOCH));
            asm.jmp(label, false);
        });
        fusedFinish.add(() -> {
            // After relax(): the site's own offset, not one taken while emitting.
            int at = ps.offset();
            byte[] branch = new byte[len];
            for (int i = 0; i < len; i++) branch[i] = (byte) buf.get1(at + i);
            FusedSites.Forms forms = FusedSites.backEdge(branch, at, buf.labelOffset(stub));
            buf.setForms(ps, forms.on(), forms.off());
        });
    }

    // ---- prologue / epilogue ----

    /** Frames above this size also check that rsp - frame does not wrap (see prologue). */
    static final int BIG_FRAME = 64 * 1024;

    private boolean needsStackCheck() {
        return vc.hasCalls || out.frameSize > 1024 || !vc.f.stackSlots.isEmpty() && out.frameSize > 256;
    }

    private void prologue() {
        frameRow(false, 8, 0);
        asm.push(RBP);
        frameRow(false, 16, -16);
        asm.mov(8, RBP, RSP);
        // From here to every epilogue's `pop rbp` the frame is RBP's: CFA = RBP + 16.
        frameRow(true, 16, -16);
        if (needsStackCheck()) {
            // rsp - frame must not wrap below 0, where the compare below would pass. RSP is
            // at least STACK_LIMIT (above the JVM's reserve, hundreds of KiB) whenever a
            // frame fits under it, so only large frames need this.
            if (out.frameSize > BIG_FRAME) {
                asm.aluImm(AluOp.CMP, 8, RSP, out.frameSize);
                conditionalTrap(Cond.B, TrapCode.STACK_OVERFLOW);
            }
            asm.lea(8, R11, Mem.base(RSP, -out.frameSize));
            asm.alu(AluOp.CMP, 8, R11, Mem.base(Abi.VMCTX, VmctxLayout.STACK_LIMIT));
            if (vc.fusedEntrySite) fusedEntrySite();
            else conditionalTrap(Cond.B, TrapCode.STACK_OVERFLOW);
        }
        if (preserveAll) asm.pushfq();
        for (Gpr g : saved) asm.push(g);
        if (subBytes > 0) asm.aluImm(AluOp.SUB, 8, RSP, subBytes);
    }

    /**
     * RSP is restored from RSP, not from RBP: RSP never moves in the body (the outgoing
     * area is part of the frame), and a guest can overwrite its caller's saved RBP through
     * get_frame_pointer. With `mov rsp, rbp`, that caller's epilogue would load a garbage
     * RSP, and the next fault could not even be delivered (the kernel pushes the signal
     * frame at RSP and kills the process when it cannot). This way a smashed RBP only
     * misdirects RBP-relative accesses, which fault like any bad pointer, and the `pop rbp`
     * below restores the caller's caller's RBP from the right slot.
     */
    private void epilogue() {
        if (subBytes > 0) asm.aluImm(AluOp.ADD, 8, RSP, subBytes);
        for (int i = saved.size() - 1; i >= 0; i--) asm.pop(saved.get(i));
        if (preserveAll) asm.popfq();
        asm.pop(RBP);
        frameRow(false, 8, 0);
        asm.ret();
        // Code after a return (another block, an island, a fused stub) is in the frame again.
        frameRow(true, 16, -16);
    }

    /**
     * A call frame row from the current offset on (see UnwindRange.Row). Its position is a
     * buffer mark, because relax() moves the code after it; the row is built after relax.
     */
    private void frameRow(boolean cfaFromRbp, int cfaOffset, int savedRbp) {
        int mark = buf.mark();
        frameRows.add(() -> out.unwind.add(new dev.patchbay.codegen.machinst.UnwindRange.Row(buf.markOffset(mark), cfaFromRbp, cfaOffset, savedRbp)));
    }

    // ---- instructions ----

    void compare(MInst.Cmp c) {
        int a = c.a(), b = c.b(), size = c.size();
        if (c.testZero()) {
            Gpr r = use(a, R11);
            asm.test(size, r, r);
        } else if (c.and()) {
            Gpr r = use(a, R11);
            if (c.hasImm()) asm.testImm(size, r, c.imm());
            else asm.test(size, r, use(b, R10));
        } else if (c.hasImm()) {
            if (inReg(a)) asm.aluImm(AluOp.CMP, size, reg(a), c.imm());
            else asm.aluImm(AluOp.CMP, size, slot(a), c.imm());
        } else if (inReg(a)) {
            if (inReg(b)) asm.alu(AluOp.CMP, size, reg(a), reg(b));
            else asm.alu(AluOp.CMP, size, reg(a), slot(b));
        } else if (inReg(b)) {
            asm.alu(AluOp.CMP, size, slot(a), reg(b));
        } else {
            asm.load(8, R11, slot(a));
            asm.alu(AluOp.CMP, size, R11, slot(b));
        }
    }

    private void aluOperand(AluOp op, int size, Gpr d, int b) {
        if (inReg(b)) asm.alu(op, size, d, reg(b));
        else asm.alu(op, size, d, slot(b));
    }

    private static boolean commutative(AluOp op) {
        return op == AluOp.ADD || op == AluOp.AND || op == AluOp.OR || op == AluOp.XOR;
    }

    private void inst(MInst m0, VCode.VBlock block) {
        switch (m0.kind()) {
            case PARAMS: params((MInst.Params) m0); return;
            case MOV: {
                MInst.Mov m = (MInst.Mov) m0;
                if (alloc.loc[m.dst()] == LinearScan.Result.UNUSED) return;
                ParallelMove.copy(asm, loc(m.dst()), loc(m.a()));
                return;
            }
            case MOV_IMM: {
                MInst.MovImm m = (MInst.MovImm) m0;
                if (inReg(m.dst()) && m.imm() == 0) {
                    asm.zero(reg(m.dst())); // flags are dead between instructions: each one sets its own
                } else if (inReg(m.dst())) {
                    asm.movImm(reg(m.dst()), m.imm());
                } else if (m.imm() == (int) m.imm()) {
                    asm.storeImm(8, slot(m.dst()), (int) m.imm());
                } else {
                    asm.movImm(R11, m.imm());
                    asm.store(8, slot(m.dst()), R11);
                }
                return;
            }
            case ALU: {
                MInst.Alu m = (MInst.Alu) m0;
                int a = m.a(), b = m.b();
                if (m.op() == AluOp.ADD && inReg(m.dst()) && inReg(a) && inReg(b) && reg(m.dst()) != reg(a) && reg(m.dst()) != reg(b)) {
                    // Three-address: lea saves the mov that two-address add needs (flags are dead).
                    asm.lea(m.size(), reg(m.dst()), Mem.baseIndex(reg(a), reg(b), 1, 0));
                    return;
                }
                if (commutative(m.op()) && inReg(b) && inReg(m.dst()) && reg(b) == reg(m.dst())) {
                    a = m.b();
                    b = m.a();
                }
                Gpr d = twoAddr(m.dst(), a, b, null);
                aluOperand(m.op(), m.size(), d, b);
                commit(m.dst(), d);
                return;
            }
            case ALU_I: {
                MInst.AluImm m = (MInst.AluImm) m0;
                if ((m.op() == AluOp.ADD || m.op() == AluOp.SUB && m.imm() != Integer.MIN_VALUE) && inReg(m.dst()) && inReg(m.a())
                        && reg(m.dst()) != reg(m.a())) {
                    // mov dst, a; add dst, imm is lea dst, [a + imm]: one instruction, and flags are dead.
                    int disp = m.op() == AluOp.ADD ? (int) m.imm() : -(int) m.imm();
                    asm.lea(m.size(), reg(m.dst()), Mem.base(reg(m.a()), disp));
                    return;
                }
                Gpr d = twoAddr(m.dst(), m.a(), -1, null);
                asm.aluImm(m.op(), m.size(), d, (int) m.imm());
                commit(m.dst(), d);
                return;
            }
            case ALU_M: {
                MInst.AluMem m = (MInst.AluMem) m0;
                Mem mm = mem(m.mem(), R10, R11);
                Gpr d = twoAddr(m.dst(), m.a(), -1, mm);
                if (m.trap() != null) buf.addTrap(m.trap());
                asm.alu(m.op(), m.size(), d, mm);
                commit(m.dst(), d);
                return;
            }
            case IMUL: {
                MInst.Imul m = (MInst.Imul) m0;
                int a = m.a(), b = m.b();
                if (inReg(b) && inReg(m.dst()) && reg(b) == reg(m.dst())) {
                    a = m.b();
                    b = m.a();
                }
                Gpr d = twoAddr(m.dst(), a, b, null);
                if (inReg(b)) asm.imul(m.size(), d, reg(b));
                else asm.imul(m.size(), d, slot(b));
                commit(m.dst(), d);
                return;
            }
            case IMUL_I: {
                MInst.ImulImm m = (MInst.ImulImm) m0;
                Gpr src = use(m.a(), R10);
                Gpr d = defReg(m.dst(), R11);
                asm.imulImm(m.size(), d, src, (int) m.imm());
                commit(m.dst(), d);
                return;
            }
            case UNARY: unary((MInst.Unary) m0); return;
            case BSWAP: {
                MInst.Bswap m = (MInst.Bswap) m0;
                Gpr d = twoAddr(m.dst(), m.a(), -1, null);
                asm.bswap(m.size(), d);
                commit(m.dst(), d);
                return;
            }
            case EXT: ext((MInst.Ext) m0); return;
            case SHIFT: {
                MInst.Shift m = (MInst.Shift) m0;
                moveToReg(Gpr.RCX, m.count());
                Gpr d = defReg(m.dst(), R11);
                if (d == Gpr.RCX) d = R11;
                moveToReg(d, m.a());
                asm.shiftCl(m.op(), m.size(), d);
                commit(m.dst(), d);
                return;
            }
            case SHIFT_I: {
                MInst.ShiftImm m = (MInst.ShiftImm) m0;
                Gpr d = twoAddr(m.dst(), m.a(), -1, null);
                asm.shiftImm(m.op(), m.size(), d, (int) m.amount());
                commit(m.dst(), d);
                return;
            }
            case MULHI: {
                MInst.MulHi m = (MInst.MulHi) m0;
                moveToReg(Gpr.RAX, m.a());
                Gpr b = use(m.b(), R11);
                if (m.signed()) asm.imulWide(8, b);
                else asm.mul(8, b);
                commit(m.dst(), Gpr.RDX);
                return;
            }
            case MUL_OVF_WIDE: {
                MInst.MulOvfWide m = (MInst.MulOvfWide) m0;
                moveToReg(Gpr.RAX, m.a());
                asm.mul(8, use(m.b(), R11));
                asm.setcc(Cond.O, R10);
                asm.movzx(1, 4, R10, R10);
                commit(m.dst(), Gpr.RAX);
                commit(m.flag(), R10);
                return;
            }
            case DIV: div((MInst.Div) m0); return;
            case SETCC: {
                MInst.SetCC m = (MInst.SetCC) m0;
                compare(m.cmp());
                Gpr d = defReg(m.dst(), R11);
                asm.setcc(m.cmp().cc(), d);
                asm.movzx(1, 4, d, d);
                commit(m.dst(), d);
                return;
            }
            case SELECT: select((MInst.Select) m0); return;
            case OVF: ovf((MInst.Ovf) m0); return;
            case OVF_CARRY: {
                MInst.OvfCarry m = (MInst.OvfCarry) m0;
                moveToReg(R11, m.carry());
                asm.neg(1, R11);
                int a = m.a(), b = m.b();
                Gpr d = twoAddr(m.dst(), a, b, null);
                aluOperand(m.op(), m.size(), d, b);
                Gpr fl = defReg(m.flag(), R10);
                asm.setcc(m.cc(), fl);
                asm.movzx(1, 4, fl, fl);
                commit(m.dst(), d);
                commit(m.flag(), fl);
                return;
            }
            case BITCOUNT: bitcount((MInst.BitCount) m0); return;
            case LOAD: {
                MInst.Load m = (MInst.Load) m0;
                Mem mm = mem(m.mem(), R11, R10);
                if (isF(m.dst())) {
                    Xmm d = xdef(m.dst(), X14);
                    if (m.trap() != null) buf.addTrap(m.trap());
                    asm.movsLoad(m.size() == 4, d, mm);
                    xcommit(m.dst(), d);
                    return;
                }
                Gpr d = defReg(m.dst(), R11);
                if (m.trap() != null) buf.addTrap(m.trap());
                switch (m.size()) {
                    case 8: asm.load(8, d, mm); break;
                    case 4:
                        if (m.signed()) asm.movsx(4, 8, d, mm);
                        else asm.load(4, d, mm);
                        break;
                    default:
                        if (m.signed()) asm.movsx(m.size(), 8, d, mm);
                        else asm.movzx(m.size(), 4, d, mm);
                }
                commit(m.dst(), d);
                return;
            }
            case STORE: {
                MInst.Store m = (MInst.Store) m0;
                Mem mm = mem(m.mem(), R11, R10);
                if (isF(m.value())) {
                    Xmm v = xuse(m.value(), X14);
                    if (m.trap() != null) buf.addTrap(m.trap());
                    asm.movsStore(m.size() == 4, mm, v);
                    return;
                }
                Gpr v = use(m.value(), R10);
                if (m.trap() != null) buf.addTrap(m.trap());
                asm.store(m.size(), mm, v);
                return;
            }
            case STORE_I: {
                MInst.StoreImm m = (MInst.StoreImm) m0;
                Mem mm = mem(m.mem(), R11, R10);
                if (m.trap() != null) buf.addTrap(m.trap());
                asm.storeImm(m.size(), mm, (int) m.imm());
                return;
            }
            case LEA: {
                MInst.Lea m = (MInst.Lea) m0;
                Mem mm = mem(m.mem(), R11, R10);
                Gpr d = defReg(m.dst(), R11);
                asm.lea(m.size(), d, mm);
                commit(m.dst(), d);
                return;
            }
            case FUNC_ADDR: {
                MInst.FuncAddr m = (MInst.FuncAddr) m0;
                Gpr d = defReg(m.dst(), R11);
                leaSym(d, m.inModule() ? fnSymbol(m.callee()) : importSymbol(m.callee()));
                commit(m.dst(), d);
                return;
            }
            case GET_FP: {
                MInst.FrameValue m = (MInst.FrameValue) m0;
                Gpr d = defReg(m.dst(), R11);
                asm.mov(8, d, RBP);
                commit(m.dst(), d);
                return;
            }
            case GET_SP: {
                MInst.FrameValue m = (MInst.FrameValue) m0;
                Gpr d = defReg(m.dst(), R11);
                asm.mov(8, d, RSP);
                commit(m.dst(), d);
                return;
            }
            case GET_RA: {
                MInst.FrameValue m = (MInst.FrameValue) m0;
                Gpr d = defReg(m.dst(), R11);
                asm.load(8, d, Mem.base(RBP, 8));
                commit(m.dst(), d);
                return;
            }
            case SITE: site((MInst.Site) m0, block); return;
            case CALL: call((MInst.Call) m0); return;
            case TRAP: {
                MInst.Trap m = (MInst.Trap) m0;
                Label site = buf.newLabel();
                buf.bind(site);
                buf.addTrap(m.trap());
                trapSequence(site, m.trap());
                return;
            }
            case DEBUGTRAP:
                asm.int3();
                return;
            case TRAP_IF: {
                MInst.TrapIf m = (MInst.TrapIf) m0;
                compare(m.cmp());
                conditionalTrap(m.cmp().cc(), m.trap());
                return;
            }
            case BRANCH: {
                MInst.Branch m = (MInst.Branch) m0;
                compare(m.cmp());
                int next = nextBlock(block);
                int t = dest[m.targets()[0]], f = dest[m.targets()[1]];
                if (t == f) {
                    if (t != next) blockBranch(null, vc.blocks.get(t), block);
                } else if (t == next) {
                    blockBranch(m.cmp().cc().invert(), vc.blocks.get(f), block);
                } else {
                    blockBranch(m.cmp().cc(), vc.blocks.get(t), block);
                    if (f != next) blockBranch(null, vc.blocks.get(f), block);
                }
                return;
            }
            case JUMP: {
                MInst.Jump m = (MInst.Jump) m0;
                VCode.VBlock target = vc.blocks.get(m.targets()[0]);
                ParallelMove pm = new ParallelMove();
                for (int i = 0; i < m.args().length; i++) {
                    int p = target.params[i];
                    if (alloc.loc[p] == LinearScan.Result.UNUSED) continue;
                    if (m.args()[i] < 0) pm.addConst(loc(p), m.consts()[i]);
                    else pm.add(loc(p), loc(m.args()[i]));
                }
                pm.emit(asm);
                // After the moves: the target's parameters are in place, and a bare block it
                // might be has nothing else to do.
                target = dest(target.id);
                if (target.id != nextBlock(block)) blockBranch(null, target, block);
                return;
            }
            case BR_TABLE: brTable((MInst.BrTable) m0); return;
            case RET: ret((MInst.Ret) m0); return;
            case F_CONST: case F_ARITH: case F_BITWISE: case F_ROUND: case F_CVT: case F_CMP: case F_MINMAX: case F_FMA:
            case F_SIGN: case F_SELECT: case F_BITSELECT:
                new FloatEmit(this, asm).inst(m0);
                return;
            default:
                throw new AssertionError(m0.kind());
        }
    }

    /** The block emitted right after b, or -1. */
    private int nextBlock(VCode.VBlock b) {
        int idx = pos[b.id];
        return idx + 1 < layout.size() ? layout.get(idx + 1).id : -1;
    }

    private void params(MInst.Params m) {
        Signature sig = m.sig();
        Abi.ArgLocs locs = Abi.argLocs(sig);
        ParallelMove pm = new ParallelMove();
        int n = sig.params.size();
        for (int i = 0; i < n; i++) {
            int v = m.vregs()[i];
            if (alloc.loc[v] == LinearScan.Result.UNUSED) continue;
            if (!locs.onStack(i)) pm.add(loc(v), ParallelMove.regNum(locs.reg(i)));
        }
        if (locs.retArea != null) pm.add(loc(m.vregs()[n]), ParallelMove.reg(locs.retArea));
        pm.emit(asm);
        for (int i = 0; i < n; i++) {
            int v = m.vregs()[i];
            if (!locs.onStack(i) || alloc.loc[v] == LinearScan.Result.UNUSED) continue;
            ParallelMove.copy(asm, loc(v), ParallelMove.stack(16 + locs.stackOffsets[i]));
        }
    }

    private void unary(MInst.Unary m) {
        switch (m.op()) {
            case SUB:
            case XOR: {
                Gpr d = twoAddr(m.dst(), m.a(), -1, null);
                if (m.op() == AluOp.SUB) asm.neg(m.size(), d);
                else asm.not(m.size(), d);
                commit(m.dst(), d);
                return;
            }
            case CMP: {
                // iabs: d = -a; if the result is negative, a was positive: take a.
                Gpr d = defReg(m.dst(), R11);
                if (inReg(m.a()) && reg(m.a()) == d) {
                    asm.mov(8, R10, d);
                    asm.neg(m.size(), d);
                    asm.cmov(Cond.S, m.size(), d, R10);
                } else {
                    moveToReg(d, m.a());
                    asm.neg(m.size(), d);
                    if (inReg(m.a())) asm.cmov(Cond.S, m.size(), d, reg(m.a()));
                    else asm.cmov(Cond.S, m.size(), d, slot(m.a()));
                }
                commit(m.dst(), d);
                return;
            }
            case SBB: {
                // bmask: neg sets CF when the value is non-zero; sbb d, d gives -CF.
                moveToReg(R11, m.a());
                asm.neg(m.extFrom(), R11);
                Gpr d = defReg(m.dst(), R10);
                asm.alu(AluOp.SBB, m.size(), d, d);
                commit(m.dst(), d);
                return;
            }
            default:
                throw new AssertionError(m.op());
        }
    }

    private void ext(MInst.Ext m) {
        Gpr d = defReg(m.dst(), R11);
        int from = m.from();
        if (from == 8) {
            moveToReg(d, m.a());
        } else if (m.signed()) {
            if (inReg(m.a())) asm.movsx(from, 8, d, reg(m.a()));
            else asm.movsx(from, 8, d, slot(m.a()));
        } else if (from == 4) {
            if (inReg(m.a())) asm.mov(4, d, reg(m.a()));
            else asm.load(4, d, slot(m.a()));
        } else {
            if (inReg(m.a())) asm.movzx(from, 4, d, reg(m.a()));
            else asm.movzx(from, 4, d, slot(m.a()));
        }
        commit(m.dst(), d);
    }

    private void div(MInst.Div m) {
        Gpr b = use(m.b(), R11);
        if (m.checkZero()) {
            asm.test(m.size(), b, b);
            conditionalTrap(Cond.E, TrapCode.INTEGER_DIVISION_BY_ZERO);
        }
        Label done = buf.newLabel();
        if (m.signed() && m.checkOverflow()) {
            Label doDiv = buf.newLabel();
            asm.aluImm(AluOp.CMP, m.size(), b, -1);
            jcc(Cond.NE, doDiv);
            if (m.rem()) {
                asm.zero(Gpr.RDX);
            } else {
                // a / -1 is -a, which overflows exactly when a is the minimum of its type.
                moveToReg(Gpr.RAX, m.a());
                asm.neg(m.typeBytes(), Gpr.RAX);
                conditionalTrap(Cond.O, TrapCode.INTEGER_OVERFLOW);
            }
            jmp(done);
            buf.bind(doDiv);
        }
        moveToReg(Gpr.RAX, m.a());
        if (m.signed()) {
            asm.cwdCdqCqo(m.size());
            asm.idiv(m.size(), b);
        } else {
            asm.zero(Gpr.RDX);
            asm.div(m.size(), b);
        }
        buf.bind(done);
        commit(m.dst(), m.rem() ? Gpr.RDX : Gpr.RAX);
    }

    private void select(MInst.Select m) {
        compare(m.cmp());
        Gpr d = defReg(m.dst(), R11);
        int size = Math.max(4, m.size());
        if (inReg(m.ifTrue()) && reg(m.ifTrue()) == d) {
            if (inReg(m.ifFalse())) asm.cmov(m.cmp().cc().invert(), size, d, reg(m.ifFalse()));
            else asm.cmov(m.cmp().cc().invert(), size, d, slot(m.ifFalse()));
        } else {
            moveToReg(d, m.ifFalse());
            if (inReg(m.ifTrue())) asm.cmov(m.cmp().cc(), size, d, reg(m.ifTrue()));
            else asm.cmov(m.cmp().cc(), size, d, slot(m.ifTrue()));
        }
        commit(m.dst(), d);
    }

    private void ovf(MInst.Ovf m) {
        int a = m.a(), b = m.b();
        boolean comm = m.op() == null || m.op() == AluOp.ADD;
        if (comm && inReg(b) && inReg(m.dst()) && reg(b) == reg(m.dst())) {
            a = m.b();
            b = m.a();
        }
        Gpr d = twoAddr(m.dst(), a, b, null);
        if (m.op() == null) {
            if (inReg(b)) asm.imul(m.size(), d, reg(b));
            else asm.imul(m.size(), d, slot(b));
        } else {
            aluOperand(m.op(), m.size(), d, b);
        }
        if (m.trap() != null) {
            conditionalTrap(m.cc(), m.trap());
            commit(m.dst(), d);
            return;
        }
        Gpr fl = defReg(m.flag(), R10);
        asm.setcc(m.cc(), fl);
        asm.movzx(1, 4, fl, fl);
        commit(m.dst(), d);
        commit(m.flag(), fl);
    }

    private void bitcount(MInst.BitCount m) {
        Gpr src = use(m.a(), R10);
        Gpr d = defReg(m.dst(), R11);
        int bits = (int) m.typeBits();
        switch (m.op()) {
            case CLZ:
                asm.bsr(m.size(), d, src);
                asm.movImm(R10, -1);
                asm.cmov(Cond.E, m.size(), d, R10);
                asm.neg(m.size(), d);
                asm.aluImm(AluOp.ADD, m.size(), d, bits - 1);
                break;
            case CTZ:
                asm.bsf(m.size(), d, src);
                asm.movImm32(R10, bits);
                asm.cmov(Cond.E, m.size(), d, R10);
                break;
            default:
                asm.popcnt(m.size(), d, src);
        }
        commit(m.dst(), d);
    }

    private void site(MInst.Site m, VCode.VBlock block) {
        SiteKind kind = m.siteKind();
        String loc = (block.ir != null ? block.ir.name : "edge") + (m.origin() != null && m.origin().loc.isKnown() ? " @" + m.origin().loc : "");
        EpochMode mode = opts.epochMode();
        if (kind == SiteKind.EPOCH && mode != EpochMode.NOP) {
            comparisonSite(mode, m.blockInsts());
            // FUEL code read-modify-writes its counter with a plain `sub`, whose store is
            // fed by the previous iteration's store: a tight loop overwrites every write
            // another thread makes to the field, so a force cannot go through the fuel.
            // It arms this patch site instead, as in NOP mode (EpochState.forceLocked).
            if (mode != EpochMode.FUEL) return;
        }
        String target = kind == SiteKind.CUSTOM ? fnSymbol(m.callee()) : hookSymbol(kind);
        if (kind == SiteKind.CUSTOM && !m.inModule()) {
            throw new dev.patchbay.codegen.CompileException("function %" + vc.f.name + ": patchable callee %" + m.callee()
                + " must be a function of the same module (colocated)");
        }
        buf.addPatchSite(kind, m.callee(), target, loc);
        buf.instructionStart();
        buf.putBytes(NopUnits.PATCH_SITE_OFF);
    }

    private void comparisonSite(EpochMode mode, int blockInsts) {
        Label back = buf.newLabel();
        Label cold = buf.newLabel();
        switch (mode) {
            case CHECK:
                asm.load(8, R11, Mem.base(Abi.VMCTX, VmctxLayout.EPOCH_PTR));
                asm.load(8, R11, Mem.base(R11, 0));
                asm.alu(AluOp.CMP, 8, R11, Mem.base(Abi.VMCTX, VmctxLayout.EPOCH_DEADLINE));
                jcc(Cond.AE, cold);
                break;
            case FUEL:
                asm.aluImm(AluOp.SUB, 8, Mem.base(Abi.VMCTX, VmctxLayout.FUEL), Math.max(1, blockInsts));
                jcc(Cond.S, cold);
                break;
            case POLL:
                asm.load(8, R11, Mem.base(Abi.VMCTX, VmctxLayout.POLL_PAGE));
                asm.load(4, R11, Mem.base(R11, 0));
                return;
            default:
                throw new AssertionError(mode);
        }
        buf.bind(back);
        islands.add(() -> {
            buf.bind(cold);
            callSym(hookSymbol(SiteKind.EPOCH));
            jmp(back);
        });
    }

    private void call(MInst.Call m) {
        Signature sig = m.sig();
        Abi.ArgLocs locs = Abi.argLocs(sig);
        for (int i = 0; i < m.args().length; i++) {
            if (!locs.onStack(i)) continue;
            Mem dst = Mem.base(RSP, locs.stackOffsets[i]);
            int a = m.args()[i];
            if (isF(a) && inReg(a)) asm.movsStore(false, dst, xreg(a));
            else asm.store(8, dst, use(a, R11));
        }
        ParallelMove pm = new ParallelMove();
        for (int i = 0; i < m.args().length; i++) {
            if (!locs.onStack(i)) pm.add(ParallelMove.regNum(locs.reg(i)), loc(m.args()[i]));
        }
        if (m.target() >= 0) pm.add(ParallelMove.reg(Gpr.RAX), loc(m.target()));
        pm.emit(asm);
        if (locs.retArea != null) asm.lea(8, locs.retArea, Mem.base(RSP, locs.stackBytes));
        if (m.target() >= 0) {
            asm.call(Gpr.RAX);
        } else {
            callSym(m.inModule() ? fnSymbol(m.callee()) : importSymbol(m.callee()));
        }
        buf.addCallReturn(m.callee());
        ParallelMove res = new ParallelMove();
        for (int i = 0; i < m.results().length; i++) {
            if (locs.retRegs[i] < 0 || alloc.loc[m.results()[i]] == LinearScan.Result.UNUSED) continue;
            res.add(loc(m.results()[i]), ParallelMove.regNum(locs.retRegs[i]));
        }
        res.emit(asm);
        for (int i = 0; i < m.results().length; i++) {
            int v = m.results()[i];
            if (locs.retRegs[i] >= 0 || alloc.loc[v] == LinearScan.Result.UNUSED) continue;
            Mem from = Mem.base(RSP, locs.stackBytes + locs.retOffsets[i]);
            if (isF(v)) {
                Xmm d = xdef(v, X14);
                asm.movsLoad(false, d, from);
                xcommit(v, d);
                continue;
            }
            Gpr d = defReg(v, R11);
            asm.load(8, d, from);
            commit(v, d);
        }
    }

    private void ret(MInst.Ret m) {
        int n = m.values().length;
        Abi.ArgLocs locs = Abi.argLocs(m.sig());
        if (locs.retArea != null) {
            Gpr area = use(m.retArea(), R10);
            for (int i = 0; i < n; i++) {
                if (locs.retRegs[i] >= 0) continue;
                int v = m.values()[i];
                Mem to = Mem.base(area, locs.retOffsets[i]);
                if (isF(v) && inReg(v)) asm.movsStore(false, to, xreg(v));
                else asm.store(8, to, use(v, R11));
            }
        }
        ParallelMove pm = new ParallelMove();
        for (int i = 0; i < n; i++) if (locs.retRegs[i] >= 0) pm.add(ParallelMove.regNum(locs.retRegs[i]), loc(m.values()[i]));
        pm.emit(asm);
        epilogue();
    }

    private void brTable(MInst.BrTable m) {
        int n = m.targets().length - 1;
        Gpr idx = use(m.index(), R10);
        asm.aluImm(AluOp.CMP, 8, idx, n);
        jcc(Cond.AE, blockLabels[m.targets()[0]]);
        Label table = buf.newLabel();
        asm.lea(8, R11, Mem.rip(table, 0));
        asm.movsx(4, 8, R10, Mem.baseIndex(R11, idx, 4, 0));
        asm.alu(AluOp.ADD, 8, R11, R10);
        asm.jmp(R11);
        tables.add(() -> {
            buf.bind(table);
            int base = buf.offset();
            for (int i = 1; i <= n; i++) buf.put4(buf.labelOffset(blockLabels[m.targets()[i]]) - base);
        });
    }
}
