/*
 * DominatorTree answers dominance from DFS numbers of the tree in constant time; these
 * tests compare it, and the verifier's dominance errors built on it, with the definition
 * (a dominates b if b cannot be reached from the entry without passing a) on random CFGs
 * with loops, irreducible flow, br_tables and unreachable blocks. And a chain of 50,000
 * blocks, deeper than any Java stack, is numbered without recursion.
 */
package dev.patchbay.codegen.verify;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DominatorTreeTest {
    /** Blocks 0..n-1; each but the entry defines v = iconst at its top and uses one random block's v. */
    private static Function random(SplittableRandom r, int n, int[] defs, int[] usesOf) {
        FunctionBuilder b = new FunctionBuilder("g", Signature.of(List.of(), List.of(Type.I64)));
        int[] blocks = new int[n];
        blocks[0] = b.createEntryBlock();
        for (int i = 1; i < n; i++) blocks[i] = b.createBlock();
        for (int i = 0; i < n; i++) {
            b.switchToBlock(blocks[i]);
            defs[i] = b.iconst(Type.I64, i);
        }
        for (int i = 0; i < n; i++) {
            b.switchToBlock(blocks[i]);
            usesOf[i] = r.nextInt(n);
            int x = b.binary(Opcode.IADD, defs[i], defs[usesOf[i]]);
            int kind = r.nextInt(5);
            int t1 = blocks[1 + r.nextInt(n - 1)], t2 = blocks[1 + r.nextInt(n - 1)];
            if (kind == 0) {
                b.ret(x);
            } else if (kind == 1) {
                b.jump(t1);
            } else if (kind == 2) {
                b.brTable(b.iconst(Type.I32, 0), new BlockCall(t1, new int[0]), new BlockCall(t2, new int[0]),
                    new BlockCall(blocks[1 + r.nextInt(n - 1)], new int[0]));
            } else {
                b.brif(x, t1, new int[0], t2, new int[0]);
            }
        }
        return b.function();
    }

    /** The definition: b is unreachable from the entry once a is taken out (or a == b). */
    private static boolean dominatesByDefinition(Function f, Block a, Block b) {
        if (a == b) return reachable(f, null, b);
        if (!reachable(f, null, b)) return false;
        return !reachable(f, a, b);
    }

    private static boolean reachable(Function f, Block removed, Block target) {
        boolean[] seen = new boolean[f.numBlocks()];
        ArrayDeque<Block> work = new ArrayDeque<>();
        Block entry = f.entryBlock();
        if (entry == removed) return false;
        work.add(entry);
        seen[entry.id] = true;
        while (!work.isEmpty()) {
            Block x = work.poll();
            if (x == target) return true;
            for (Block s : DominatorTree.successors(f, x)) {
                if (s != removed && !seen[s.id]) {
                    seen[s.id] = true;
                    work.add(s);
                }
            }
        }
        return false;
    }

    @Test
    void dominatesMatchesTheDefinition() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 400; round++) {
            int n = 2 + r.nextInt(13);
            Function f = random(r, n, new int[n], new int[n]);
            DominatorTree dom = DominatorTree.compute(f);
            for (Block a : f.layout) {
                for (Block b : f.layout) {
                    assertEquals(dominatesByDefinition(f, a, b), dom.dominates(a, b), "round " + round + ": " + a.name + " dom " + b.name);
                }
            }
        }
    }

    @Test
    void theVerifierReportsExactlyTheUsesThatAreNotDominated() {
        SplittableRandom r = new SplittableRandom(8);
        for (int round = 0; round < 300; round++) {
            int n = 2 + r.nextInt(12);
            int[] defs = new int[n], usesOf = new int[n];
            Function f = random(r, n, defs, usesOf);
            int expected = 0;
            for (int i = 0; i < n; i++) {
                Block user = f.layout.get(i), def = f.layout.get(usesOf[i]);
                if (reachable(f, null, user) && !dominatesByDefinition(f, def, user)) expected++;
            }
            long found = Verifier.verify(f).stream().filter(e -> e.toString().contains("does not dominate")).count();
            assertEquals(expected, found, "round " + round + ": " + Verifier.verify(f));
        }
    }

    @Test
    void aVeryDeepTreeIsNumberedWithoutRecursion() {
        FunctionBuilder b = new FunctionBuilder("chain", Signature.of(List.of(), List.of(Type.I64)));
        int entry = b.createEntryBlock();
        int v = b.iconst(Type.I64, 1);
        int prev = entry;
        for (int i = 0; i < 50_000; i++) {
            int next = b.createBlock();
            b.switchToBlock(prev);
            b.jump(next);
            prev = next;
        }
        b.switchToBlock(prev);
        b.ret(v);
        Function f = b.function();
        DominatorTree dom = DominatorTree.compute(f);
        Block last = f.layout.get(f.layout.size() - 1);
        assertTrue(dom.dominates(f.layout.get(0), last));
        assertTrue(!dom.dominates(last, f.layout.get(1)));
        assertEquals(List.of(), Verifier.verify(f));
    }
}
