/*
 * Presents a VCode to the register allocator, which knows nothing about x86.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.regalloc.LinearScan;

final class VCodeAllocInput implements LinearScan.Input {
    private final VCode vc;
    private final int[][] uses, defs;

    VCodeAllocInput(VCode vc) {
        this.vc = vc;
        int n = vc.insts.size();
        uses = new int[n][];
        defs = new int[n][];
        for (int i = 0; i < n; i++) {
            uses[i] = vc.insts.get(i).uses();
            defs[i] = vc.insts.get(i).defs();
        }
    }

    @Override public int numVregs() { return vc.numVregs; }

    @Override public int numInsts() { return vc.insts.size(); }

    @Override public int[] uses(int inst) { return uses[inst]; }

    @Override public int[] defs(int inst) { return defs[inst]; }

    @Override public long earlyClobbers(int inst) { return vc.insts.get(inst).earlyClobber(); }

    @Override public long lateClobbers(int inst) { return vc.insts.get(inst).lateClobber(); }

    // Allocator blocks are indices into the linear order.
    @Override public int numBlocks() { return vc.order.size(); }

    @Override public int blockFirst(int block) { return vc.order.get(block).first; }

    @Override public int blockEnd(int block) { return vc.order.get(block).end; }

    @Override public int[] succs(int block) {
        int[] s = vc.order.get(block).succs();
        int[] r = new int[s.length];
        for (int i = 0; i < s.length; i++) r[i] = vc.blocks.get(s[i]).position;
        return r;
    }

    @Override public int[] blockParams(int block) { return vc.order.get(block).params; }

    @Override public int hintReg(int v) { return vc.hintReg[v]; }

    @Override public int hintVreg(int v) { return vc.hintVreg[v]; }

    @Override public int regClass(int v) { return vc.isFloat != null && vc.isFloat[v] ? 1 : 0; }
}
