/*
 * Liveness's intervals equal, range for range, the ones a reference BitSet dataflow gives
 * (FakeCode.expectedRanges), on random programs with loops, irreducible flow and non-SSA
 * code; with chunks of 64 and 192 globals, so that many programs cross chunk boundaries
 * (and rows of several words have windows), and with the default chunk. And LiveIntervals.intersects agrees with comparing positions one by one.
 */
package dev.patchbay.codegen.regalloc;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveIntervalsTest {
    @Test
    void rangesMatchTheReferenceDataflow() {
        int multiChunk = 0;
        for (long seed = 0; seed < 1_500; seed++) {
            boolean big = seed % 3 == 0;
            FakeCode c = FakeCode.random(seed, big ? 60 : 10, big ? 400 : 20);
            c.referenceLiveness();
            LiveIntervals small = Liveness.compute(c, 64), medium = Liveness.compute(c, 192), normal = Liveness.compute(c);
            int globals = 0;
            for (int v = 0; v < c.numVregs(); v++) {
                int[] want = c.expectedRanges(v);
                assertArrayEquals(want, small.ranges(v), "seed " + seed + ", v" + v + " with chunks of 64");
                assertArrayEquals(want, medium.ranges(v), "seed " + seed + ", v" + v + " with chunks of 192");
                assertArrayEquals(want, normal.ranges(v), "seed " + seed + ", v" + v);
                boolean global = false;
                for (int b = 0; b < c.numBlocks(); b++) global |= c.liveIn[b].get(v);
                if (global) globals++;
            }
            if (globals > 64) multiChunk++;
        }
        assertTrue(multiChunk > 50, "programs with several chunks: " + multiChunk);
    }

    @Test
    void intersectsAgreesWithPositions() {
        for (long seed = 0; seed < 300; seed++) {
            FakeCode c = FakeCode.random(seed, 20, 40);
            LiveIntervals iv = Liveness.compute(c);
            int n = c.numVregs();
            BitSet[] at = new BitSet[n];
            for (int v = 0; v < n; v++) {
                at[v] = new BitSet();
                int[] r = iv.ranges(v);
                for (int k = 0; k < r.length; k += 2) at[v].set(r[k], r[k + 1] + 1);
            }
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    assertEquals(at[a].intersects(at[b]), iv.intersects(a, b), "seed " + seed + ": v" + a + ", v" + b);
                }
            }
        }
    }
}
