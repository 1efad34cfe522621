/*
 * Linear-scan register allocation (Poletto & Sarkar) over SSA live intervals.
 *
 * Instructions are numbered in linear order; instruction i reads its operands at position
 * 2i and writes its results at 2i+1, so a value that dies at i can share a register with
 * a value that i defines. Liveness comes from a backward dataflow over the block graph;
 * each virtual register gets one interval [first def, last use], extended to the start of
 * every block it is live into and to the end of every block it is live out of (so loops
 * keep their values for the whole loop).
 *
 * Fixed-register needs are clobbers: an instruction clobbers a set of physical registers
 * early (before it reads its operands) or late (after). An interval may not take a register
 * that is clobbered strictly inside it; this is how values live across a call end up in
 * callee-saved registers, and why division operands avoid rdx:rax.
 *
 * When no register is free, the interval that ends furthest away is spilled for its whole
 * lifetime, and its stack slot is reused once it expires. Hints (a preferred register, or
 * the register of a related value such as a copy source or a block argument) are tried
 * first, which removes most moves at block edges and around calls.
 */
package dev.patchbay.codegen.regalloc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Linear-scan register allocation over SSA live intervals, with fixed-register clobbers; it spills
 * only under register pressure.
 */
public final class LinearScan {
    /** What the allocator needs to know about the code. Positions are instruction indices. */
    public interface Input {
        int numVregs();

        int numInsts();

        int[] uses(int inst);

        int[] defs(int inst);

        long earlyClobbers(int inst);

        long lateClobbers(int inst);

        int numBlocks();

        /** First instruction of the block in linear order, and one past its last. */
        int blockFirst(int block);

        int blockEnd(int block);

        int[] succs(int block);

        /** Values defined on entry to the block (its parameters). */
        int[] blockParams(int block);

        /** Preferred register for v, or -1. */
        int hintReg(int v);

        /** A value whose register v would like to share, or -1. */
        int hintVreg(int v);
    }

    /** The result: per vreg a register number (>= 0), a spill slot (-1 - slot), or UNUSED. */
    public static final class Result {
        public static final int UNUSED = Integer.MIN_VALUE;
        public final int[] loc;
        public final int numSpillSlots;
        /** Bitmask of registers assigned to anything. */
        public final long usedRegs;

        Result(int[] loc, int numSpillSlots, long usedRegs) {
            this.loc = loc;
            this.numSpillSlots = numSpillSlots;
            this.usedRegs = usedRegs;
        }

        public boolean isReg(int v) { return loc[v] >= 0; }

        public int spillSlot(int v) { return -1 - loc[v]; }
    }

    private final Input in;
    private final int[] allocatable;
    private final int nv;
    private final int[] start;
    private final int[] end;
    /** Sorted clobber positions per physical register. */
    private final int[][] clobbers = new int[16][];

    private LinearScan(Input in, int[] allocatable) {
        this.in = in;
        this.allocatable = allocatable;
        this.nv = in.numVregs();
        this.start = new int[nv];
        this.end = new int[nv];
    }

    /** Allocates registers from `allocatable` (register numbers in preference order). */
    public static Result allocate(Input in, int[] allocatable) {
        return new LinearScan(in, allocatable).run();
    }

    private Result run() {
        buildIntervals();
        buildClobbers();
        return scan();
    }

    // ---- liveness and intervals ----

    /**
     * Liveness without per-block sets: a value is live into a block if a use of it can be
     * reached from the block's start without passing a definition. So start at each block's
     * upward-exposed uses and walk the predecessors backwards, stopping at blocks that
     * define the value, extending the value's interval over every block passed (live-in:
     * from the block's start; live-out: the whole block). This is what the classic dataflow
     * over live-in/live-out sets computes, but memory is proportional to the code, not to
     * blocks x vregs (which put a 100k-instruction function of 10k blocks out of memory).
     */
    private void buildIntervals() {
        int nb = in.numBlocks();
        Arrays.fill(start, Integer.MAX_VALUE);
        Arrays.fill(end, Integer.MIN_VALUE);
        // Predecessors.
        int[] npred = new int[nb];
        for (int b = 0; b < nb; b++) for (int s : in.succs(b)) npred[s]++;
        int[][] preds = new int[nb][];
        for (int b = 0; b < nb; b++) preds[b] = new int[npred[b]];
        Arrays.fill(npred, 0);
        for (int b = 0; b < nb; b++) for (int s : in.succs(b)) preds[s][npred[s]++] = b;
        // Per block: the values it defines (sorted, for lookups) and its upward-exposed uses,
        // found with one scratch array of stamps (stamp == block + 1: "used, no def below yet").
        int[][] kills = new int[nb][];
        int[] stamp = new int[nv];
        long[] exposed = new long[16];
        int nexposed = 0;
        int[] candidates = new int[16];
        for (int b = 0; b < nb; b++) {
            int tag = b + 1, ncand = 0, nkill = 0;
            int[] kill = new int[8];
            for (int i = in.blockEnd(b) - 1; i >= in.blockFirst(b); i--) {
                for (int d : in.defs(i)) {
                    if (nkill == kill.length) kill = Arrays.copyOf(kill, nkill * 2);
                    kill[nkill++] = d;
                    if (stamp[d] == tag) stamp[d] = 0;
                }
                for (int u : in.uses(i)) {
                    if (stamp[u] != tag) {
                        stamp[u] = tag;
                        if (ncand == candidates.length) candidates = Arrays.copyOf(candidates, ncand * 2);
                        candidates[ncand++] = u;
                    }
                }
            }
            for (int p : in.blockParams(b)) {
                if (nkill == kill.length) kill = Arrays.copyOf(kill, nkill * 2);
                kill[nkill++] = p;
                if (stamp[p] == tag) stamp[p] = 0;
            }
            kill = Arrays.copyOf(kill, nkill);
            Arrays.sort(kill);
            kills[b] = kill;
            for (int k = 0; k < ncand; k++) {
                int v = candidates[k];
                if (stamp[v] != tag) continue;
                stamp[v] = -tag; // listed once
                if (nexposed == exposed.length) exposed = Arrays.copyOf(exposed, nexposed * 2);
                exposed[nexposed++] = (long) v << 32 | b;
            }
        }
        // Walk backwards from the exposed uses, one value at a time.
        Arrays.sort(exposed, 0, nexposed);
        int[] liveInMark = new int[nb], liveOutMark = new int[nb];
        int[] work = new int[16];
        for (int k = 0; k < nexposed; k++) {
            int v = (int) (exposed[k] >>> 32), b = (int) exposed[k], mark = v + 1;
            int top = 0;
            work[top++] = b;
            while (top > 0) {
                int x = work[--top];
                if (liveInMark[x] == mark) continue;
                liveInMark[x] = mark;
                extend(v, 2 * in.blockFirst(x));
                for (int p : preds[x]) {
                    if (liveOutMark[p] != mark) {
                        // Live out of p: live to its end. Not from its start: if p does not
                        // define v, v is live into p as well and the walk reaches p's start
                        // below; if it does, the interval reaches back to that definition.
                        // (Extending over all of p made a value defined late in a loop's
                        // last block overlap the parameters it replaces, so the back edge
                        // could not reuse their registers and needed moves.)
                        liveOutMark[p] = mark;
                        extend(v, 2 * in.blockEnd(p) - 1);
                    }
                    if (liveInMark[p] != mark && Arrays.binarySearch(kills[p], v) < 0) {
                        if (top == work.length) work = Arrays.copyOf(work, top * 2);
                        work[top++] = p;
                    }
                }
            }
        }
        for (int b = 0; b < nb; b++) {
            for (int p : in.blockParams(b)) extend(p, 2 * in.blockFirst(b));
            for (int i = in.blockFirst(b); i < in.blockEnd(b); i++) {
                for (int u : in.uses(i)) extend(u, 2 * i);
                for (int d : in.defs(i)) extend(d, 2 * i + 1);
            }
        }
    }

    private void extend(int v, int pos) {
        if (pos < start[v]) start[v] = pos;
        if (pos > end[v]) end[v] = pos;
    }

    private void buildClobbers() {
        List<List<Integer>> lists = new ArrayList<>();
        for (int r = 0; r < 16; r++) lists.add(new ArrayList<>());
        for (int i = 0; i < in.numInsts(); i++) {
            long early = in.earlyClobbers(i), late = in.lateClobbers(i);
            for (int r = 0; r < 16; r++) {
                if ((early & (1L << r)) != 0) lists.get(r).add(2 * i);
                if ((late & (1L << r)) != 0) lists.get(r).add(2 * i + 1);
            }
        }
        for (int r = 0; r < 16; r++) clobbers[r] = lists.get(r).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * True if register r is clobbered while an interval [s, e] is live. An interval that
     * starts at a definition (odd s = 2i+1) may share its register with a late clobber of
     * its defining instruction (a call's result in rax), so only clobbers after s count.
     * An interval that starts at a block's first position (even s: a block parameter, or a
     * value live into the block) is live before that block's first instruction runs, so
     * that instruction's early clobbers at s count too.
     */
    private boolean clobbered(int r, int s, int e) {
        int from = (s & 1) == 0 ? s : s + 1;
        int[] c = clobbers[r];
        int idx = Arrays.binarySearch(c, from);
        if (idx < 0) idx = -idx - 1;
        while (idx > 0 && c[idx - 1] >= from) idx--;
        return idx < c.length && c[idx] <= e;
    }

    // ---- the scan ----

    private Result scan() {
        int[] loc = new int[nv];
        Arrays.fill(loc, Result.UNUSED);
        Integer[] order = new Integer[nv];
        int n = 0;
        for (int v = 0; v < nv; v++) if (start[v] != Integer.MAX_VALUE) order[n++] = v;
        Integer[] live = Arrays.copyOf(order, n);
        Arrays.sort(live, (x, y) -> start[x] != start[y] ? Integer.compare(start[x], start[y]) : Integer.compare(x, y));

        PriorityQueue<Integer> active = new PriorityQueue<>((x, y) -> Integer.compare(end[x], end[y]));
        PriorityQueue<Integer> activeSpills = new PriorityQueue<>((x, y) -> Integer.compare(end[x], end[y]));
        int[] regOwner = new int[16];
        Arrays.fill(regOwner, -1);
        List<Integer> freeSlots = new ArrayList<>();
        int numSlots = 0;
        long used = 0;

        for (int cur : live) {
            int s = start[cur], e = end[cur];
            while (!active.isEmpty() && end[active.peek()] < s) {
                int v = active.poll();
                regOwner[loc[v]] = -1;
            }
            while (!activeSpills.isEmpty() && end[activeSpills.peek()] < s) {
                freeSlots.add(-1 - loc[activeSpills.poll()]);
            }
            int reg = pickFree(cur, s, e, regOwner, loc);
            if (reg >= 0) {
                loc[cur] = reg;
                regOwner[reg] = cur;
                active.add(cur);
                used |= 1L << reg;
                continue;
            }
            // Spill whichever of cur and the active intervals ends last, among those whose
            // register cur could use.
            int victim = -1;
            for (int v : active) {
                int r = loc[v];
                if (clobbered(r, s, e)) continue;
                if (victim < 0 || end[v] > end[victim]) victim = v;
            }
            if (victim >= 0 && end[victim] > e) {
                // The victim's whole interval moves to the stack, including the part before
                // `s`, so it needs a slot nobody used during that part: a fresh one.
                int slot = numSlots++;
                int r = loc[victim];
                active.remove(victim);
                loc[victim] = -1 - slot;
                activeSpills.add(victim);
                loc[cur] = r;
                regOwner[r] = cur;
                active.add(cur);
            } else {
                int slot = freeSlots.isEmpty() ? numSlots++ : freeSlots.remove(freeSlots.size() - 1);
                loc[cur] = -1 - slot;
                activeSpills.add(cur);
            }
        }
        return new Result(loc, numSlots, used);
    }

    private int pickFree(int cur, int s, int e, int[] regOwner, int[] loc) {
        int h = in.hintReg(cur);
        if (usable(h, s, e, regOwner)) return h;
        int hv = in.hintVreg(cur);
        if (hv >= 0 && hv < nv && loc[hv] >= 0 && usable(loc[hv], s, e, regOwner)) return loc[hv];
        for (int r : allocatable) if (usable(r, s, e, regOwner)) return r;
        return -1;
    }

    private boolean usable(int r, int s, int e, int[] regOwner) {
        if (r < 0) return false;
        boolean ok = false;
        for (int a : allocatable) if (a == r) ok = true;
        return ok && regOwner[r] < 0 && !clobbered(r, s, e);
    }

    /** For tests and debugging: the live interval of v as [start, end] positions, or null. */
    public static int[] interval(Input in, int v) {
        LinearScan ls = new LinearScan(in, new int[0]);
        ls.buildIntervals();
        return ls.start[v] == Integer.MAX_VALUE ? null : new int[] {ls.start[v], ls.end[v]};
    }
}
