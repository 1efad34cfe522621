/*
 * A set of ints in [0, n) that gives up its smallest member first: Liveness's worklist of
 * postorder numbers. A binary heap did this with a log factor and a cache miss per level;
 * at 200k instructions (thousands of blocks queued per pass, sixty passes) its pushes and
 * pops were a third of liveness. Three levels of bitmaps make push, contains and pop a
 * few word operations each: level 0 has a bit per member, level 1 a bit per non-zero
 * level-0 word, level 2 a bit per non-zero level-1 word, and pop scans level 2 from the
 * start (one word per 262,144 members).
 *
 * Invariant: a level-1 (level-2) bit is set exactly when its level-0 (level-1) word is
 * non-zero. Test: IntMinSetTest, against a sorted set.
 */
package dev.patchbay.codegen.regalloc;

/** A bitmap priority set over [0, n). */
final class IntMinSet {
    private final long[] l0, l1, l2;
    private int size;

    IntMinSet(int n) {
        l0 = new long[Math.max(1, (n + 63) >>> 6)];
        l1 = new long[(l0.length + 63) >>> 6];
        l2 = new long[(l1.length + 63) >>> 6];
    }

    boolean isEmpty() { return size == 0; }

    boolean contains(int x) { return (l0[x >>> 6] & 1L << x) != 0; }

    /** Adds x; nothing if it is already there. */
    void add(int x) {
        int w = x >>> 6;
        long before = l0[w];
        if ((before & 1L << x) != 0) return;
        l0[w] = before | 1L << x;
        size++;
        if (before == 0) {
            l1[w >>> 6] |= 1L << w;
            l2[w >>> 12] |= 1L << (w >>> 6);
        }
    }

    /** Removes and returns the smallest member; the set must not be empty. */
    int pollFirst() {
        int k = 0;
        while (l2[k] == 0) k++;
        int w1 = k << 6 | Long.numberOfTrailingZeros(l2[k]);
        int w0 = w1 << 6 | Long.numberOfTrailingZeros(l1[w1]);
        long bits = l0[w0];
        int x = w0 << 6 | Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
        l0[w0] = bits;
        size--;
        if (bits == 0) {
            l1[w1] &= ~(1L << w0);
            if (l1[w1] == 0) l2[k] &= ~(1L << w1);
        }
        return x;
    }
}
