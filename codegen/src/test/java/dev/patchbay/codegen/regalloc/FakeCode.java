/*
 * Allocator input written by hand or at random, with a reference liveness (one BitSet per
 * block, iterated to a fixpoint: slow and obviously right) and a checker of the allocator's
 * invariants against it. Tests only.
 */
package dev.patchbay.codegen.regalloc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

final class FakeCode implements LinearScan.Input {
    final List<int[]> uses = new ArrayList<>(), defs = new ArrayList<>();
    final List<long[]> clobbers = new ArrayList<>();
    final List<int[]> blockParams = new ArrayList<>(), succs = new ArrayList<>();
    final List<Integer> firsts = new ArrayList<>(), ends = new ArrayList<>();
    int numVregs;
    int[] hintReg = new int[0], hintVreg = new int[0];
    /** Per vreg its register class (see LinearScan.Input.regClass); null: every vreg is class 0. */
    int[] regClass;

    /** Starts a block with these parameters; returns its index. */
    int block(int... params) {
        if (!firsts.isEmpty()) ends.set(ends.size() - 1, uses.size());
        firsts.add(uses.size());
        ends.add(uses.size());
        blockParams.add(params);
        succs.add(new int[0]);
        for (int p : params) vreg(p);
        return firsts.size() - 1;
    }

    FakeCode inst(int[] u, int[] d) { return inst(u, d, 0, 0); }

    FakeCode inst(int[] u, int[] d, long early, long late) {
        uses.add(u);
        defs.add(d);
        clobbers.add(new long[] {early, late});
        ends.set(ends.size() - 1, uses.size());
        for (int v : u) vreg(v);
        for (int v : d) vreg(v);
        return this;
    }

    /** Sets the successors of the current (last) block. */
    FakeCode to(int... s) {
        succs.set(succs.size() - 1, s);
        return this;
    }

    private void vreg(int v) {
        if (v >= numVregs) numVregs = v + 1;
    }

    static int[] v(int... vs) { return vs; }

    @Override public int numVregs() { return numVregs; }

    @Override public int numInsts() { return uses.size(); }

    @Override public int[] uses(int inst) { return uses.get(inst); }

    @Override public int[] defs(int inst) { return defs.get(inst); }

    @Override public long earlyClobbers(int inst) { return clobbers.get(inst)[0]; }

    @Override public long lateClobbers(int inst) { return clobbers.get(inst)[1]; }

    @Override public int numBlocks() { return firsts.size(); }

    @Override public int blockFirst(int block) { return firsts.get(block); }

    @Override public int blockEnd(int block) { return ends.get(block); }

    @Override public int[] succs(int block) { return succs.get(block); }

    @Override public int[] blockParams(int block) { return blockParams.get(block); }

    @Override public int hintReg(int v) { return v < hintReg.length ? hintReg[v] : -1; }

    @Override public int hintVreg(int v) { return v < hintVreg.length ? hintVreg[v] : -1; }

    @Override public int regClass(int v) { return regClass == null || v >= regClass.length ? 0 : regClass[v]; }

    /**
     * A random program over two register classes: each vreg is class 0 or 1, clobbers and
     * register hints fall in either class's numbers (0..7 and 16..23).
     */
    static FakeCode randomTwoClasses(long seed, int maxBlocks, int maxVregs) {
        FakeCode c = random(seed, maxBlocks, maxVregs);
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        c.regClass = new int[c.numVregs];
        for (int v = 0; v < c.numVregs; v++) {
            c.regClass[v] = r.nextInt(2);
            if (r.nextInt(3) == 0) c.hintReg[v] = r.nextInt(8) + (r.nextBoolean() ? 16 : 0);
        }
        for (long[] cl : c.clobbers) {
            cl[0] |= (cl[0] & 0xFF) << 16;
            cl[1] |= (r.nextInt(4) == 0 ? r.nextLong() & 0xFF : 0) << 16;
        }
        return c;
    }

    /**
     * A random program: blocks with random successors (loops and irreducible flow included),
     * instructions that use and define random vregs (not SSA: the allocator must not need it),
     * some clobbers and hints.
     */
    static FakeCode random(long seed, int maxBlocks, int maxVregs) {
        SplittableRandom r = new SplittableRandom(seed);
        FakeCode c = new FakeCode();
        int nb = 1 + r.nextInt(maxBlocks), nv = 1 + r.nextInt(maxVregs);
        for (int b = 0; b < nb; b++) {
            c.block(r.nextInt(4) == 0 ? distinct(r, nv, 1 + r.nextInt(2)) : new int[0]);
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                long early = r.nextInt(8) == 0 ? r.nextLong() & 0xFF : 0, late = r.nextInt(8) == 0 ? r.nextLong() & 0xFF : 0;
                c.inst(random(r, nv, r.nextInt(4)), distinct(r, nv, r.nextInt(3)), early, late);
            }
            int ns = r.nextInt(3);
            int[] s = new int[ns];
            for (int k = 0; k < ns; k++) s[k] = r.nextInt(nb);
            c.to(ns == 2 && s[0] == s[1] ? new int[] {s[0]} : s);
        }
        c.numVregs = Math.max(c.numVregs, nv);
        c.hintReg = new int[c.numVregs];
        c.hintVreg = new int[c.numVregs];
        for (int v = 0; v < c.numVregs; v++) {
            c.hintReg[v] = r.nextInt(3) == 0 ? r.nextInt(8) : -1;
            c.hintVreg[v] = r.nextInt(3) == 0 ? r.nextInt(c.numVregs) : -1;
        }
        return c;
    }

    private static int[] random(SplittableRandom r, int nv, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(nv);
        return a;
    }

    private static int[] distinct(SplittableRandom r, int nv, int n) {
        return r.ints(0, nv).distinct().limit(Math.min(n, nv)).toArray();
    }

    // ---- reference liveness ----

    /** Per instruction: the vregs live just before it (read point) and just after it. */
    BitSet[] liveBefore, liveAfter;
    /** Per block: live into it (from its predecessors) and out of it. */
    BitSet[] liveIn, liveOut;

    void referenceLiveness() {
        int nb = numBlocks(), ni = numInsts();
        liveIn = new BitSet[nb];
        liveOut = new BitSet[nb];
        liveBefore = new BitSet[ni];
        liveAfter = new BitSet[ni];
        for (int b = 0; b < nb; b++) {
            liveIn[b] = new BitSet();
            liveOut[b] = new BitSet();
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = nb - 1; b >= 0; b--) {
                BitSet live = new BitSet();
                for (int s : succs(b)) live.or(liveIn[s]);
                liveOut[b] = (BitSet) live.clone();
                for (int i = blockEnd(b) - 1; i >= blockFirst(b); i--) {
                    liveAfter[i] = (BitSet) live.clone();
                    for (int d : defs(i)) live.clear(d);
                    for (int u : uses(i)) live.set(u);
                    liveBefore[i] = (BitSet) live.clone();
                }
                for (int p : blockParams(b)) live.clear(p);
                if (!live.equals(liveIn[b])) {
                    liveIn[b] = live;
                    changed = true;
                }
            }
        }
    }

    /** Throws if the allocation breaks one of LinearScan's invariants. */
    void check(LinearScan.Result res) {
        referenceLiveness();
        int[] loc = res.loc;
        for (int i = 0; i < numInsts(); i++) {
            for (int v : uses(i)) located(loc, v, "used at " + i);
            for (int v : defs(i)) located(loc, v, "defined at " + i);
            distinct(loc, liveBefore[i], "before inst " + i);
            BitSet after = (BitSet) liveAfter[i].clone();
            for (int d : defs(i)) after.set(d);
            distinct(loc, after, "after inst " + i);
            BitSet through = (BitSet) liveAfter[i].clone();
            for (int d : defs(i)) through.clear(d);
            clobber(loc, liveBefore[i], earlyClobbers(i), "early clobber at " + i);
            clobber(loc, through, lateClobbers(i), "late clobber at " + i);
        }
        for (int b = 0; b < numBlocks(); b++) {
            BitSet entry = (BitSet) liveIn[b].clone();
            for (int p : blockParams(b)) {
                located(loc, p, "parameter of block " + b);
                entry.set(p);
            }
            distinct(loc, entry, "entry of block " + b);
        }
        for (int v = 0; v < loc.length; v++) {
            if (loc[v] >= 0 && (res.usedRegs & 1L << loc[v]) == 0) throw new AssertionError("usedRegs misses r" + loc[v]);
            if (loc[v] >= 0 && loc[v] >> 4 != regClass(v)) throw new AssertionError("v" + v + " of class " + regClass(v) + " in r" + loc[v]);
            if (loc[v] < 0 && loc[v] != LinearScan.Result.UNUSED && res.spillSlot(v) >= res.numSpillSlots) {
                throw new AssertionError("v" + v + " in slot " + res.spillSlot(v) + " of " + res.numSpillSlots);
            }
        }
    }

    private static void located(int[] loc, int v, String where) {
        if (loc[v] == LinearScan.Result.UNUSED) throw new AssertionError("v" + v + " has no location but is " + where);
    }

    private static void distinct(int[] loc, BitSet live, String where) {
        int[] seen = new int[0];
        int[] owner = new int[0];
        for (int v = live.nextSetBit(0); v >= 0; v = live.nextSetBit(v + 1)) {
            for (int k = 0; k < seen.length; k++) {
                if (seen[k] == loc[v]) {
                    throw new AssertionError("v" + owner[k] + " and v" + v + " are both live " + where + " and share location "
                        + loc[v]);
                }
            }
            seen = Arrays.copyOf(seen, seen.length + 1);
            owner = Arrays.copyOf(owner, owner.length + 1);
            seen[seen.length - 1] = loc[v];
            owner[owner.length - 1] = v;
        }
    }

    private static void clobber(int[] loc, BitSet live, long mask, String where) {
        for (int v = live.nextSetBit(0); v >= 0; v = live.nextSetBit(v + 1)) {
            if (loc[v] >= 0 && (mask & 1L << loc[v]) != 0) throw new AssertionError("v" + v + " in r" + loc[v] + " across " + where);
        }
    }

    /**
     * The ranges Liveness must produce, per block from the reference sets: a block v is live
     * in and out of whole; a block that touches v from its start (if live in) or v's first
     * touch, to its end (if live out) or v's last touch; then merged.
     */
    int[] expectedRanges(int v) {
        List<int[]> rs = new ArrayList<>();
        for (int b = 0; b < numBlocks(); b++) {
            int f = blockFirst(b), e = blockEnd(b);
            int firstTouch = -1, lastTouch = -1;
            for (int p : blockParams(b)) if (p == v) firstTouch = lastTouch = 2 * f;
            for (int i = f; i < e; i++) {
                for (int u : uses(i)) if (u == v) { if (firstTouch < 0) firstTouch = 2 * i; lastTouch = 2 * i; }
                for (int d : defs(i)) if (d == v) { if (firstTouch < 0) firstTouch = 2 * i + 1; lastTouch = 2 * i + 1; }
            }
            boolean in = liveIn[b].get(v), out = liveOut[b].get(v);
            if (in && out) rs.add(new int[] {2 * f, 2 * e - 1});
            else if (firstTouch >= 0) rs.add(new int[] {in ? 2 * f : firstTouch, out ? 2 * e - 1 : lastTouch});
        }
        List<Integer> merged = new ArrayList<>();
        for (int[] r : rs) {
            int n = merged.size();
            if (n > 0 && r[0] <= merged.get(n - 1) + 1) merged.set(n - 1, Math.max(merged.get(n - 1), r[1]));
            else {
                merged.add(r[0]);
                merged.add(r[1]);
            }
        }
        return merged.stream().mapToInt(Integer::intValue).toArray();
    }
}
