/*
 * Dominators over the control-flow graph of a function's reachable blocks, for the SSA
 * rule that every use is dominated by its definition. Uses the iterative algorithm of
 * Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm"): intersect
 * predecessors' dominators in reverse postorder until nothing changes. It is simple and,
 * on the small reducible CFGs that CLIF functions have, as fast as Lengauer-Tarjan.
 *
 * Successors come from the terminators' targets; targets that are out of range or not in
 * the layout are ignored here (the verifier reports them separately).
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Dominators of a function's reachable blocks (Cooper, Harvey and Kennedy's iterative algorithm),
 * for the SSA rule that every use is dominated by its definition. Package-private: the verifier's
 * own tool, not part of the exported verify API.
 */
final class DominatorTree {
    private final Function f;
    /** Reverse postorder position by block id; -1 for unreachable blocks. */
    private final int[] rpoIndex;
    private final List<Block> rpo;
    /** Immediate dominator by block id (the entry's is itself); -1 for unreachable blocks. */
    private final int[] idom;

    private DominatorTree(Function f) {
        this.f = f;
        int n = f.numBlocks();
        rpoIndex = new int[n];
        idom = new int[n];
        Arrays.fill(rpoIndex, -1);
        Arrays.fill(idom, -1);
        rpo = computeRpo();
        for (int i = 0; i < rpo.size(); i++) rpoIndex[rpo.get(i).id] = i;
        computeIdoms();
    }

    public static DominatorTree compute(Function f) { return new DominatorTree(f); }

    /** Successor blocks of a block, in target order, duplicates removed; only blocks in the layout. */
    public static List<Block> successors(Function f, Block b) {
        List<Block> out = new ArrayList<>();
        for (Inst inst : b.insts) {
            if (inst.targets == null) continue;
            for (BlockCall bc : inst.targets) {
                if (bc == null || bc.block < 0 || bc.block >= f.numBlocks()) continue;
                Block s = f.block(bc.block);
                if (s.inLayout && !out.contains(s)) out.add(s);
            }
        }
        return out;
    }

    public boolean isReachable(Block b) { return rpoIndex[b.id] >= 0; }

    /** Reachable blocks in reverse postorder, entry first. */
    public List<Block> reversePostorder() { return List.copyOf(rpo); }

    /** The immediate dominator, or null for the entry and unreachable blocks. */
    public Block idom(Block b) {
        int d = idom[b.id];
        return d < 0 || d == b.id ? null : f.block(d);
    }

    /** True if every path from the entry to b passes through a (a block dominates itself). */
    public boolean dominates(Block a, Block b) {
        if (!isReachable(a) || !isReachable(b)) return false;
        int x = b.id;
        while (true) {
            if (x == a.id) return true;
            int up = idom[x];
            if (up == x) return false;
            x = up;
        }
    }

    private List<Block> computeRpo() {
        List<Block> post = new ArrayList<>();
        Block entry = f.entryBlock();
        if (entry == null) return post;
        boolean[] seen = new boolean[f.numBlocks()];
        // Iterative DFS: deep CFGs (long chains of blocks) must not overflow the Java stack.
        Deque<Block> stack = new ArrayDeque<>();
        Deque<Integer> nextSucc = new ArrayDeque<>();
        List<List<Block>> succs = new ArrayList<>();
        for (int i = 0; i < f.numBlocks(); i++) succs.add(null);
        seen[entry.id] = true;
        stack.push(entry);
        nextSucc.push(0);
        while (!stack.isEmpty()) {
            Block b = stack.peek();
            List<Block> ss = succs.get(b.id);
            if (ss == null) {
                ss = successors(f, b);
                succs.set(b.id, ss);
            }
            int i = nextSucc.pop();
            if (i < ss.size()) {
                nextSucc.push(i + 1);
                Block s = ss.get(i);
                if (!seen[s.id]) {
                    seen[s.id] = true;
                    stack.push(s);
                    nextSucc.push(0);
                }
            } else {
                stack.pop();
                post.add(b);
            }
        }
        List<Block> out = new ArrayList<>(post);
        java.util.Collections.reverse(out);
        return out;
    }

    private void computeIdoms() {
        if (rpo.isEmpty()) return;
        List<List<Block>> preds = new ArrayList<>();
        for (int i = 0; i < f.numBlocks(); i++) preds.add(new ArrayList<>());
        for (Block b : rpo) for (Block s : successors(f, b)) preds.get(s.id).add(b);
        int entry = rpo.get(0).id;
        idom[entry] = entry;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 1; i < rpo.size(); i++) {
                Block b = rpo.get(i);
                int newIdom = -1;
                for (Block p : preds.get(b.id)) {
                    if (idom[p.id] < 0) continue;
                    newIdom = newIdom < 0 ? p.id : intersect(p.id, newIdom);
                }
                if (newIdom != idom[b.id]) {
                    idom[b.id] = newIdom;
                    changed = true;
                }
            }
        }
    }

    private int intersect(int a, int b) {
        while (a != b) {
            while (rpoIndex[a] > rpoIndex[b]) a = idom[a];
            while (rpoIndex[b] > rpoIndex[a]) b = idom[b];
        }
        return a;
    }
}
