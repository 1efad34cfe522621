/*
 * A binary min-heap of longs, for the allocator's two priority queues (liveness's worklist
 * of postorder numbers, the scan's stack slots by end position) without boxing: both see
 * hundreds of thousands of operations in a large function.
 */
package dev.patchbay.codegen.regalloc;

import java.util.Arrays;

/** A growable binary min-heap of longs. */
final class LongMinHeap {
    private long[] heap = new long[16];
    private int n;

    boolean isEmpty() { return n == 0; }

    /** The smallest key; the heap must not be empty. */
    long peek() { return heap[0]; }

    void push(long key) {
        if (n == heap.length) heap = Arrays.copyOf(heap, n * 2);
        int i = n++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    /** Removes and returns the smallest key; the heap must not be empty. */
    long pop() {
        long top = heap[0], key = heap[--n];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && heap[c + 1] < heap[c]) c++;
            if (heap[c] >= key) break;
            heap[i] = heap[c];
            i = c;
        }
        if (n > 0) heap[i] = key;
        return top;
    }
}
