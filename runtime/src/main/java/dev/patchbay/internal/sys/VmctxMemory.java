/*
 * Where every Store's vmctx lives: fixed-size blocks (VmctxLayout.SIZE) carved from
 * anonymous 64 KiB slabs that are never unmapped. The signal handlers must decide from
 * R15 whether a fault belongs to a guest without ever dereferencing a pointer that could
 * fault: they accept R15 only if it lies in a slab, on a block boundary, and only then
 * read the block's MAGIC and IN_GUEST words. With malloc'd vmctxs, a freed block could be
 * returned to the kernel (heap trimming) between that check and the read; a slab block
 * stays mapped forever, so the read is always safe, and a freed block reads as dead
 * (free() zeroes it, MAGIC included).
 *
 * Slab listeners (the signal-handler module's registry of slabs) hear of every slab
 * before any block of it is handed out, and of the existing ones when they subscribe.
 * Freed blocks are reused first-in first-out, so a stale vmctx address is reused as late
 * as possible. Thread-safe; allocate and free take one lock.
 */
package dev.patchbay.internal.sys;

import dev.patchbay.codegen.vm.VmctxLayout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

public final class VmctxMemory {
    private VmctxMemory() {}

    /** Bytes per vmctx block. */
    public static final int BLOCK = VmctxLayout.SIZE;
    /** Bytes per slab; a multiple of BLOCK and of the page size. */
    public static final int SLAB = 64 * 1024;

    /** Told of each slab [start, end) before any block in it is used. */
    @FunctionalInterface
    public interface SlabListener {
        void slabAdded(long start, long end);
    }

    private static final Object LOCK = new Object();
    private static final List<long[]> SLABS = new ArrayList<>();
    private static final ArrayDeque<Long> FREE = new ArrayDeque<>();
    private static final Set<Long> LIVE = new HashSet<>();
    private static final List<SlabListener> LISTENERS = new ArrayList<>();

    static {
        if (SLAB % BLOCK != 0 || Integer.bitCount(BLOCK) != 1) throw new AssertionError("vmctx slab layout");
    }

    /** A zeroed block of BLOCK bytes, BLOCK-aligned. */
    public static long allocate() {
        synchronized (LOCK) {
            if (FREE.isEmpty()) grow();
            long b = FREE.pollFirst();
            Native.setMemory(b, BLOCK, (byte) 0);
            LIVE.add(b);
            return b;
        }
    }

    /** Gives a block back: zeroed (so it reads as no live vmctx) and queued for reuse. */
    public static void free(long block) {
        synchronized (LOCK) {
            if (!LIVE.remove(block)) {
                throw new IllegalArgumentException("0x" + Long.toHexString(block) + " is not a live vmctx block");
            }
            Native.setMemory(block, BLOCK, (byte) 0);
            FREE.addLast(block);
        }
    }

    /** Subscribes a listener and tells it of every slab that exists already. */
    public static void subscribe(SlabListener l) {
        synchronized (LOCK) {
            LISTENERS.add(l);
            for (long[] s : SLABS) l.slabAdded(s[0], s[1]);
        }
    }

    /** Whether `addr` lies in some slab (for tests). */
    public static boolean inSlab(long addr) {
        synchronized (LOCK) {
            for (long[] s : SLABS) if (addr >= s[0] && addr < s[1]) return true;
            return false;
        }
    }

    private static void grow() {
        long start = Native.mmap(0, SLAB, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS, -1, 0);
        // Recorded before the listeners run, and kept even if one fails: it is never unmapped,
        // so a listener that did register it can never point at unmapped memory.
        SLABS.add(new long[] {start, start + SLAB});
        for (SlabListener l : LISTENERS) l.slabAdded(start, start + SLAB);
        for (long b = start; b < start + SLAB; b += BLOCK) FREE.addLast(b);
    }
}
