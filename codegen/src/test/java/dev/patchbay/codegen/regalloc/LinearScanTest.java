/*
 * The allocator's invariants (LinearScan's header) on random programs, checked against a
 * reference liveness; and lifetime holes: a value that is dead in a loop body laid out
 * between its definition and its use leaves the body its register, and a clobber in the
 * body does not push it out of one.
 */
package dev.patchbay.codegen.regalloc;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.patchbay.codegen.regalloc.FakeCode.v;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearScanTest {
    @Test
    void randomProgramsKeepTheInvariants() {
        for (long seed = 0; seed < 3_000; seed++) {
            FakeCode c = FakeCode.random(seed, 12, 30);
            int[] regs = allocatable(new SplittableRandom(~seed));
            LinearScan.Result res = LinearScan.allocate(c, regs);
            try {
                c.check(res);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void twoRegisterClassesNeverMix() {
        for (long seed = 0; seed < 3_000; seed++) {
            FakeCode c = FakeCode.randomTwoClasses(seed, 12, 30);
            SplittableRandom r = new SplittableRandom(~seed);
            int[] gprs = allocatable(r), xmms = allocatable(r);
            int[] regs = new int[gprs.length + xmms.length];
            for (int i = 0; i < gprs.length; i++) regs[i] = gprs[i];
            for (int i = 0; i < xmms.length; i++) regs[gprs.length + i] = 16 + xmms[i];
            LinearScan.Result res = LinearScan.allocate(c, regs);
            try {
                c.check(res);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    /** 1 to 6 of registers 0..7, in random order. */
    private static int[] allocatable(SplittableRandom r) {
        return r.ints(0, 8).distinct().limit(1 + r.nextInt(6)).toArray();
    }

    /**
     * block0 passes v0 to the loop header block1(v1), which computes v2 (used only after the
     * loop, in block3) and branches to the body block2 or out. The body needs three registers
     * at once (v1, v4, v5) and loops back. v2 is dead in the body: each iteration recomputes it.
     */
    private static FakeCode loopWithValueUsedAfterIt(long bodyLateClobber) {
        FakeCode c = new FakeCode();
        c.block();
        c.inst(v(), v(0)).inst(v(0), v()).to(1);
        c.block(1);
        c.inst(v(1), v(2)).inst(v(1), v(3)).inst(v(3), v()).to(2, 3);
        c.block();
        c.inst(v(1), v(4)).inst(v(1), v(5), 0, bodyLateClobber).inst(v(1, 4, 5), v(6)).inst(v(6), v()).to(1);
        c.block();
        c.inst(v(2), v());
        return c;
    }

    @Test
    void aValueDeadInTheLoopBodyHasAHoleThere() {
        FakeCode c = loopWithValueUsedAfterIt(0);
        // block1 is instructions 2..4, the body 5..8, block3 9: v2 lives from its definition
        // to block1's end, and again from block3's start to its use.
        assertArrayEquals(new int[] {5, 9, 18, 18}, LinearScan.ranges(c, 2));
    }

    @Test
    void theLoopBodyUsesTheRegisterOfAValueThatIsDeadInIt() {
        FakeCode c = loopWithValueUsedAfterIt(0);
        LinearScan.Result res = LinearScan.allocate(c, new int[] {0, 1, 2});
        c.check(res);
        // Without holes, v2 held a register through the body, which needs all three: a spill.
        assertEquals(0, res.numSpillSlots, "spill slots");
        boolean shared = false;
        for (int body : new int[] {4, 5, 6}) shared |= res.loc[body] == res.loc[2];
        assertTrue(shared, "v2 shares its register with a body value");
    }

    @Test
    void aClobberInsideAHoleDoesNotCount() {
        // The body's second instruction clobbers both registers (a call): v2, dead there,
        // can still have one. Without holes, v2 was live across the clobber and spilled.
        FakeCode c = loopWithValueUsedAfterIt(0b11);
        LinearScan.Result res = LinearScan.allocate(c, new int[] {0, 1, 2});
        c.check(res);
        assertTrue(res.isReg(2), "v2 is in a register: " + res.loc[2]);
    }
}
