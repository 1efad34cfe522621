/*
 * Fused epoch sites (EpochMode.FUSED): every decision about where they go, and their bytes.
 *
 * Problem solved: the choice was spread over three places (lowering dropped the epoch
 * calls and set flags, lowering again routed br_table entries, emission picked the
 * branches), and the reason the choice bounds every loop lived in a comment on one of
 * them. A change to any one could break the argument without touching the others.
 *
 * The decision. A fused site is a branch the code has anyway, so an idle site costs
 * nothing:
 * - the function-entry site is the prologue's stack-limit `jb` (off form: that `jb` to the
 *   stack-overflow island; on form: `jmp stub; nop`, same length, where the stub repeats
 *   the stack check, calls the epoch hook and jumps back after the site). A function
 *   without a stack check (a leaf with a small frame) has no entry site: without a loop it
 *   cannot run unboundedly;
 * - every backward branch to a block is a site (`isSite`): its target is not after it in
 *   the layout the code is emitted in. Off form: the branch, always in its near (rel32)
 *   form; on form: the same branch with its rel32 retargeted to a stub that calls the hook
 *   and jumps to the original target;
 * - a br_table entry cannot carry a site (the table holds offsets, not branches), so an
 *   entry into a loop header goes through an edge block whose jump can be one
 *   (`tableEntryNeedsJump`).
 *
 * Why it is safe (every loop reaches a site on every iteration): every cycle of the
 * emitted code, in layout order, contains a backward branch. A path that only takes
 * forward branches and falls through (which only ever goes to the next block) moves
 * strictly forward in layout and so ends. Hence any cycle takes at least one branch whose
 * target is not after it, and each such branch is a site. This holds for any block order,
 * provided that:
 * - "backward" is judged on the emitted layout (Emit's `pos`, after threading bare jumps
 *   away and rotating loops, Emit.rotateLoops), not on the allocator's order
 *   (VBlock.position);
 * - falling through only goes to the next block in that layout;
 * - no backward transfer exists that is not a block branch or a site's own stub: br_table
 *   entries go through jumps (above); division's overflow path only jumps forward; trap
 *   islands leave the function (the trap stub); a site's stub, reached only from that site
 *   in its on form, jumps back to the site's target (a cycle through it contains the site)
 *   or, for the entry site, to the prologue, which no branch returns to. (The comparison
 *   modes' stubs jump back too, but they are never in FUSED code.)
 * Threading removes only blocks that hold nothing but a jump, so it takes no trap, call or
 * patch site out of the code.
 *
 * Tests: `loop-branch-fused` and `fused-entry` filetests (where the sites are, and their
 * on forms), `CodeBufferTest.fusedEntrySiteOnFormLandsOnItsStub` (the on jump reaches the
 * stub's first byte, the off jump the trap island), `PeerSuiteTest` (every epoch mode, no
 * result changes), `ArmingTest`, `EpochTest` (interrupts stop every loop shape),
 * `DifferentialFuzzTest` (random CFGs in fused mode, sites idle and armed).
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;

final class FusedSites {
    private FusedSites() {}

    /** True if the options ask for fused epoch sites. */
    static boolean enabled(CompileOptions opts) {
        return opts.epochMode() == EpochMode.FUSED && opts.plan().includes(SiteKind.EPOCH);
    }

    /**
     * Lowering met a patchable epoch call in FUSED mode: it becomes no instruction. The
     * function then wants its loops' backward branches as sites, and the entry site if the
     * call is in the entry block (where the instrumentation pass puts the entry's).
     */
    static void absorbEpochCall(VCode vc, boolean inEntryBlock) {
        if (inEntryBlock) vc.fusedEntrySite = true;
        vc.fusedLoopSites = true;
    }

    /** True if a br_table entry must go through a jump so that its edge can carry a site. */
    static boolean tableEntryNeedsJump(CompileOptions opts, boolean targetIsLoopHeader) {
        return enabled(opts) && targetIsLoopHeader;
    }

    /**
     * True if a branch from the block at layout index `fromPos` to the one at `toPos` is an
     * epoch site: it is backward in the emitted layout (see the class comment).
     */
    static boolean isSite(VCode vc, int fromPos, int toPos) {
        return vc.fusedLoopSites && toPos <= fromPos;
    }

    /** The off and on forms of a fused site, equally long. */
    record Forms(byte[] off, byte[] on) {
        Forms {
            if (off.length != on.length) throw new IllegalStateException("fused site forms differ in length");
        }
    }

    /**
     * The entry site at `at`: off, `jb island`; on, `jmp stub` and a one-byte nop (the
     * instruction after the site starts at at + 6 in both forms).
     */
    static Forms entry(int at, int island, int stub) {
        byte[] off = Assembler.jccRel32Bytes(Cond.B, at, island);
        byte[] jmp = Assembler.jmpRel32Bytes(at, stub);
        byte[] on = java.util.Arrays.copyOf(jmp, off.length);
        byte[] nop = NopUnits.unit(off.length - jmp.length);
        System.arraycopy(nop, 0, on, jmp.length, nop.length);
        return new Forms(off, on);
    }

    /** A back-edge site at `at` whose off form is `branch` (a near jmp or jcc): on, the same branch to `stub`. */
    static Forms backEdge(byte[] branch, int at, int stub) {
        return new Forms(branch.clone(), Assembler.retargetRel32(branch, at, stub));
    }
}
