/*
 * Finds a Store's internals from the vmctx address that generated code passes to every
 * upcall (hostcalls, the epoch hook, the safepoint handler).
 *
 * Problem: an upcall gets only the vmctx. A global map from address to Store costs a hash
 * lookup on every hostcall and, being a strong root, kept every Store that was dropped
 * without close() alive forever.
 *
 * Approach: each live StoreCore holds a slot in this table, and its vmctx records the slot
 * number (VmctxLayout.STORE_ID). A lookup reads that word and one array element, and
 * checks that the slot's vmctx is the one asked about. The table holds StoreCores, never
 * Store handles, so a dropped Store stays collectable and its Cleaner frees the slot.
 *
 * Invariants:
 *  1. A slot holds at most one core, from StoreCore's construction until it is freed.
 *  2. lookup(v) returns a core only if that core's vmctx address is v.
 *  3. Slots are reused only after release(), which StoreCore calls after its vmctx is gone
 *     from every place generated code could pass it from (no call runs: ownership).
 */
package dev.patchbay;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReferenceArray;

final class StoreTable {
    private static volatile AtomicReferenceArray<StoreCore> slots = new AtomicReferenceArray<>(64);
    private static final ArrayDeque<Integer> FREE = new ArrayDeque<>();
    private static int next;
    private static int live;

    private StoreTable() {}

    /** Reserves a slot for a core about to be built. */
    static synchronized int reserve() {
        live++;
        if (!FREE.isEmpty()) return FREE.pop();
        if (next == slots.length()) {
            AtomicReferenceArray<StoreCore> bigger = new AtomicReferenceArray<>(slots.length() * 2);
            for (int i = 0; i < next; i++) bigger.set(i, slots.get(i));
            slots = bigger;
        }
        return next++;
    }

    static synchronized void publish(int slot, StoreCore core) { slots.set(slot, core); }

    static synchronized void release(int slot) {
        slots.set(slot, null);
        FREE.push(slot);
        live--;
    }

    /** The core whose vmctx is at this address, or null. Lock-free; safe from any upcall. */
    static StoreCore lookup(long vmctxAddress) {
        if (vmctxAddress == 0) return null;
        long index = Vmctx.storeIndexAt(vmctxAddress);
        AtomicReferenceArray<StoreCore> s = slots;
        if (index < 0 || index >= s.length()) return null;
        StoreCore c = s.get((int) index);
        return c != null && c.vmctxAddress() == vmctxAddress ? c : null;
    }

    /** Stores that exist and have not been freed yet (by close() or their Cleaner). */
    static synchronized int liveCount() { return live; }
}
