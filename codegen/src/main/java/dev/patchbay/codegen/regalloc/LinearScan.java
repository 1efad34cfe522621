/*
 * Linear-scan register allocation over SSA live intervals with lifetime holes (Poletto and
 * Sarkar's scan; holes as in Wimmer and Mössenböck).
 *
 * Instructions are numbered in linear order; instruction i reads its operands at position
 * 2i and writes its results at 2i+1, so a value that dies at i can share a register with
 * a value that i defines. Liveness (Liveness, LiveIntervals) gives each virtual register a
 * sorted list of ranges: where it is live, block by block, with holes where it is dead in
 * between (a value computed in a loop header and used after the loop is dead in the body
 * laid out between them). Two vregs may share a register when their ranges never meet, so
 * values in the body can use the register inside the other's hole.
 *
 * Each vreg keeps one location for its whole life (no splitting): a register, or a stack
 * slot. The Rewrite relies on that (LinearScan.Result).
 *
 * Registers come in two classes of sixteen numbers each (Input.regClass): 0..15 are the
 * GPRs, 16..31 the XMM registers. A vreg is only given registers of its own class, hints
 * of the other class are ignored, and clobber masks cover both (a call clobbers every XMM
 * register). Spill slots are 8 bytes and shared by both classes.
 *
 * Fixed-register needs are clobbers: an instruction clobbers a set of physical registers
 * early (before it reads its operands) or late (after). An interval may not take a register
 * that is clobbered strictly inside one of its ranges; this is how values live across a
 * call end up in callee-saved registers, and why division operands avoid rdx:rax. A
 * clobber inside a hole does not count.
 *
 * When no register is free, something goes to the stack for its whole life, and what goes
 * is what costs least there. A vreg's spill cost is the sum, over the instructions that
 * define or use it, of how often they run: 8^depth, depth being the number of loops around
 * the instruction's block (counted from the backward edges of the layout, each spanning
 * the blocks from its target to its source; the layout puts a loop's blocks between its
 * header and its latches), capped at 8^5. The allocator evicts the register whose
 * conflicting intervals cost least together, if that is less than the current interval's
 * cost (ties go to the register whose conflicting intervals end furthest away, Poletto's
 * rule, as do all choices in loop-free code with equal use counts), moving them to the
 * stack (each to a fresh slot: its life began before now, so a reused slot could still be
 * in use there); otherwise the current interval goes to the stack, in a slot whose previous
 * owners have all ended. Furthest-end alone spilled a Wasm function's heap base, live from
 * entry to exit and used at every load in the innermost loop, in favour of the loop's own
 * temporaries: a reload per access. By cost, a loop counter of the outermost loop goes
 * instead (SpillCostTest). Slots are shared by time only,
 * never through holes. Hints (a preferred register, or the register of a related value such
 * as a copy source or a block argument) are tried first, which removes most moves at block
 * edges and around calls.
 *
 * Invariants (checked on random programs by LinearScanTest against a reference liveness):
 *  1. two vregs live at the same position have different locations;
 *  2. no vreg is in a register that an instruction clobbers while the vreg is live across
 *     it (early: live at the read; late: live after it, except the instruction's own
 *     results);
 *  3. every vreg that is defined or used has a location.
 */
package dev.patchbay.codegen.regalloc;

import java.util.Arrays;

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

        /**
         * Every block control can go to from this one. With lifetime holes a missing edge is
         * a miscompile, not a lost optimisation: values live only along it would be dead.
         */
        int[] succs(int block);

        /** Values defined on entry to the block (its parameters). */
        int[] blockParams(int block);

        /** Preferred register for v, or -1. */
        int hintReg(int v);

        /** A value whose register v would like to share, or -1. */
        int hintVreg(int v);

        /**
         * v's register class: 0 takes registers 0..15 (the GPRs), 1 takes 16..31 (the XMM
         * registers). A vreg only ever gets a register of its class; spill slots are shared.
         */
        default int regClass(int v) { return 0; }
    }

    /**
     * The result: per vreg a register number (>= 0), a spill slot (-1 - slot), or UNUSED, the
     * same for the vreg's whole life. The location holds the vreg wherever it is live; in its
     * holes another vreg may be there (invariant 1 in the file's header).
     */
    public static final class Result {
        public static final int UNUSED = Integer.MIN_VALUE;
        public final int[] loc;
        public final int numSpillSlots;
        /** Bitmask of registers assigned to anything. */
        public final long usedRegs;

        /** The intervals the locations were chosen by; what debug value ranges come from. */
        private final LiveIntervals intervals;

        Result(int[] loc, int numSpillSlots, long usedRegs, LiveIntervals intervals) {
            this.loc = loc;
            this.numSpillSlots = numSpillSlots;
            this.usedRegs = usedRegs;
            this.intervals = intervals;
        }

        /**
         * Where vreg v holds its value, as closed position ranges [s0, e0, s1, e1, ...]
         * (instruction i reads at 2i, writes at 2i + 1): outside them its location may
         * hold another vreg (a hole) or nothing yet.
         */
        public int[] liveRanges(int v) { return v < intervals.numVregs() ? intervals.ranges(v) : new int[0]; }

        public boolean isReg(int v) { return loc[v] >= 0; }

        public int spillSlot(int v) { return -1 - loc[v]; }
    }

    private final Input in;
    private final int[] allocatable;
    private final long allocatableMask;
    private final int nv;
    private final LiveIntervals iv;
    /** Per vreg, what keeping it on the stack costs (see the file comment). */
    private final long[] spillCost;
    /** Per block of the layout, the number of loops around it. */
    private final int[] loopDepth;
    /** The cap on loop depth in spill costs: 8^5 already makes one use in the loop outweigh any count outside. */
    static final int MAX_COST_DEPTH = 5;
    /** Sorted clobber positions per physical register. */
    private final int[][] clobbers = new int[NUM_REGS][];
    /** Register numbers 0..31: two classes of sixteen (see Input.regClass). */
    static final int NUM_REGS = 32;
    private static final long REG_BITS = 0xFFFF_FFFFL;

    private LinearScan(Input in, int[] allocatable) {
        this.in = in;
        this.allocatable = allocatable;
        long m = 0;
        for (int r : allocatable) m |= 1L << r;
        this.allocatableMask = m;
        this.nv = in.numVregs();
        this.iv = Liveness.compute(in);
        this.loopDepth = loopDepths(in);
        this.spillCost = spillCosts(in, loopDepth);
    }

    /**
     * The number of loops around each block: backward edges (to a block at or before the
     * source in the layout) each add one to the blocks they span, target through source.
     */
    static int[] loopDepths(Input in) {
        int nb = in.numBlocks();
        int[] delta = new int[nb + 1];
        for (int b = 0; b < nb; b++) {
            for (int t : in.succs(b)) {
                if (t <= b) {
                    delta[t]++;
                    delta[b + 1]--;
                }
            }
        }
        int[] depth = new int[nb];
        for (int b = 0, d = 0; b < nb; b++) depth[b] = d += delta[b];
        return depth;
    }

    /** Per vreg, the sum over its defining and using instructions of 8^depth (depth capped). */
    static long[] spillCosts(Input in, int[] loopDepth) {
        long[] cost = new long[in.numVregs()];
        for (int b = 0; b < in.numBlocks(); b++) {
            long w = 1L << 3 * Math.min(loopDepth[b], MAX_COST_DEPTH);
            for (int i = in.blockFirst(b), end = in.blockEnd(b); i < end; i++) {
                for (int v : in.uses(i)) if (v >= 0 && v < cost.length) cost[v] += w;
                for (int v : in.defs(i)) if (v >= 0 && v < cost.length) cost[v] += w;
            }
        }
        return cost;
    }

    /** For tests: each vreg's spill cost. */
    public static long[] spillCosts(Input in) { return spillCosts(in, loopDepths(in)); }

    /** Allocates registers from `allocatable` (register numbers in preference order). */
    public static Result allocate(Input in, int[] allocatable) {
        LinearScan ls = new LinearScan(in, allocatable);
        ls.buildClobbers();
        return ls.scan();
    }

    private void buildClobbers() {
        // One pass gathers the instructions that clobber anything (most clobber nothing, so
        // copies of every mask were megabytes), a second lays them out per register.
        int n = in.numInsts(), m = 0;
        int[] at = new int[16];
        long[] early = new long[16], late = new long[16];
        int[] count = new int[NUM_REGS];
        for (int i = 0; i < n; i++) {
            long e = in.earlyClobbers(i) & REG_BITS, l = in.lateClobbers(i) & REG_BITS;
            if ((e | l) == 0) continue;
            if (m == at.length) {
                at = Arrays.copyOf(at, 2 * m);
                early = Arrays.copyOf(early, 2 * m);
                late = Arrays.copyOf(late, 2 * m);
            }
            at[m] = i;
            early[m] = e;
            late[m++] = l;
            for (long x = e; x != 0; x &= x - 1) count[Long.numberOfTrailingZeros(x)]++;
            for (long x = l; x != 0; x &= x - 1) count[Long.numberOfTrailingZeros(x)]++;
        }
        for (int r = 0; r < NUM_REGS; r++) clobbers[r] = new int[count[r]];
        Arrays.fill(count, 0);
        // Positions come out sorted: i ascending, early (2i) before late (2i+1).
        for (int k = 0; k < m; k++) {
            for (long x = early[k]; x != 0; x &= x - 1) {
                int r = Long.numberOfTrailingZeros(x);
                clobbers[r][count[r]++] = 2 * at[k];
            }
            for (long x = late[k]; x != 0; x &= x - 1) {
                int r = Long.numberOfTrailingZeros(x);
                clobbers[r][count[r]++] = 2 * at[k] + 1;
            }
        }
    }

    /**
     * True if register r is clobbered while v is live. A range that starts at a definition
     * (odd s = 2i+1) may share its register with a late clobber of its defining instruction
     * (a call's result in rax), so only clobbers after s count. A range that starts at a
     * block's first position (even s: a block parameter, or a value live into the block) is
     * live before that block's first instruction runs, so that instruction's early clobbers
     * at s count too.
     */
    private boolean clobbered(int r, int v) {
        int[] c = clobbers[r];
        int k = lowerBound(c, iv.start(v));
        if (k == c.length || c[k] > iv.end(v)) return false;
        for (int q = 0, n = iv.numRanges(v); q < n; q++) {
            int s = iv.rangeStart(v, q), e = iv.rangeEnd(v, q);
            k = lowerBound(c, (s & 1) == 0 ? s : s + 1);
            if (k == c.length) return false;
            if (c[k] <= e) return true;
        }
        return false;
    }

    /** Index of the first element >= x in a sorted array. */
    private static int lowerBound(int[] a, int x) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // ---- the scan ----

    /** The vregs in a register that have not ended yet, per register. */
    private final int[][] onReg = new int[NUM_REGS][];
    private final int[] onRegCount = new int[NUM_REGS];

    private Result scan() {
        int[] loc = new int[nv];
        Arrays.fill(loc, Result.UNUSED);
        // One positions-sized array serves byStart's counts, then the slot lists (slotsEnding).
        slotsEnding = new int[2 * in.numInsts() + 3];
        int[] order = byStart(slotsEnding);
        for (int r = 0; r < NUM_REGS; r++) onReg[r] = new int[4];
        Arrays.fill(onRegMinEnd, Integer.MAX_VALUE);
        // Occupied slots by the position where their owner ends (slotsEnding), and the slots
        // whose owners have all ended (freeSlots, reused last-freed first).
        Arrays.fill(slotsEnding, -1);
        int[] freeSlots = new int[16];
        int nfree = 0, numSlots = 0;
        long used = 0;

        for (int cur : order) {
            int s = iv.start(cur), e = iv.end(cur);
            now = s;
            // Free the slots of owners that ended before s: by end, then by slot number.
            for (; freedBelow < s; freedBelow++) {
                int from = nfree;
                for (int slot = slotsEnding[freedBelow]; slot >= 0; slot = nextEnding[slot]) {
                    if (nfree == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, nfree * 2);
                    freeSlots[nfree++] = slot;
                }
                sortSmall(freeSlots, from, nfree);
            }
            int reg = pickFree(cur, loc);
            if (reg >= 0) {
                assign(cur, reg, loc);
                used |= 1L << reg;
                continue;
            }
            // Evict the register whose conflicting intervals cost least on the stack, ties to
            // the one whose nearest conflicting end is furthest away, if that is cheaper than
            // spilling cur (or as cheap, and they all outlive cur).
            int best = -1, bestEnd = -1;
            long bestCost = Long.MAX_VALUE;
            int cls = in.regClass(cur);
            for (int r : allocatable) {
                if (r >> 4 != cls || clobbered(r, cur)) continue;
                int nearest = Integer.MAX_VALUE;
                long c = 0;
                for (int k = 0; k < onRegCount[r]; k++) {
                    int v = onReg[r][k];
                    if (iv.intersects(v, cur)) {
                        nearest = Math.min(nearest, iv.end(v));
                        c += spillCost[v];
                    }
                }
                if (c < bestCost || c == bestCost && nearest > bestEnd) {
                    best = r;
                    bestEnd = nearest;
                    bestCost = c;
                }
            }
            if (best >= 0 && (bestCost < spillCost[cur] || bestCost == spillCost[cur] && bestEnd > e)) {
                int[] list = onReg[best];
                for (int k = 0; k < onRegCount[best]; k++) {
                    int v = list[k];
                    if (!iv.intersects(v, cur)) continue;
                    int slot = numSlots++;
                    loc[v] = -1 - slot;
                    occupy(slot, iv.end(v));
                    list[k--] = list[--onRegCount[best]];
                }
                assign(cur, best, loc);
                used |= 1L << best;
            } else {
                int slot = nfree > 0 ? freeSlots[--nfree] : numSlots++;
                loc[cur] = -1 - slot;
                occupy(slot, e);
            }
        }
        return new Result(loc, numSlots, used, iv);
    }

    /**
     * The occupied spill slots as a list per position where the owner's life ends
     * (slotsEnding[p], linked through nextEnding; -1 ends a list). The scan meets starts in
     * ascending order, so it empties the lists once each, front to back (freedBelow: every
     * list below it is empty): linear, where a heap of (end, slot) cost a log factor and a
     * cache miss per level on every spill, a fifth of a large function's scan.
     */
    private int[] slotsEnding, nextEnding = new int[16];
    private int freedBelow;

    /** Sorts a[from..to), usually a few elements: insertion sort, Arrays.sort past 16. */
    private static void sortSmall(int[] a, int from, int to) {
        if (to - from > 16) {
            Arrays.sort(a, from, to);
            return;
        }
        for (int i = from + 1; i < to; i++) {
            int x = a[i], j = i - 1;
            while (j >= from && a[j] > x) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    private void occupy(int slot, int end) {
        if (slot >= nextEnding.length) nextEnding = Arrays.copyOf(nextEnding, Math.max(slot + 1, 2 * nextEnding.length));
        nextEnding[slot] = slotsEnding[end];
        slotsEnding[end] = slot;
    }

    /** The live vregs by start position, then number: a counting sort over positions. */
    private int[] byStart(int[] count) {
        int positions = 2 * in.numInsts() + 2, n = 0;
        Arrays.fill(count, 0);
        for (int v = 0; v < nv; v++) {
            if (!iv.isLive(v)) continue;
            count[iv.start(v) + 1]++;
            n++;
        }
        for (int p = 0; p < positions; p++) count[p + 1] += count[p];
        int[] order = new int[n];
        for (int v = 0; v < nv; v++) if (iv.isLive(v)) order[count[iv.start(v)]++] = v;
        return order;
    }

    private void assign(int v, int r, int[] loc) {
        loc[v] = r;
        onRegMinEnd[r] = Math.min(onRegMinEnd[r], iv.end(v));
        if (onRegCount[r] == onReg[r].length) onReg[r] = Arrays.copyOf(onReg[r], onRegCount[r] * 2);
        onReg[r][onRegCount[r]++] = v;
    }

    /** The start of the interval being allocated: r's vregs that end before it are dropped as they are met. */
    private int now;

    /** Per register: the smallest end among its list, so that expire() scans only when one has ended. */
    private final int[] onRegMinEnd = new int[NUM_REGS];

    /** Drops from r's list the vregs that end before `now`. */
    private void expire(int r) {
        if (onRegMinEnd[r] >= now) return;
        int[] list = onReg[r];
        int min = Integer.MAX_VALUE;
        for (int k = 0; k < onRegCount[r]; k++) {
            int e = iv.end(list[k]);
            if (e < now) list[k--] = list[--onRegCount[r]];
            else min = Math.min(min, e);
        }
        onRegMinEnd[r] = min;
    }

    private int pickFree(int cur, int[] loc) {
        int h = in.hintReg(cur);
        if (usable(h, cur)) return h;
        int hv = in.hintVreg(cur);
        if (hv >= 0 && hv < nv && loc[hv] >= 0 && usable(loc[hv], cur)) return loc[hv];
        for (int r : allocatable) if (usable(r, cur)) return r;
        return -1;
    }

    private boolean usable(int r, int cur) {
        if (r < 0 || r >= NUM_REGS || (allocatableMask & 1L << r) == 0 || r >> 4 != in.regClass(cur)) return false;
        expire(r);
        if (clobbered(r, cur)) return false;
        for (int k = 0; k < onRegCount[r]; k++) if (iv.intersects(onReg[r][k], cur)) return false;
        return true;
    }

    /** For tests and debugging: the first and last position where v is live, or null. */
    public static int[] interval(Input in, int v) {
        LiveIntervals iv = Liveness.compute(in);
        return iv.isLive(v) ? new int[] {iv.start(v), iv.end(v)} : null;
    }

    /** For tests and debugging: v's live ranges as [s0, e0, s1, e1, ...], empty if it is never live. */
    public static int[] ranges(Input in, int v) { return Liveness.compute(in).ranges(v); }
}
