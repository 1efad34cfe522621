/*
 * The async-signal-safe registry of Patchbay code regions and their patch sites, read by
 * the generated SIGTRAP handler (layout: SiteRegistryLayout). Fixed capacity, so the
 * handler's bounds never move; writers (Java, serialised by this object's lock) rewrite
 * the sorted entry array inside a seqlock window, and the handler retries when it sees
 * the window open or a changed sequence number.
 *
 * A region's site table is freed when the region is unregistered. The handler only
 * dereferences the table of the region that contains the trapping PC, and that region's
 * code is running on the trapping thread, so it cannot be unregistered meanwhile (a Store
 * cannot be closed while it runs).
 */
package dev.patchbay.signal;

import dev.patchbay.codegen.vm.SiteRegistryLayout;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.SiteController;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

final class SiteRegistry {
    static final int DEFAULT_CAPACITY = 16384;

    private static final class Region {
        final long start, end, sites;
        final int nsites;

        Region(long start, long end, long sites, int nsites) {
            this.start = start;
            this.end = end;
            this.sites = sites;
            this.nsites = nsites;
        }
    }

    private final long base;
    private final int capacity;
    private final ByteBuffer header;
    private final List<Region> regions = new ArrayList<>();

    SiteRegistry(int capacity) {
        this.capacity = capacity;
        this.base = Native.calloc(1, SiteRegistryLayout.size(capacity));
        Native.putLong(base + SiteRegistryLayout.CAPACITY, capacity);
        this.header = Native.directBuffer(base, SiteRegistryLayout.ENTRIES);
    }

    long address() { return base; }

    synchronized int size() { return regions.size(); }

    synchronized SiteController.Registration register(long start, long end, int[] siteOffsets) {
        if (end <= start) throw new IllegalArgumentException("empty region [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")");
        if (regions.size() == capacity) {
            throw new IllegalStateException("the site registry is full (" + capacity + " code regions); close some Stores");
        }
        for (Region r : regions) {
            if (start < r.end && r.start < end) throw new IllegalArgumentException("region overlaps a registered one");
        }
        for (int i = 1; i < siteOffsets.length; i++) {
            if (siteOffsets[i] <= siteOffsets[i - 1]) throw new IllegalArgumentException("site offsets must be sorted and distinct");
        }
        long table = Native.calloc(Math.max(1, siteOffsets.length), 4);
        for (int i = 0; i < siteOffsets.length; i++) Native.putInt(table + 4L * i, siteOffsets[i]);
        Region region = new Region(start, end, table, siteOffsets.length);
        regions.add(region);
        regions.sort(Comparator.comparingLong(r -> r.start));
        publish();
        return () -> unregister(region);
    }

    private synchronized void unregister(Region region) {
        if (!regions.remove(region)) return;
        publish();
        Native.free(region.sites);
    }

    /** Rewrites the native entries inside a seqlock window. */
    private void publish() {
        long seq = (long) Native.LONG_ATOMIC.getVolatile(header, SiteRegistryLayout.SEQ);
        Native.LONG_ATOMIC.setVolatile(header, SiteRegistryLayout.SEQ, seq + 1);
        VarHandle.fullFence();
        for (int i = 0; i < regions.size(); i++) {
            Region r = regions.get(i);
            long e = base + SiteRegistryLayout.ENTRIES + (long) i * SiteRegistryLayout.ENTRY_SIZE;
            Native.putLong(e + SiteRegistryLayout.E_START, r.start);
            Native.putLong(e + SiteRegistryLayout.E_END, r.end);
            Native.putLong(e + SiteRegistryLayout.E_SITES, r.sites);
            Native.putLong(e + SiteRegistryLayout.E_NSITES, r.nsites);
        }
        Native.putLong(base + SiteRegistryLayout.COUNT, regions.size());
        VarHandle.releaseFence();
        Native.LONG_ATOMIC.setRelease(header, SiteRegistryLayout.SEQ, seq + 2);
    }
}
