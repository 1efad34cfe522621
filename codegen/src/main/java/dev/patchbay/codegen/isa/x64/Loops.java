/*
 * Problem: a 64-bit constant that no imm32 can carry costs a 10-byte `movabs` at each
 * use, and lowering rematerialises constants at every use, so a loop pays for it on every
 * iteration. It can be computed once before the loop instead, but only where "before the
 * loop" means something: a place every entry into the loop passes, and that no path
 * inside the loop passes again.
 *
 * Answer: natural loops with one entry. For each loop header h (in reverse postorder), its
 * body is what reaches a back edge's source (a predecessor at or after h in reverse
 * postorder) backwards without passing h. The loop counts only if nothing outside enters
 * its body but through h (every predecessor of a body block other than h is in the body;
 * in a reducible graph they all come after h in reverse postorder) and h has exactly one
 * predecessor outside it, the preheader: the end of the preheader is then executed before
 * every entry into the loop and never inside it. Headers are taken in reverse postorder, so
 * an inner loop's header, which comes after its outer one, overwrites it: each block maps
 * to its innermost such loop. Irreducible cycles and loops entered from two places get no
 * entry, and their constants stay where they are used.
 *
 * Cost: the size of every loop body once per loop it is nested in; a body search that
 * reaches a block before its header in reverse postorder stops at once.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.analysis.Cfg;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

final class Loops {
    /** Per IR block: the header of its innermost single-entry loop, or -1. */
    private final int[] header;
    /** Per IR block that is such a header: its preheader (its one predecessor outside the loop), or -1. */
    private final int[] preheader;

    Loops(Cfg cfg, int numBlocks) {
        header = new int[numBlocks];
        preheader = new int[numBlocks];
        Arrays.fill(header, -1);
        Arrays.fill(preheader, -1);
        int[] rpo = new int[numBlocks];
        Arrays.fill(rpo, -1);
        int n = 0;
        for (int b : cfg.reversePostorder()) rpo[b] = n++;
        int[] mark = new int[numBlocks];
        Deque<Integer> work = new ArrayDeque<>();
        int[] body = new int[numBlocks];
        for (int h : cfg.reversePostorder()) {
            if (!cfg.isLoopHeader(h)) continue;
            int outside = -1, nOutside = 0, size = 0;
            int tag = h + 1;
            mark[h] = tag;
            body[size++] = h;
            boolean single = true;
            for (int p : cfg.preds(h)) {
                if (rpo[p] < 0) continue; // unreachable: never lowered
                if (rpo[p] < rpo[h]) {
                    outside = p;
                    nOutside++;
                } else if (mark[p] != tag) {
                    mark[p] = tag;
                    work.push(p);
                }
            }
            while (single && !work.isEmpty()) {
                int x = work.pop();
                body[size++] = x;
                for (int p : cfg.preds(x)) {
                    if (rpo[p] < 0 || mark[p] == tag) continue;
                    if (rpo[p] < rpo[h]) {
                        single = false; // entered other than through h
                        break;
                    }
                    mark[p] = tag;
                    work.push(p);
                }
            }
            work.clear();
            if (!single || nOutside != 1) continue;
            preheader[h] = outside;
            for (int i = 0; i < size; i++) header[body[i]] = h;
        }
    }

    /** The header of b's innermost single-entry loop, or -1 if b is in none. */
    int header(int block) { return header[block]; }

    /** The one predecessor of a loop header from outside its loop (see header). */
    int preheader(int header) { return preheader[header]; }
}
