package dev.patchbay.codegen.regalloc;

import static dev.patchbay.codegen.regalloc.FakeCode.v;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What the allocator spills under pressure: what costs least on the stack, loops weighing 8x per level. */
class SpillCostTest {
    @Test
    void loopDepthCountsTheBackwardEdgesSpanningEachBlock() {
        FakeCode c = new FakeCode();
        c.block();
        c.inst(v(), v(0)).to(1);
        c.block(); // outer loop header
        c.inst(v(0), v()).to(2);
        c.block(); // inner loop, its own latch
        c.inst(v(0), v()).to(2, 3);
        c.block(); // outer latch
        c.inst(v(0), v()).to(1, 4);
        c.block();
        c.inst(v(0), v());
        assertArrayEquals(new int[] {0, 1, 2, 1, 0}, LinearScan.loopDepths(c));
        // v0: its def at depth 0, uses at 1, 2, 1 and 0.
        assertEquals(1 + 8 + 64 + 8 + 1, LinearScan.spillCosts(c)[0]);
    }

    /**
     * A value live from entry to exit and used at every step of the one loop (a Wasm heap
     * base) against two values only passed through it: with three registers and five values
     * live in the loop, two go to the stack, and they must be the two the loop never reads.
     * Furthest-end alone spilled the base, which ends last: a reload per access.
     */
    @Test
    void aValueReadInTheLoopKeepsItsRegisterOverValuesThatOnlyPassThrough() {
        FakeCode c = new FakeCode();
        c.block();
        c.inst(v(), v(0)); // the base
        c.inst(v(), v(1));
        c.inst(v(), v(2)).to(1);
        c.block(); // the loop: three reads of the base
        c.inst(v(0), v(3));
        c.inst(v(3, 0), v(4));
        c.inst(v(4, 3, 0), v()).to(1, 2);
        c.block();
        c.inst(v(1, 2), v(5));
        c.inst(v(5, 0), v());
        LinearScan.Result res = LinearScan.allocate(c, new int[] {0, 1, 2});
        c.check(res);
        for (int inLoop : new int[] {0, 3, 4}) assertTrue(res.isReg(inLoop), "v" + inLoop + " is read in the loop but was spilled");
        assertTrue(!res.isReg(1) && !res.isReg(2), "v1 and v2, never read in the loop, are the ones spilled");
    }
}
