/*
 * The control-flow graph of a function: successors and predecessors per block, a reverse
 * postorder of the reachable blocks, and the loop headers. A loop header is the target of
 * a DFS back edge (an edge to a block still on the DFS stack). Every cycle in the CFG,
 * reducible or not, contains such an edge, so instrumenting these headers reaches every
 * loop, however tight.
 */
package dev.patchbay.codegen.analysis;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A function's control-flow graph: successors, predecessors, a reverse postorder of the reachable
 * blocks, and the loop headers (targets of DFS back edges), which is where epoch sites go.
 */
public final class Cfg {
    private final Function f;
    private final List<List<Integer>> succs = new ArrayList<>();
    private final List<List<Integer>> preds = new ArrayList<>();
    private final List<Integer> rpo = new ArrayList<>();
    private final BitSet reachable = new BitSet();
    private final BitSet loopHeaders = new BitSet();

    public Cfg(Function f) {
        this.f = f;
        for (int i = 0; i < f.numBlocks(); i++) {
            succs.add(new ArrayList<>());
            preds.add(new ArrayList<>());
        }
        for (Block b : f.layout) {
            Inst t = b.terminator();
            if (t == null || t.targets == null) continue;
            // Each successor once, in target order; a set only for long br_tables (a set per
            // block was a measurable part of compiling 20k-block functions).
            List<Integer> out = succs.get(b.id);
            Set<Integer> seen = t.targets.length > 8 ? new HashSet<>() : null;
            for (BlockCall bc : t.targets) {
                int s = bc.block;
                if (seen != null ? !seen.add(s) : out.contains(s)) continue;
                out.add(s);
                preds.get(s).add(b.id);
            }
        }
        dfs();
    }

    private void dfs() {
        Block entry = f.entryBlock();
        if (entry == null) return;
        List<Integer> post = new ArrayList<>();
        BitSet onStack = new BitSet();
        Deque<int[]> stack = new ArrayDeque<>();
        stack.push(new int[] {entry.id, 0});
        reachable.set(entry.id);
        onStack.set(entry.id);
        while (!stack.isEmpty()) {
            int[] top = stack.peek();
            List<Integer> ss = succs.get(top[0]);
            if (top[1] < ss.size()) {
                int s = ss.get(top[1]++);
                if (onStack.get(s)) {
                    loopHeaders.set(s);
                } else if (!reachable.get(s)) {
                    reachable.set(s);
                    onStack.set(s);
                    stack.push(new int[] {s, 0});
                }
            } else {
                stack.pop();
                onStack.clear(top[0]);
                post.add(top[0]);
            }
        }
        for (int i = post.size() - 1; i >= 0; i--) rpo.add(post.get(i));
    }

    public List<Integer> succs(int block) { return succs.get(block); }

    public List<Integer> preds(int block) { return preds.get(block); }

    /** Reachable blocks in reverse postorder, entry first. */
    public List<Integer> reversePostorder() { return rpo; }

    public boolean isReachable(int block) { return reachable.get(block); }

    public boolean isLoopHeader(int block) { return loopHeaders.get(block); }
}
