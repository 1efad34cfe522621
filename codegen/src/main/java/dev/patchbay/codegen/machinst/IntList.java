/*
 * A growable list of ints, for the per-instruction metadata CodeBuffer keeps (marks, the
 * alignment epochs of labels, traps, calls and symbol references). A List<Integer> boxed
 * each of them: at 200k instructions, megabytes of Integers per compile (issue 15).
 */
package dev.patchbay.codegen.machinst;

import java.util.Arrays;

/** A growable int array. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) { a = new int[Math.max(4, capacity)]; }

    int size() { return n; }

    int get(int i) {
        if (i >= n) throw new IndexOutOfBoundsException("index " + i + ", size " + n);
        return a[i];
    }

    void set(int i, int v) {
        if (i >= n) throw new IndexOutOfBoundsException("index " + i + ", size " + n);
        a[i] = v;
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, 2 * n);
        a[n++] = v;
    }
}
