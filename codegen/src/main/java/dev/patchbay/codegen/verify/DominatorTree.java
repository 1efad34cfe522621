/*
 * Dominators over the control-flow graph of a function's reachable blocks, for the SSA
 * rule that every use is dominated by its definition. Uses the iterative algorithm of
 * Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm"): intersect
 * predecessors' dominators in reverse postorder until nothing changes. It is simple and,
 * on the small reducible CFGs that CLIF functions have, as fast as Lengauer-Tarjan.
 *
 * Successors come from the terminators' targets; targets that are out of range or not in
 * the layout are ignored here (the verifier reports them separately).
 *
 * The verifier asks "does a dominate b?" once per cross-block use. Walking b's idom chain
 * made that cost the depth of the tree: in a chain of 20,000 blocks, most of the
 * verifier's time. So the tree is numbered once by an iterative DFS: a dominates b exactly
 * when b's [pre, post] interval lies inside a's, a constant-time check.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;

import java.util.ArrayList;
import java.util.Arrays;
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
    /** Successor ids by block id, for reachable blocks (null for the others). */
    private int[][] succs;
    /** Immediate dominator by block id (the entry's is itself); -1 for unreachable blocks. */
    private final int[] idom;
    /** DFS entry and exit numbers in the dominator tree, by block id; -1 for unreachable blocks. */
    private final int[] pre, post;

    private DominatorTree(Function f) {
        this.f = f;
        int n = f.numBlocks();
        rpoIndex = new int[n];
        idom = new int[n];
        pre = new int[n];
        post = new int[n];
        Arrays.fill(rpoIndex, -1);
        Arrays.fill(idom, -1);
        Arrays.fill(pre, -1);
        Arrays.fill(post, -1);
        rpo = computeRpo();
        for (int i = 0; i < rpo.size(); i++) rpoIndex[rpo.get(i).id] = i;
        computeIdoms();
        numberTree();
    }

    public static DominatorTree compute(Function f) { return new DominatorTree(f); }

    /** Successor blocks of a block, in target order, duplicates removed; only blocks in the layout. */
    public static List<Block> successors(Function f, Block b) {
        List<Block> out = new ArrayList<>();
        // A br_table may list thousands of targets: dedupe through a set once the list is long.
        java.util.Set<Block> seen = null;
        for (Inst inst : b.insts) {
            if (inst.targets == null) continue;
            for (BlockCall bc : inst.targets) {
                if (bc == null || bc.block < 0 || bc.block >= f.numBlocks()) continue;
                Block s = f.block(bc.block);
                if (!s.inLayout) continue;
                if (seen == null && out.size() >= 8) seen = new java.util.HashSet<>(out);
                if (seen != null ? seen.add(s) : !out.contains(s)) out.add(s);
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
        return pre[a.id] <= pre[b.id] && post[b.id] <= post[a.id];
    }

    /** Numbers the dominator tree by an iterative DFS (a deep tree must not overflow the Java stack). */
    private void numberTree() {
        if (rpo.isEmpty()) return;
        int n = f.numBlocks();
        // Children as linked lists: first child and next sibling, by block id.
        int[] firstChild = new int[n], nextSibling = new int[n];
        Arrays.fill(firstChild, -1);
        Arrays.fill(nextSibling, -1);
        int entry = rpo.get(0).id;
        for (int i = rpo.size() - 1; i >= 1; i--) {
            int b = rpo.get(i).id, d = idom[b];
            nextSibling[b] = firstChild[d];
            firstChild[d] = b;
        }
        int[] stack = new int[rpo.size()];
        int top = 0, clock = 0;
        stack[top++] = entry;
        pre[entry] = clock++;
        while (top > 0) {
            int x = stack[top - 1];
            int c = firstChild[x];
            if (c >= 0) {
                firstChild[x] = nextSibling[c]; // consume the child
                pre[c] = clock++;
                stack[top++] = c;
            } else {
                post[x] = clock++;
                top--;
            }
        }
    }

    private List<Block> computeRpo() {
        int n = f.numBlocks();
        succs = new int[n][];
        List<Block> out = new ArrayList<>();
        Block entry = f.entryBlock();
        if (entry == null) return out;
        boolean[] seen = new boolean[n];
        // Iterative DFS: deep CFGs (long chains of blocks) must not overflow the Java stack.
        int[] stack = new int[n], next = new int[n], post = new int[n];
        int top = 0, np = 0;
        seen[entry.id] = true;
        stack[top++] = entry.id;
        while (top > 0) {
            int b = stack[top - 1];
            int[] ss = succs[b];
            if (ss == null) ss = succs[b] = successors(f, f.block(b)).stream().mapToInt(x -> x.id).toArray();
            if (next[top - 1] < ss.length) {
                int s = ss[next[top - 1]++];
                if (!seen[s]) {
                    seen[s] = true;
                    stack[top] = s;
                    next[top++] = 0;
                }
            } else {
                top--;
                post[np++] = b;
            }
        }
        for (int i = np - 1; i >= 0; i--) out.add(f.block(post[i]));
        return out;
    }

    private void computeIdoms() {
        if (rpo.isEmpty()) return;
        int n = f.numBlocks();
        // Predecessors (among reachable blocks) as one array sliced by block id.
        int[] predOff = new int[n + 1];
        for (Block b : rpo) for (int s : succs[b.id]) predOff[s + 1]++;
        for (int i = 0; i < n; i++) predOff[i + 1] += predOff[i];
        int[] preds = new int[predOff[n]], fill = Arrays.copyOf(predOff, n);
        for (Block b : rpo) for (int s : succs[b.id]) preds[fill[s]++] = b.id;
        int entry = rpo.get(0).id;
        idom[entry] = entry;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 1; i < rpo.size(); i++) {
                int b = rpo.get(i).id;
                int newIdom = -1;
                for (int q = predOff[b]; q < predOff[b + 1]; q++) {
                    int p = preds[q];
                    if (idom[p] < 0) continue;
                    newIdom = newIdom < 0 ? p : intersect(p, newIdom);
                }
                if (newIdom != idom[b]) {
                    idom[b] = newIdom;
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
