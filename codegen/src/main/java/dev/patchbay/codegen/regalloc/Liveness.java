/*
 * Liveness for the allocator, and the live intervals (with holes) built from it.
 *
 * The problem is size: a function of 200,000 instructions has some 20,000 blocks and
 * 250,000 vregs, and when many values reach far back, tens of thousands of them are live
 * across thousands of blocks each. Two earlier designs failed there: one BitSet per block
 * over all vregs cost blocks x vregs memory (out of memory at 100k instructions), and
 * walking predecessors once per value and block cost time in proportion to every
 * (value, block) pair where the value is live (4.2 s at 200k instructions).
 *
 * What is done instead:
 *  1. One pass over the code records, per block, each vreg it touches: first and last
 *     position, whether the first touch is a use (upward-exposed: the block's gen set) and
 *     whether it defines the vreg (kill). A vreg that is upward-exposed nowhere is local to
 *     the blocks that touch it: its ranges are those touches and need no dataflow.
 *  2. The other vregs, the globals, get dense numbers and are solved in chunks of 4,096
 *     (64 words): live-in = gen | (live-out & ~kill), live-out = the union of the
 *     successors' live-in, as long[] rows per block. A worklist ordered by postorder (IntMinSet)
 *     (successors before predecessors except across back edges) starts at the blocks with
 *     gen bits and only ever visits blocks where some value of the chunk is live, so the
 *     work is about (blocks where the chunk is live) x 64 words and memory one row per
 *     such block, whatever the function's size. Numbering globals in vreg order keeps a
 *     chunk's values close together in the code, so their live regions overlap.
 *  3. Intervals come from the rows with word operations, not per value and block: a run of
 *     consecutive blocks (in linear order) with a value live in and out of each is one
 *     range, found by comparing each block's in & out words with the previous block's;
 *     within a block that touches a value, the range runs from the block's start (if live
 *     in) or the first touch to the block's end (if live out) or the last touch. A block a
 *     value is live in and out of without touching it is covered by a run.
 *  4. Each vreg's ranges are sorted and merged where they overlap or touch.
 *
 * Positions: instruction i reads at 2i and writes at 2i+1; a block's parameters are
 * defined at 2*first; a value live out of a block lives to 2*end-1. The result is a
 * superset of exact liveness only inside a block (a value redefined in the middle of a
 * block, which SSA never does, is live between its touches), never across blocks.
 */
package dev.patchbay.codegen.regalloc;

import java.util.Arrays;

/** Computes live intervals with holes from a LinearScan.Input. */
final class Liveness {
    /** Global vregs solved per dataflow pass: one 64-word row per block where any is live. */
    static final int CHUNK = 4096;
    private static final byte EXPOSED = 1, DEFINED = 2;

    private final LinearScan.Input in;
    /** Globals per chunk (a multiple of 64); words per row (fewer when there are fewer globals). */
    private final int chunk;
    private int rowWords;
    private final int nb, nv;
    private final int[] first, end;
    private final int[] succOff, succ, predOff, pred;
    /** Postorder number by block, and block by postorder number. */
    private final int[] po, byPo;

    // Touches, in block order: block tOff[b] .. tOff[b+1]-1.
    private final int[] tOff;
    private int nt;
    private int[] tVreg, tBlock, tFirst, tLast;
    private byte[] tFlags;

    /** Dense global number by vreg, -1 for local vregs; and back. */
    private final int[] gid;
    private int[] vregByGid;
    private int numGlobals;

    // Ranges produced, in no particular order.
    private int nr;
    private int[] rVreg, rStart, rEnd;

    private Liveness(LinearScan.Input in, int chunk) {
        if (chunk <= 0 || chunk % 64 != 0) throw new IllegalArgumentException("chunk " + chunk);
        this.in = in;
        this.chunk = chunk;
        nb = in.numBlocks();
        nv = in.numVregs();
        first = new int[nb];
        end = new int[nb];
        for (int b = 0; b < nb; b++) {
            first[b] = in.blockFirst(b);
            end[b] = in.blockEnd(b);
        }
        succOff = new int[nb + 1];
        int[][] s = new int[nb][];
        for (int b = 0; b < nb; b++) {
            s[b] = in.succs(b);
            succOff[b + 1] = succOff[b] + s[b].length;
        }
        succ = new int[succOff[nb]];
        predOff = new int[nb + 1];
        for (int b = 0; b < nb; b++) {
            System.arraycopy(s[b], 0, succ, succOff[b], s[b].length);
            for (int x : s[b]) predOff[x + 1]++;
        }
        for (int b = 0; b < nb; b++) predOff[b + 1] += predOff[b];
        pred = new int[succ.length];
        int[] fill = Arrays.copyOf(predOff, nb);
        for (int b = 0; b < nb; b++) for (int x : s[b]) pred[fill[x]++] = b;
        po = new int[nb];
        byPo = new int[nb];
        postorder();
        tOff = new int[nb + 1];
        gid = new int[nv];
    }

    static LiveIntervals compute(LinearScan.Input in) { return compute(in, CHUNK); }

    /** With `chunk` globals per pass; tests use small chunks to cross chunk boundaries. */
    static LiveIntervals compute(LinearScan.Input in, int chunk) {
        Liveness l = new Liveness(in, chunk);
        l.touches();
        l.numberGlobals();
        l.locals();
        l.groupByChunk();
        for (int base = 0; base < l.numGlobals; base += chunk) l.solve(base, Math.min(chunk, l.numGlobals - base));
        return l.intervals();
    }

    /** Iterative DFS from block 0, then from any block not reached (unreachable code is still allocated). */
    private void postorder() {
        boolean[] seen = new boolean[nb];
        int[] stack = new int[nb], next = new int[nb];
        int n = 0;
        for (int root = 0; root < nb; root++) {
            if (seen[root]) continue;
            int top = 0;
            stack[top] = root;
            next[top++] = succOff[root];
            seen[root] = true;
            while (top > 0) {
                int b = stack[top - 1];
                if (next[top - 1] < succOff[b + 1]) {
                    int x = succ[next[top - 1]++];
                    if (!seen[x]) {
                        seen[x] = true;
                        stack[top] = x;
                        next[top++] = succOff[x];
                    }
                } else {
                    top--;
                    po[b] = n;
                    byPo[n++] = b;
                }
            }
        }
    }

    // ---- step 1: touches ----

    private void touches() {
        // At most one touch per operand: size the arrays once rather than doubling them.
        int operands = 0;
        for (int b = 0; b < nb; b++) operands += in.blockParams(b).length;
        for (int i = 0, n = in.numInsts(); i < n; i++) operands += in.uses(i).length + in.defs(i).length;
        tVreg = new int[operands];
        tBlock = new int[operands];
        tFirst = new int[operands];
        tLast = new int[operands];
        tFlags = new byte[operands];
        int[] mark = new int[nv], at = new int[nv];
        for (int b = 0; b < nb; b++) {
            tOff[b] = nt;
            int tag = b + 1;
            for (int p : in.blockParams(b)) touch(mark, at, tag, p, 2 * first[b], DEFINED);
            for (int i = first[b]; i < end[b]; i++) {
                for (int u : in.uses(i)) touch(mark, at, tag, u, 2 * i, EXPOSED);
                for (int d : in.defs(i)) touch(mark, at, tag, d, 2 * i + 1, DEFINED);
            }
        }
        tOff[nb] = nt;
    }

    /** Records that block (tag - 1) touches v at pos; only the first touch can make v exposed. */
    private void touch(int[] mark, int[] at, int tag, int v, int pos, byte kind) {
        if (mark[v] == tag) {
            int k = at[v];
            if (pos > tLast[k]) tLast[k] = pos;
            if (kind == DEFINED) tFlags[k] |= DEFINED;
            return;
        }
        mark[v] = tag;
        at[v] = nt;
        tVreg[nt] = v;
        tBlock[nt] = tag - 1;
        tFirst[nt] = pos;
        tLast[nt] = pos;
        tFlags[nt++] = kind;
    }

    private void numberGlobals() {
        boolean[] global = new boolean[nv];
        for (int k = 0; k < nt; k++) if ((tFlags[k] & EXPOSED) != 0) global[tVreg[k]] = true;
        for (int v = 0; v < nv; v++) gid[v] = global[v] ? numGlobals++ : -1;
        vregByGid = new int[numGlobals];
        for (int v = 0; v < nv; v++) if (global[v]) vregByGid[gid[v]] = v;
        rowWords = (Math.min(chunk, numGlobals) + 63) >>> 6;
    }

    /** A local vreg lives between its first and last touch in each block that touches it. */
    private void locals() {
        // Roughly one range per touch, plus runs: start there.
        rVreg = new int[nt + 16];
        rStart = new int[nt + 16];
        rEnd = new int[nt + 16];
        for (int k = 0; k < nt; k++) if (gid[tVreg[k]] < 0) range(tVreg[k], tFirst[k], tLast[k]);
    }

    private void range(int v, int s, int e) {
        if (s > e) return; // a run over empty blocks only
        if (nr == rVreg.length) {
            int n = nr + nr / 2;
            rVreg = Arrays.copyOf(rVreg, n);
            rStart = Arrays.copyOf(rStart, n);
            rEnd = Arrays.copyOf(rEnd, n);
        }
        rVreg[nr] = v;
        rStart[nr] = s;
        rEnd[nr++] = e;
    }

    // ---- step 2 and 3: one chunk of globals ----

    private long[][] rows;
    private long[] zero;
    /** The worklist: the postorder numbers of the blocks on it; empty between passes. */
    private IntMinSet worklist;
    private long[][] pool = new long[16][];
    private int npool;
    private int[] chunkTouchStart, chunkTouchEnd, chunkStamp;
    /** The touches of global vregs, grouped by chunk (chunk c is byChunkOff[c] .. byChunkOff[c+1]-1), in block order. */
    private int[] chunkTouches, byChunkOff;

    /** Groups the global touches by chunk with a stable counting sort, so each pass reads only its own. */
    private void groupByChunk() {
        int chunks = (numGlobals + chunk - 1) / chunk;
        byChunkOff = new int[chunks + 1];
        for (int k = 0; k < nt; k++) {
            int g = gid[tVreg[k]];
            if (g >= 0) byChunkOff[g / chunk + 1]++;
        }
        for (int c = 0; c < chunks; c++) byChunkOff[c + 1] += byChunkOff[c];
        chunkTouches = new int[byChunkOff[chunks]];
        int[] fill = Arrays.copyOf(byChunkOff, chunks);
        for (int k = 0; k < nt; k++) {
            int g = gid[tVreg[k]];
            if (g >= 0) chunkTouches[fill[g / chunk]++] = k;
        }
    }

    /** Dataflow over globals base .. base+count-1, then their ranges. */
    private void solve(int base, int count) {
        if (rows == null) {
            rows = new long[nb][];
            zero = new long[rowWords];
            chunkTouchStart = new int[nb];
            chunkTouchEnd = new int[nb];
            chunkStamp = new int[nb];
        }
        int words = (count + 63) >>> 6, stamp = base / chunk + 1;
        // Each block's slice of the chunk's touches (which are in block order).
        for (int x = byChunkOff[stamp - 1]; x < byChunkOff[stamp]; x++) {
            int b = tBlock[chunkTouches[x]];
            if (chunkStamp[b] != stamp) {
                chunkStamp[b] = stamp;
                chunkTouchStart[b] = x;
            }
            chunkTouchEnd[b] = x + 1;
        }
        // Worklist: smallest postorder number first, so successors are solved before predecessors.
        if (worklist == null) worklist = new IntMinSet(nb);
        int[] rowed = new int[16];
        int nrowed = 0;
        for (int x = byChunkOff[stamp - 1]; x < byChunkOff[stamp]; x++) {
            int k = chunkTouches[x], b = tBlock[k];
            if ((tFlags[k] & EXPOSED) != 0) worklist.add(po[b]);
        }
        long[] tmp = new long[rowWords];
        while (!worklist.isEmpty()) {
            int b = byPo[worklist.pollFirst()];
            liveOut(b, tmp, words);
            if (chunkStamp[b] == stamp) {
                for (int x = chunkTouchStart[b]; x < chunkTouchEnd[b]; x++) {
                    int k = chunkTouches[x];
                    if ((tFlags[k] & DEFINED) != 0) clear(tmp, gid[tVreg[k]] - base);
                }
                for (int x = chunkTouchStart[b]; x < chunkTouchEnd[b]; x++) {
                    int k = chunkTouches[x];
                    if ((tFlags[k] & EXPOSED) != 0) set(tmp, gid[tVreg[k]] - base);
                }
            }
            long[] row = rows[b];
            boolean changed = false;
            for (int w = 0; w < words && !changed; w++) changed = tmp[w] != (row == null ? 0 : row[w]);
            if (!changed) continue;
            if (row == null) {
                row = rows[b] = takeRow();
                if (nrowed == rowed.length) rowed = Arrays.copyOf(rowed, nrowed * 2);
                rowed[nrowed++] = b;
            }
            System.arraycopy(tmp, 0, row, 0, words);
            for (int q = predOff[b]; q < predOff[b + 1]; q++) {
                int p = pred[q];
                worklist.add(po[p]);
            }
        }
        ranges(base, words, stamp, Arrays.copyOf(rowed, nrowed));
        for (int r = 0; r < nrowed; r++) {
            long[] row = rows[rowed[r]];
            Arrays.fill(row, 0);
            if (npool == pool.length) pool = Arrays.copyOf(pool, npool * 2);
            pool[npool++] = row;
            rows[rowed[r]] = null;
        }
    }

    /** The chunk's ranges, visiting the blocks with a live-in row or a touch in linear order. */
    private void ranges(int base, int words, int stamp, int[] rowed) {
        Arrays.sort(rowed);
        long[] outBuf = new long[rowWords], open = new long[rowWords];
        int[] runFrom = new int[rowWords * 64];
        int last = -2; // the last block visited; `open` holds the runs still open at its end
        // Two sorted lists of blocks, merged: the rowed ones, and those with a touch (the
        // chunk's touches are in block order; t walks them a block at a time).
        int i = 0, t = byChunkOff[stamp - 1], tEnd = byChunkOff[stamp];
        while (true) {
            int nextRowed = i < rowed.length ? rowed[i] : nb, nextTouched = t < tEnd ? tBlock[chunkTouches[t]] : nb;
            int x = Math.min(nextRowed, nextTouched);
            if (x >= nb) break;
            if (x == nextRowed) i++;
            if (x == nextTouched) t = chunkTouchEnd[x];
            long[] row = rows[x] != null ? rows[x] : zero, out = liveOutView(x, outBuf, words);
            if (last != x - 1) {
                closeRuns(open, words, base, runFrom, last);
                Arrays.fill(open, 0, words, 0);
            }
            for (int w = 0; w < words; w++) {
                long full = row[w] & out[w], was = open[w];
                if (full == was) continue;
                open[w] = full;
                for (long ending = was & ~full; ending != 0; ending &= ending - 1) {
                    int j = w << 6 | Long.numberOfTrailingZeros(ending);
                    range(vregOf(base + j), 2 * first[runFrom[j]], 2 * end[x - 1] - 1);
                }
                for (long starting = full & ~was; starting != 0; starting &= starting - 1) {
                    runFrom[w << 6 | Long.numberOfTrailingZeros(starting)] = x;
                }
            }
            last = x;
            if (chunkStamp[x] == stamp) {
                for (int y = chunkTouchStart[x]; y < chunkTouchEnd[x]; y++) {
                    int k = chunkTouches[y], j = gid[tVreg[k]] - base;
                    boolean liveIn = get(row, j), liveOut = get(out, j);
                    if (liveIn && liveOut) continue; // the whole block: a run covers it
                    range(tVreg[k], liveIn ? 2 * first[x] : tFirst[k], liveOut ? 2 * end[x] - 1 : tLast[k]);
                }
            }
        }
        closeRuns(open, words, base, runFrom, last);
    }

    private void closeRuns(long[] open, int words, int base, int[] runFrom, int last) {
        for (int w = 0; w < words; w++) {
            long bits = open[w];
            while (bits != 0) {
                int j = w << 6 | Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                range(vregOf(base + j), 2 * first[runFrom[j]], 2 * end[last] - 1);
            }
        }
    }

    private int vregOf(int g) { return vregByGid[g]; }

    /** out = the union of b's successors' live-in rows. */
    private void liveOut(int b, long[] out, int words) {
        boolean any = false;
        for (int q = succOff[b]; q < succOff[b + 1]; q++) {
            long[] r = rows[succ[q]];
            if (r == null) continue;
            if (!any) System.arraycopy(r, 0, out, 0, words);
            else for (int w = 0; w < words; w++) out[w] |= r[w];
            any = true;
        }
        if (!any) Arrays.fill(out, 0, words, 0);
    }

    /** b's live-out, to read only: a successor's own row when there is one successor (most blocks). */
    private long[] liveOutView(int b, long[] buf, int words) {
        if (succOff[b + 1] - succOff[b] == 1) {
            long[] r = rows[succ[succOff[b]]];
            return r != null ? r : zero;
        }
        liveOut(b, buf, words);
        return buf;
    }

    private long[] takeRow() { return npool > 0 ? pool[--npool] : new long[rowWords]; }

    private static boolean get(long[] bits, int j) { return (bits[j >>> 6] & 1L << j) != 0; }

    private static void set(long[] bits, int j) { bits[j >>> 6] |= 1L << j; }

    private static void clear(long[] bits, int j) { bits[j >>> 6] &= ~(1L << j); }

    // ---- step 4: sort and merge ----

    private LiveIntervals intervals() {
        // A counting sort by vreg: off[v + 1] counts v's ranges, then (prefix sums) ends
        // v's segment; placing from the last range down turns it into the segment's start,
        // with each vreg's ranges in their original order.
        int[] off = new int[nv + 1];
        for (int r = 0; r < nr; r++) off[rVreg[r] + 1]++;
        for (int v = 0; v < nv; v++) off[v + 1] += off[v];
        long[] packed = new long[nr];
        for (int r = nr - 1; r >= 0; r--) packed[--off[rVreg[r] + 1]] = (long) rStart[r] << 32 | rEnd[r];
        // Now off[v + 1] is v's start; shift so that off[v] is, and off[nv] is nr.
        System.arraycopy(off, 1, off, 0, nv);
        off[nv] = nr;
        rVreg = rStart = rEnd = null;
        int[] outOff = new int[nv + 1];
        int[] bounds = new int[2 * nr];
        int n = 0;
        for (int v = 0; v < nv; v++) {
            int from = off[v], to = off[v + 1];
            if (to - from > 1) Arrays.sort(packed, from, to);
            for (int r = from; r < to; r++) {
                int s = (int) (packed[r] >>> 32), e = (int) packed[r];
                if (n > outOff[v] && s <= bounds[2 * n - 1] + 1) {
                    if (e > bounds[2 * n - 1]) bounds[2 * n - 1] = e;
                } else {
                    bounds[2 * n] = s;
                    bounds[2 * n + 1] = e;
                    n++;
                }
            }
            outOff[v + 1] = n;
        }
        // bounds is not trimmed: LiveIntervals reads it through outOff only.
        return new LiveIntervals(outOff, bounds);
    }
}
