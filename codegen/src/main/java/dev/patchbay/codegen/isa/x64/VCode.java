/*
 * The lowered form of one function: machine instructions over virtual registers, grouped
 * into blocks in their final linear order. Virtual registers 0..numValues-1 are the IR's
 * SSA values; lowering allocates temporaries above that. Blocks created for CFG edges that
 * carry arguments (so that the argument moves happen on the right edge) have no IR block.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;

import java.util.ArrayList;
import java.util.List;

final class VCode {
    static final class VBlock {
        final int id;
        /** The IR block, or null for an edge block. */
        final Block ir;
        int[] params = Inst.NO_VALUES;
        final List<MInst> insts = new ArrayList<>();
        /**
         * The IR location each instruction of `insts` was lowered from (null for none), in
         * step with it; empty for an edge block. Read only by emission's location table.
         */
        final List<dev.patchbay.codegen.ir.SourceLoc> locs = new ArrayList<>();
        boolean cold;
        boolean loopHeader;
        /** Index of the first instruction in the linear order, and one past the last. */
        int first, end;

        VBlock(int id, Block ir) {
            this.id = id;
            this.ir = ir;
        }

        MInst terminator() { return insts.get(insts.size() - 1); }

        /** Position in the linear order. */
        int position;

        int[] succs() {
            MInst t = terminator();
            return t.targets() != null ? t.targets() : Inst.NO_VALUES;
        }
    }

    final Function f;
    final List<VBlock> blocks = new ArrayList<>();
    /** Linear order of blocks (indices into blocks). */
    final List<VBlock> order = new ArrayList<>();
    final ArrayList<MInst> insts = new ArrayList<>();
    /** The IR location of each of `insts` (null for none), in step with it. */
    final ArrayList<dev.patchbay.codegen.ir.SourceLoc> locs = new ArrayList<>();
    int numVregs;
    // The per-vreg arrays below are read for vregs under numVregs only; they may be longer
    // (lowering hands over its own, sized with room for temporaries).
    /** Preferred physical register per vreg (Gpr enc), or -1. */
    int[] hintReg;
    /** A vreg whose register this vreg would like to share (copies, block arguments), or -1. */
    int[] hintVreg;
    /** Per vreg: it holds a float (the XMM register class); null when the function has none. */
    boolean[] isFloat;
    /** Vreg holding the implicit return-area pointer, or -1. */
    int retAreaVreg = -1;
    boolean hasCalls;
    /** FUSED epoch mode: the function wants an epoch site at entry (fused with the stack check). */
    boolean fusedEntrySite;
    /** FUSED epoch mode: backward branches carry epoch sites. */
    boolean fusedLoopSites;
    /** Bytes of outgoing stack arguments plus return areas needed by the largest call. */
    int outgoingBytes;

    VCode(Function f) { this.f = f; }

    VBlock newBlock(Block ir) {
        VBlock b = new VBlock(blocks.size(), ir);
        blocks.add(b);
        return b;
    }

    /** Flattens the blocks in `order` into the linear instruction list. */
    void linearize() {
        insts.clear();
        locs.clear();
        int total = 0;
        for (int i = 0; i < order.size(); i++) {
            order.get(i).position = i;
            total += order.get(i).insts.size();
        }
        insts.ensureCapacity(total);
        locs.ensureCapacity(total);
        for (VBlock b : order) {
            b.first = insts.size();
            insts.addAll(b.insts);
            if (b.locs.size() == b.insts.size()) locs.addAll(b.locs);
            else for (int k = 0; k < b.insts.size(); k++) locs.add(null);
            b.end = insts.size();
        }
    }
}
