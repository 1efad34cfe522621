/*
 * Emission: allocated VCode → x86-64 bytes for one function, plus its metadata.
 *
 * The frame is RBP-based: push rbp; mov rbp, rsp; a stack-limit check against the vmctx;
 * callee-saved pushes; then one `sub rsp` for spill slots, stack slots and the outgoing
 * argument area, so RSP stays 16-byte aligned at every call and nothing ever lives below
 * RSP (no red zone: a patched-in call or a redirected signal may push there).
 *
 * Emission only encodes. The Rewrite (run before it) has given each instruction physical
 * operands (registers, or a frame slot where the encoding takes memory) and the edits
 * around it (reloads, spills, moves, the sequenced parallel moves of block edges, calls
 * and returns); emission writes the edits before and after each instruction and encodes
 * the instruction from its operands. It reads no allocation and picks no scratch register
 * for an operand. Multi-instruction expansions still name their own temporaries (R10 or
 * R11 in iabs, bitcount, float constants, trap sequences), which the Rewrite keeps every
 * operand of that instruction out of. A two-address form writes `mov d, a` itself when
 * its first source is not already in the result register d.
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

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.machinst.TrapSite;
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
        /** The value table's entries (offsets relative to the function); set after relax(). */
        final List<ValueRow> values = new ArrayList<>();
        /** The call frame rows (see UnwindRange), relative to the function's start; set after relax(). */
        final List<dev.patchbay.codegen.machinst.UnwindRange.Row> unwind = new ArrayList<>();
    }

    /**
     * One value of the value table before the module places the function: a ValueTable.Value
     * without its function index, with function-relative ranges that assembly shifts in
     * place (the array is this row's own) and a null name when the IR gave none.
     */
    record ValueRow(int value, String name, int bits, dev.patchbay.codegen.machinst.ValueTable.Kind kind, int where, long constant,
                    int[] ranges) {}

    private static final int[] NO_RANGES = {};

    final VCode vc;
    private final Rewrite.Result rw;
    /** The Form of the instruction being encoded. */
    private Rewrite.Form f;
    private final CompileOptions opts;
    final CodeBuffer buf;
    private final Assembler asm;
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
    /** Per block id: the block begins a loop in the layout, where loop alignment pads (rotateLoops). */
    private final boolean[] alignedTop;
    private final List<Runnable> islands = new ArrayList<>();
    private final List<Runnable> tables = new ArrayList<>();
    /** Fused sites whose bytes are computed once every label is bound. */
    private final List<Runnable> fusedFinish = new ArrayList<>();

    private final FrameLayout frame;

    Emit(VCode vc, Rewrite.Result rw, CompileOptions opts) {
        this.vc = vc;
        this.rw = rw;
        this.opts = opts;
        this.frame = rw.frame;
        // Sized from the instructions and the spill/reload/move edits around them, so a
        // large function's buffer does not double its way up: a little over what
        // CompileBenchmark's 200k-instruction functions need (about 4.3 bytes and 1.3
        // instruction starts per instruction without spills; 15 bytes and 1.4 starts more
        // per edit, about one per operand in a spill slot).
        long edits = 0;
        for (MInst m : vc.insts) {
            for (int u : m.uses()) if (rw.onStack(u)) edits++;
            for (int d : m.defs()) if (rw.onStack(d)) edits++;
        }
        long n = vc.insts.size();
        this.buf = new CodeBuffer((int) Math.min(1 << 30, Math.max(256, 5 * n + 15 * edits)),
            (int) Math.min(1 << 28, (14 * (n + edits)) / 10));
        this.asm = new Assembler(buf);
        this.blockLabels = new Label[vc.blocks.size()];
        for (int i = 0; i < blockLabels.length; i++) blockLabels[i] = buf.newLabel();
        this.pos = new int[blockLabels.length];
        this.dest = new int[blockLabels.length];
        this.alignedTop = new boolean[blockLabels.length];
        planLayout();
        out.frameSize = frame.frameSize;
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
            if (alignedTop[b.id] && opts.loopAlign() > 0) NopUnits.align(buf, opts.loopAlign());
            buf.bind(blockLabels[b.id]);
            for (int i = b.first; i < b.end; i++) {
                dev.patchbay.codegen.ir.SourceLoc l = vc.locs.get(i);
                if (l != lastLoc) {
                    locMarks.add(new int[] {buf.mark(), l == null ? 0 : l.line, l == null ? 0 : l.col});
                    lastLoc = l;
                }
                instMarks[i] = buf.mark();
                f = rw.form(i);
                for (Edit e : f.before) edit(e);
                inst(vc.insts.get(i), b);
                for (Edit e : f.after) edit(e);
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
        // Walked in layout order, the order the code was written in.
        int next = -1;
        for (VCode.VBlock b : layout) {
            for (int i = b.first; i < b.end; i++) {
                if (off[i] < 0) continue;
                if (next >= 0 && off[next] == off[i]) off[next] = -1;
                next = i;
            }
        }
        // Blocks are emitted in rotateLoops' order, not the allocator's linear one, so a
        // range of instructions is not always one run of offsets: each is cut into runs of
        // instructions that are consecutive in the emitted code (rank: the instruction's
        // place among the emitted starts), and the runs are sorted by offset.
        // (The code is written in layout order, so that order is the offsets' order.)
        int n = off.length;
        int[] rank = new int[n];
        java.util.Arrays.fill(rank, -1);
        int r = 0;
        for (VCode.VBlock b : layout) for (int i = b.first; i < b.end; i++) if (off[i] >= 0) rank[i] = r++;
        // A range's runs in time linear in their number, not in the range's length: walking
        // each range's instructions was quadratic when thousands of values are live across
        // thousands of blocks (CompileBenchmark's farback: most of a 200k compile).
        // nextSpoken[i] / prevSpoken[i]: the first instruction at or after i, the last at or
        // before i, that speaks for an offset, or -1. runEnd[i], for one that speaks: the last
        // of the run that starts at i (the spoken instructions after it, in linear order,
        // whose ranks go up by one each).
        int[] nextSpoken = new int[n + 1], prevSpoken = new int[n], runEnd = new int[n];
        nextSpoken[n] = -1;
        for (int i = n - 1; i >= 0; i--) {
            nextSpoken[i] = off[i] >= 0 ? i : nextSpoken[i + 1];
            if (off[i] < 0) continue;
            int nx = nextSpoken[i + 1];
            runEnd[i] = nx >= 0 && rank[nx] == rank[i] + 1 ? runEnd[nx] : i;
        }
        for (int i = 0, last = -1; i < n; i++) prevSpoken[i] = last = off[i] >= 0 ? i : last;
        dev.patchbay.codegen.ir.Function f = vc.f;
        int[] runs = new int[16];
        for (int v = 0; v < f.numValues(); v++) {
            dev.patchbay.codegen.ir.Type t = f.valueType(v);
            if (t == null || !f.isDefined(v)) continue;
            dev.patchbay.codegen.ir.Inst def = f.valueDefInst(v);
            String name = f.givenValueName(v);
            if (def != null && def.op == dev.patchbay.codegen.ir.Opcode.ICONST) {
                out.values.add(new ValueRow(v, name, t.bits(), dev.patchbay.codegen.machinst.ValueTable.Kind.CONSTANT, 0,
                    t.signExtend(def.imm), NO_RANGES));
                continue;
            }
            if (!rw.hasLocation(v)) continue;
            int[] pos = rw.liveRanges(v);
            // The runs as [first, last] offset pairs in `runs` (reused across values: this
            // loop allocates only each value's final array).
            int nr = 0;
            boolean sorted = true;
            for (int k = 0; k < pos.length; k += 2) {
                int from = (pos[k] + 1) / 2, to = Math.min(pos[k + 1] / 2, n - 1);
                if (from > to) continue;
                for (int i = nextSpoken[from]; i >= 0 && i <= to; i = nextSpoken[runEnd[i] + 1]) {
                    int j = runEnd[i] <= to ? runEnd[i] : prevSpoken[to];
                    if (2 * nr + 2 > runs.length) runs = java.util.Arrays.copyOf(runs, 2 * runs.length + 2);
                    if (nr > 0 && off[i] < runs[2 * nr - 2]) sorted = false;
                    runs[2 * nr] = off[i];
                    runs[2 * nr++ + 1] = off[j];
                    if (runEnd[i] > to) break;
                }
            }
            if (nr == 0) continue;
            if (!sorted) sortPairs(runs, nr);
            // Overlapping or touching runs merge.
            int m = 0;
            for (int q = 0; q < nr; q++) {
                int a = runs[2 * q], b = runs[2 * q + 1];
                if (m > 0 && runs[2 * m - 1] >= a) {
                    runs[2 * m - 1] = Math.max(b, runs[2 * m - 1]);
                } else {
                    runs[2 * m] = a;
                    runs[2 * m++ + 1] = b;
                }
            }
            int[] ranges = java.util.Arrays.copyOf(runs, 2 * m);
            boolean reg = rw.inRegister(v);
            out.values.add(new ValueRow(v, name, t.bits(),
                reg ? dev.patchbay.codegen.machinst.ValueTable.Kind.REGISTER : dev.patchbay.codegen.machinst.ValueTable.Kind.FRAME_SLOT,
                rw.where(v), 0, ranges));
        }
    }

    /** Sorts the first n (first, last) pairs of a by first. */
    private static void sortPairs(int[] a, int n) {
        long[] keyed = new long[n];
        for (int q = 0; q < n; q++) keyed[q] = (long) a[2 * q] << 32 | (a[2 * q + 1] & 0xFFFF_FFFFL);
        java.util.Arrays.sort(keyed);
        for (int q = 0; q < n; q++) {
            a[2 * q] = (int) (keyed[q] >>> 32);
            a[2 * q + 1] = (int) keyed[q];
        }
    }

    // ---- operands: what the Rewrite's Form says, encoded ----

    /** Vreg v's physical operand in the instruction being encoded. */
    Operand op(int v) { return f.op(v); }

    /** The Form of the instruction being encoded. */
    Rewrite.Form form() { return f; }

    Gpr g(int v) { return f.op(v).gpr(); }

    Xmm x(int v) { return f.op(v).xmm(); }

    /** mov d, a: a's register or slot into d (nothing if a is already there). */
    void movIn(Gpr d, int a) {
        Operand o = f.op(a);
        if (o.isReg()) {
            if (o.reg() != d.enc()) asm.mov(8, d, o.gpr());
        } else {
            asm.load(8, d, o.mem());
        }
    }

    /** movaps/movsd d, a: a's register or slot into d (nothing if a is already there). */
    void xmovIn(Xmm d, int a) {
        Operand o = f.op(a);
        if (o.isReg()) {
            if (o.xmm() != d) asm.movaps(d, o.xmm());
        } else {
            asm.movsLoad(false, d, o.mem());
        }
    }

    private void alu(AluOp op, int size, Gpr d, int b) {
        Operand o = f.op(b);
        if (o.isReg()) asm.alu(op, size, d, o.gpr());
        else asm.alu(op, size, d, o.mem());
    }

    /** One edit; its encoding follows from the registers' classes (Edit's header). */
    private void edit(Edit e0) {
        if (e0 instanceof Edit.Move) {
            Edit.Move e = (Edit.Move) e0;
            boolean dx = Abi.isXmmReg(e.dst()), sx = Abi.isXmmReg(e.src());
            if (dx && sx) asm.movaps(Abi.xmm(e.dst()), Abi.xmm(e.src()));
            else if (dx) asm.movToXmm(8, Abi.xmm(e.dst()), gpr(e.src()));
            else if (sx) asm.movFromXmm(8, gpr(e.dst()), Abi.xmm(e.src()));
            else asm.mov(8, gpr(e.dst()), gpr(e.src()));
        } else if (e0 instanceof Edit.Reload) {
            Edit.Reload e = (Edit.Reload) e0;
            if (Abi.isXmmReg(e.dst())) asm.movsLoad(false, Abi.xmm(e.dst()), e.from());
            else asm.load(8, gpr(e.dst()), e.from());
        } else if (e0 instanceof Edit.Spill) {
            Edit.Spill e = (Edit.Spill) e0;
            if (Abi.isXmmReg(e.src())) asm.movsStore(false, e.to(), Abi.xmm(e.src()));
            else asm.store(8, e.to(), gpr(e.src()));
        } else if (e0 instanceof Edit.LoadConst) {
            Edit.LoadConst e = (Edit.LoadConst) e0;
            if (e.imm() == 0) asm.zero(gpr(e.dst()));
            else asm.movImm(gpr(e.dst()), e.imm());
        } else if (e0 instanceof Edit.StoreConst) {
            Edit.StoreConst e = (Edit.StoreConst) e0;
            asm.storeImm(8, e.to(), e.imm());
        } else {
            Edit.Lea e = (Edit.Lea) e0;
            asm.lea(8, gpr(e.dst()), e.addr());
        }
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
            bare[b.id] = !tableTarget[b.id] && b.insts.size() == 1 && b.terminator().kind() == MInst.K.JUMP && movesNothing(b);
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
        rotateLoops();
    }

    /**
     * Loop rotation, as gcc's block placement does it. A loop whose latch (the last block in
     * layout with a back edge to the header) is reached by branches from inside the loop,
     * and not only by falling in from the block before it, is laid out with the latch first
     * and the header right after it. The latch then falls through into the header, so an
     * iteration that branches to the latch (the sieve's `if (!flags[p])` path, a `continue`)
     * takes that one branch where it took two: the branch to the latch and the latch's back
     * edge. The costs: the loop's entry jumps over the latch to the header (once per entry),
     * the block that fell into the latch now jumps to it (the back edge it replaces was taken
     * on that path too), and an exit that was the latch's fall-through is taken (once per
     * exit). A latch whose back edge passes through an edge block of moves moves with it.
     *
     * Done here, after allocation, on the emitted layout (threading decides which branches
     * exist), so the allocator's linear order and its hints are what they were: rotating
     * the order before allocation let the latch's parameters be allocated first and turned
     * the Wasm sieve's loop-carried locals into a rotation of moves on every edge.
     *
     * Only hot blocks move, the entry block never. The latch must end in a brif or jump (a
     * br_table's entries never fall through), must not be a loop header itself, and every
     * predecessor of it must lie between the header and it. Any order is correct: every
     * terminator branches to what is not next (BRANCH, JUMP), FusedSites' argument holds
     * for every order, and the value table follows emitted offsets, not the linear order
     * (valueTable). Loop alignment moves with the top of the loop (alignedTop): padding
     * between a latch and the header it falls into would run on every iteration.
     *
     * Cost: the predecessors of every header and latch; a rotation shifts the blocks of the
     * loop's extent, so the whole is each loop's extent once per loop it is nested in.
     */
    private void rotateLoops() {
        int n = blockLabels.length;
        for (VCode.VBlock b : layout) alignedTop[b.id] = b.loopHeader;
        List<List<Integer>> preds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) preds.add(new ArrayList<>());
        for (VCode.VBlock b : layout) {
            for (int t : b.succs()) {
                int d = dest[t];
                if (!preds.get(d).contains(b.id)) preds.get(d).add(b.id);
            }
        }
        for (VCode.VBlock header : new ArrayList<>(layout)) {
            if (!header.loopHeader || header.cold) continue;
            int h = pos[header.id];
            if (h < 1) continue;
            int l = -1;
            for (int p : preds.get(header.id)) l = Math.max(l, pos[p]);
            if (l <= h) continue;
            // The group that moves: the latch, and the edge block it falls into if that is
            // what branches back.
            int g = l;
            VCode.VBlock last = layout.get(l);
            if (last.ir == null && l - 1 > h && preds.get(last.id).size() == 1 && pos[preds.get(last.id).get(0)] == l - 1) g = l - 1;
            VCode.VBlock latch = layout.get(g);
            MInst.K k = latch.terminator().kind();
            if ((k != MInst.K.BRANCH && k != MInst.K.F_BRANCH && k != MInst.K.JUMP) || latch.loopHeader || latch.cold || last.cold) continue;
            boolean inside = true, branchedTo = false;
            for (int p : preds.get(latch.id)) {
                if (pos[p] < h || pos[p] >= g) inside = false;
                else if (pos[p] != g - 1) branchedTo = true;
            }
            if (!inside || !branchedTo) continue;
            List<VCode.VBlock> moved = new ArrayList<>(layout.subList(g, l + 1));
            layout.subList(g, l + 1).clear();
            layout.addAll(h, moved);
            for (int i = h; i <= l; i++) pos[layout.get(i).id] = i;
            alignedTop[latch.id] = true;
            alignedTop[header.id] = false;
        }
    }

    /** True if a jump's argument moves are all empty: the Rewrite gave it no edits. */
    private boolean movesNothing(VCode.VBlock b) {
        return rw.form(b.end - 1).before.length == 0;
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
        if (frame.preserveAll) asm.pushfq();
        for (Gpr g : frame.saved) asm.push(g);
        if (frame.subBytes > 0) asm.aluImm(AluOp.SUB, 8, RSP, frame.subBytes);
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
        if (frame.subBytes > 0) asm.aluImm(AluOp.ADD, 8, RSP, frame.subBytes);
        for (int i = frame.saved.size() - 1; i >= 0; i--) asm.pop(frame.saved.get(i));
        if (frame.preserveAll) asm.popfq();
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

    /** cmp/test from the compare's operands: a in a register, or a's slot against b's register. */
    void compare(MInst.Cmp c) {
        int size = c.size();
        Operand a = f.op(c.a());
        if (c.testZero()) {
            asm.test(size, a.gpr(), a.gpr());
        } else if (c.and()) {
            if (c.hasImm()) asm.testImm(size, a.gpr(), c.imm());
            else asm.test(size, a.gpr(), g(c.b()));
        } else if (c.hasImm()) {
            if (a.isReg()) asm.aluImm(AluOp.CMP, size, a.gpr(), c.imm());
            else asm.aluImm(AluOp.CMP, size, a.mem(), c.imm());
        } else if (a.isReg()) {
            alu(AluOp.CMP, size, a.gpr(), c.b());
        } else {
            asm.alu(AluOp.CMP, size, a.mem(), g(c.b()));
        }
    }

    static boolean commutative(AluOp op) {
        return op == AluOp.ADD || op == AluOp.AND || op == AluOp.OR || op == AluOp.XOR;
    }

    private void inst(MInst m0, VCode.VBlock block) {
        switch (m0.kind()) {
            case PARAMS: case MOV: case MOV_IMM:
                return; // nothing but edits
            case ALU: {
                MInst.Alu m = (MInst.Alu) m0;
                if (f.threeAddress) {
                    // Three-address: lea saves the mov that two-address add needs (flags are dead).
                    asm.lea(m.size(), g(m.dst()), Mem.baseIndex(g(m.a()), g(m.b()), 1, 0));
                    return;
                }
                int a = f.swapped ? m.b() : m.a(), b = f.swapped ? m.a() : m.b();
                Gpr d = g(m.dst());
                movIn(d, a);
                alu(m.op(), m.size(), d, b);
                return;
            }
            case ALU_I: {
                MInst.AluImm m = (MInst.AluImm) m0;
                if (f.threeAddress) {
                    // mov dst, a; add dst, imm is lea dst, [a + imm]: one instruction, and flags are dead.
                    int disp = m.op() == AluOp.ADD ? (int) m.imm() : -(int) m.imm();
                    asm.lea(m.size(), g(m.dst()), Mem.base(g(m.a()), disp));
                    return;
                }
                Gpr d = g(m.dst());
                movIn(d, m.a());
                asm.aluImm(m.op(), m.size(), d, (int) m.imm());
                return;
            }
            case ALU_M: {
                MInst.AluMem m = (MInst.AluMem) m0;
                Gpr d = g(m.dst());
                movIn(d, m.a());
                if (m.trap() != null) buf.addTrap(m.trap());
                asm.alu(m.op(), m.size(), d, f.addr);
                return;
            }
            case IMUL: {
                MInst.Imul m = (MInst.Imul) m0;
                int a = f.swapped ? m.b() : m.a(), b = f.swapped ? m.a() : m.b();
                Gpr d = g(m.dst());
                movIn(d, a);
                imul(m.size(), d, b);
                return;
            }
            case IMUL_I: {
                MInst.ImulImm m = (MInst.ImulImm) m0;
                asm.imulImm(m.size(), g(m.dst()), g(m.a()), (int) m.imm());
                return;
            }
            case UNARY: unary((MInst.Unary) m0); return;
            case BSWAP: {
                MInst.Bswap m = (MInst.Bswap) m0;
                Gpr d = g(m.dst());
                movIn(d, m.a());
                asm.bswap(m.size(), d);
                return;
            }
            case EXT: ext((MInst.Ext) m0); return;
            case SHIFT: {
                // The count is in cl (a Move edit).
                MInst.Shift m = (MInst.Shift) m0;
                Gpr d = g(m.dst());
                movIn(d, m.a());
                asm.shiftCl(m.op(), m.size(), d);
                return;
            }
            case SHIFT_I: {
                MInst.ShiftImm m = (MInst.ShiftImm) m0;
                Gpr d = g(m.dst());
                movIn(d, m.a());
                asm.shiftImm(m.op(), m.size(), d, (int) m.amount());
                return;
            }
            case MULHI: {
                // a is in rax (a Move edit); the high half lands in rdx.
                MInst.MulHi m = (MInst.MulHi) m0;
                if (m.signed()) asm.imulWide(8, g(m.b()));
                else asm.mul(8, g(m.b()));
                return;
            }
            case MUL_OVF_WIDE: {
                MInst.MulOvfWide m = (MInst.MulOvfWide) m0;
                asm.mul(8, g(m.b()));
                Gpr fl = g(m.flag());
                asm.setcc(Cond.O, fl);
                asm.movzx(1, 4, fl, fl);
                return;
            }
            case DIV: div((MInst.Div) m0); return;
            case SETCC: {
                MInst.SetCC m = (MInst.SetCC) m0;
                compare(m.cmp());
                Gpr d = g(m.dst());
                asm.setcc(m.cmp().cc(), d);
                asm.movzx(1, 4, d, d);
                return;
            }
            case SELECT: select((MInst.Select) m0); return;
            case OVF: ovf((MInst.Ovf) m0); return;
            case OVF_CARRY: {
                // The carry is in temp 0 (a Move edit); neg sets CF from it, and moves keep flags.
                MInst.OvfCarry m = (MInst.OvfCarry) m0;
                asm.neg(1, gpr(f.temp(0)));
                Gpr d = g(m.dst());
                movIn(d, m.a());
                alu(m.op(), m.size(), d, m.b());
                Gpr fl = g(m.flag());
                asm.setcc(m.cc(), fl);
                asm.movzx(1, 4, fl, fl);
                return;
            }
            case BITCOUNT: bitcount((MInst.BitCount) m0); return;
            case LOAD: {
                MInst.Load m = (MInst.Load) m0;
                Mem mm = f.addr;
                if (op(m.dst()).isGpr()) {
                    Gpr d = g(m.dst());
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
                    return;
                }
                if (m.trap() != null) buf.addTrap(m.trap());
                asm.movsLoad(m.size() == 4, x(m.dst()), mm);
                return;
            }
            case STORE: {
                MInst.Store m = (MInst.Store) m0;
                if (m.trap() != null) buf.addTrap(m.trap());
                if (op(m.value()).isGpr()) asm.store(m.size(), f.addr, g(m.value()));
                else asm.movsStore(m.size() == 4, f.addr, x(m.value()));
                return;
            }
            case STORE_I: {
                MInst.StoreImm m = (MInst.StoreImm) m0;
                if (m.trap() != null) buf.addTrap(m.trap());
                asm.storeImm(m.size(), f.addr, (int) m.imm());
                return;
            }
            case LEA: {
                MInst.Lea m = (MInst.Lea) m0;
                asm.lea(m.size(), g(m.dst()), f.addr);
                return;
            }
            case FUNC_ADDR: {
                MInst.FuncAddr m = (MInst.FuncAddr) m0;
                leaSym(g(m.dst()), m.inModule() ? fnSymbol(m.callee()) : importSymbol(m.callee()));
                return;
            }
            case GET_FP: asm.mov(8, g(((MInst.FrameValue) m0).dst()), RBP); return;
            case GET_SP: asm.mov(8, g(((MInst.FrameValue) m0).dst()), RSP); return;
            case GET_RA: asm.load(8, g(((MInst.FrameValue) m0).dst()), Mem.base(RBP, 8)); return;
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
                int t = dest[m.targets()[0]], fl = dest[m.targets()[1]];
                if (t == fl) {
                    if (t != next) blockBranch(null, vc.blocks.get(t), block);
                } else if (t == next) {
                    blockBranch(m.cmp().cc().invert(), vc.blocks.get(fl), block);
                } else {
                    blockBranch(m.cmp().cc(), vc.blocks.get(t), block);
                    if (fl != next) blockBranch(null, vc.blocks.get(fl), block);
                }
                return;
            }
            case F_BRANCH: fbranch((MInst.FBranch) m0, block); return;
            case JUMP: {
                // After the moves (edits): the target's parameters are in place, and a bare
                // block it might be has nothing else to do.
                MInst.Jump m = (MInst.Jump) m0;
                VCode.VBlock target = dest(m.targets()[0]);
                if (target.id != nextBlock(block)) blockBranch(null, target, block);
                return;
            }
            case BR_TABLE: brTable((MInst.BrTable) m0); return;
            case RET: epilogue(); return; // the values are in place (edits)
            case F_CONST: case F_ARITH: case F_BITWISE: case F_ROUND: case F_CVT: case F_CMP: case F_MINMAX: case F_FMA:
            case F_SIGN: case F_SELECT: case F_BITSELECT:
                new FloatEmit(this, asm).inst(m0);
                return;
            default:
                throw new AssertionError(m0.kind());
        }
    }

    private void imul(int size, Gpr d, int b) {
        Operand o = op(b);
        if (o.isReg()) asm.imul(size, d, o.gpr());
        else asm.imul(size, d, o.mem());
    }

    private void cmov(Cond c, int size, Gpr d, int v) {
        Operand o = op(v);
        if (o.isReg()) asm.cmov(c, size, d, o.gpr());
        else asm.cmov(c, size, d, o.mem());
    }

    /**
     * A brif on an fcmp: ucomis, then the jcc of FloatEmit.flags. Eq and ne need two flags
     * (ZF and PF), so they take two jcc, arranged so that the next block in layout is the one
     * reached by falling through: `jp f; je t` (eq), `jne t; jp t` (ne), and with t next, the
     * inverted tests branch to f (`jne f; jp f` for eq; `jp t; je f` for ne, whose `jp` skips
     * the `je`). Each jcc is a block branch, so a backward one is a fused epoch site as any.
     */
    private void fbranch(MInst.FBranch m, VCode.VBlock block) {
        FloatEmit.Flags fl = FloatEmit.flags(m.cc());
        int a = fl.swapped() ? m.b() : m.a(), b = fl.swapped() ? m.a() : m.b();
        asm.ucomis(m.single(), x(a), x(b));
        int next = nextBlock(block);
        int t = dest[m.targets()[0]], fa = dest[m.targets()[1]];
        VCode.VBlock tb = vc.blocks.get(t), fb = vc.blocks.get(fa);
        if (t == fa) {
            if (t != next) blockBranch(null, tb, block);
        } else if (fl.also() == null) {
            if (t == next) {
                blockBranch(fl.c().invert(), fb, block);
            } else {
                blockBranch(fl.c(), tb, block);
                if (fa != next) blockBranch(null, fb, block);
            }
        } else if (fl.and()) {
            if (t == next) {
                blockBranch(fl.c().invert(), fb, block);
                blockBranch(fl.also().invert(), fb, block);
            } else {
                blockBranch(fl.also().invert(), fb, block);
                blockBranch(fl.c(), tb, block);
                if (fa != next) blockBranch(null, fb, block);
            }
        } else {
            if (t == next) {
                blockBranch(fl.also(), tb, block);
                blockBranch(fl.c().invert(), fb, block);
            } else {
                blockBranch(fl.c(), tb, block);
                blockBranch(fl.also(), tb, block);
                if (fa != next) blockBranch(null, fb, block);
            }
        }
    }

    /** The block emitted right after b, or -1. */
    private int nextBlock(VCode.VBlock b) {
        int idx = pos[b.id];
        return idx + 1 < layout.size() ? layout.get(idx + 1).id : -1;
    }

    private void unary(MInst.Unary m) {
        Gpr d = g(m.dst());
        switch (m.op()) {
            case SUB:
            case XOR: {
                movIn(d, m.a());
                if (m.op() == AluOp.SUB) asm.neg(m.size(), d);
                else asm.not(m.size(), d);
                return;
            }
            case CMP: {
                // iabs: d = -a; if the result is negative, a was positive: take a.
                if (op(m.a()).is(d.enc())) {
                    asm.mov(8, R10, d);
                    asm.neg(m.size(), d);
                    asm.cmov(Cond.S, m.size(), d, R10);
                } else {
                    movIn(d, m.a());
                    asm.neg(m.size(), d);
                    cmov(Cond.S, m.size(), d, m.a());
                }
                return;
            }
            case SBB: {
                // bmask: a is in temp 0 (a Move edit); neg sets CF when it is non-zero; sbb d, d gives -CF.
                asm.neg(m.extFrom(), gpr(f.temp(0)));
                asm.alu(AluOp.SBB, m.size(), d, d);
                return;
            }
            default:
                throw new AssertionError(m.op());
        }
    }

    private void ext(MInst.Ext m) {
        Gpr d = g(m.dst());
        Operand a = op(m.a());
        int from = m.from();
        if (from == 8) {
            movIn(d, m.a());
        } else if (m.signed()) {
            if (a.isReg()) asm.movsx(from, 8, d, a.gpr());
            else asm.movsx(from, 8, d, a.mem());
        } else if (from == 4) {
            if (a.isReg()) asm.mov(4, d, a.gpr());
            else asm.load(4, d, a.mem());
        } else {
            if (a.isReg()) asm.movzx(from, 4, d, a.gpr());
            else asm.movzx(from, 4, d, a.mem());
        }
    }

    private void div(MInst.Div m) {
        Gpr b = g(m.b());
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
                movIn(Gpr.RAX, m.a());
                asm.neg(m.typeBytes(), Gpr.RAX);
                conditionalTrap(Cond.O, TrapCode.INTEGER_OVERFLOW);
            }
            jmp(done);
            buf.bind(doDiv);
        }
        movIn(Gpr.RAX, m.a());
        if (m.signed()) {
            asm.cwdCdqCqo(m.size());
            asm.idiv(m.size(), b);
        } else {
            asm.zero(Gpr.RDX);
            asm.div(m.size(), b);
        }
        buf.bind(done);
    }

    private void select(MInst.Select m) {
        compare(m.cmp());
        Gpr d = g(m.dst());
        int size = Math.max(4, m.size());
        if (op(m.ifTrue()).is(d.enc())) {
            cmov(m.cmp().cc().invert(), size, d, m.ifFalse());
        } else {
            movIn(d, m.ifFalse());
            cmov(m.cmp().cc(), size, d, m.ifTrue());
        }
    }

    private void ovf(MInst.Ovf m) {
        int a = f.swapped ? m.b() : m.a(), b = f.swapped ? m.a() : m.b();
        Gpr d = g(m.dst());
        movIn(d, a);
        if (m.op() == null) imul(m.size(), d, b);
        else alu(m.op(), m.size(), d, b);
        if (m.trap() != null) {
            conditionalTrap(m.cc(), m.trap());
            return;
        }
        Gpr fl = g(m.flag());
        asm.setcc(m.cc(), fl);
        asm.movzx(1, 4, fl, fl);
    }

    private void bitcount(MInst.BitCount m) {
        Gpr src = g(m.a());
        Gpr d = g(m.dst());
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

    /** The arguments are in place and the results are moved out by edits; this is the call itself. */
    private void call(MInst.Call m) {
        Abi.ArgLocs locs = Abi.argLocs(m.sig());
        if (locs.retArea != null) asm.lea(8, locs.retArea, Mem.base(RSP, locs.stackBytes));
        if (m.target() >= 0) {
            asm.call(Gpr.RAX);
        } else {
            callSym(m.inModule() ? fnSymbol(m.callee()) : importSymbol(m.callee()));
        }
        buf.addCallReturn(m.callee());
    }

    private void brTable(MInst.BrTable m) {
        int n = m.targets().length - 1;
        Gpr idx = g(m.index());
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
