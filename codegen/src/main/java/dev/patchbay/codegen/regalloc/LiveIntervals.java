/*
 * Live intervals with lifetime holes (Wimmer and Mössenböck's linear scan): per virtual
 * register, the positions at which it occupies its location, as sorted closed ranges of
 * positions (instruction i reads its operands at 2i and writes its results at 2i+1).
 *
 * A hole is a stretch of the linear order between two ranges where the value is dead:
 * code after which control never reaches a use of the value without redefining it. The
 * typical one is a loop body laid out between a loop header that computes a value and the
 * exit that uses it: each iteration recomputes the value, so the body never needs it.
 * Another value may use the register inside the hole.
 *
 * Invariants (built by Liveness, relied on by LinearScan):
 *  1. a vreg's ranges are sorted, disjoint and not adjacent (adjacent ones are merged);
 *  2. every position where the value is live is in a range, and so is each position that
 *     defines it, since a dead definition still writes its location.
 * Tests: LiveIntervalsTest (ranges against a reference dataflow), LinearScanTest.
 */
package dev.patchbay.codegen.regalloc;

import java.util.Arrays;

/** Per vreg, the sorted disjoint ranges of positions where it is live. */
final class LiveIntervals {
    /** Ranges of v are indices off[v] .. off[v+1]-1; range k is [bounds[2k], bounds[2k+1]]. */
    private final int[] off;
    private final int[] bounds;

    LiveIntervals(int[] off, int[] bounds) {
        this.off = off;
        this.bounds = bounds;
    }

    int numVregs() { return off.length - 1; }

    boolean isLive(int v) { return off[v] < off[v + 1]; }

    int numRanges(int v) { return off[v + 1] - off[v]; }

    /** First position; only for a live v. */
    int start(int v) { return bounds[2 * off[v]]; }

    /** Last position; only for a live v. */
    int end(int v) { return bounds[2 * off[v + 1] - 1]; }

    int rangeStart(int v, int k) { return bounds[2 * (off[v] + k)]; }

    int rangeEnd(int v, int k) { return bounds[2 * (off[v] + k) + 1]; }

    /** The ranges of v as [s0, e0, s1, e1, ...]; empty if v is never live. */
    int[] ranges(int v) { return Arrays.copyOfRange(bounds, 2 * off[v], 2 * off[v + 1]); }

    /** Total number of ranges, for tests and statistics. */
    int totalRanges() { return off[off.length - 1]; }

    /** True if some position is in a range of both a and b. */
    boolean intersects(int a, int b) {
        if (!isLive(a) || !isLive(b) || end(a) < start(b) || end(b) < start(a)) return false;
        if (numRanges(a) == 1 && numRanges(b) == 1) return true; // the spans overlap
        int i = firstEndingAtOrAfter(a, start(b)), ia = off[a + 1];
        int j = firstEndingAtOrAfter(b, start(a)), jb = off[b + 1];
        while (i < ia && j < jb) {
            int si = bounds[2 * i], ei = bounds[2 * i + 1], sj = bounds[2 * j], ej = bounds[2 * j + 1];
            if (ei < sj) i++;
            else if (ej < si) j++;
            else return true;
        }
        return false;
    }

    /** Index of v's first range that ends at or after pos (off[v+1] if none). */
    private int firstEndingAtOrAfter(int v, int pos) {
        int lo = off[v], hi = off[v + 1];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[2 * mid + 1] < pos) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
