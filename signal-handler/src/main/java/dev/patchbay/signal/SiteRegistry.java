/*
 * The async-signal-safe registry of Patchbay code regions and their patch sites, read by
 * the generated SIGTRAP handler (layout: SiteRegistryLayout). Fixed capacity, so the
 * handler's bounds never move; writers (Java, serialised by this object's lock) rewrite
 * the sorted entry array inside a seqlock window, and the handler retries when it sees
 * the window open or a changed sequence number. The window itself is generated code
 * (SignalStubs.registryPublish): Java prepares the entries in a staging buffer and the
 * stub copies them in. Were the window Java, the writer could stop in it at a safepoint
 * poll, a SIGSEGV in compiled code, and our SIGSEGV handler, which reads the registry
 * first, would wait for a window that only closes after the safepoint: a deadlock.
 *
 * A region's site table is freed when the region is unregistered. The handler only
 * dereferences the table of the region that contains the trapping PC, and that region's
 * code is running on the trapping thread, so it cannot be unregistered meanwhile (a Store
 * cannot be closed while it runs).
 */
package dev.patchbay.signal;

import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.FaultHandler;

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
    private final List<Region> regions = new ArrayList<>();
    /** The generated publish(registry, entries, count) stub; set once, before any register. */
    private long publishStub;
    /** Where Java prepares the entries before the stub copies them in; grows by doubling. */
    private long staging;
    private int stagingCapacity;

    SiteRegistry(int capacity) {
        this.capacity = capacity;
        this.base = Native.calloc(1, SiteRegistryLayout.size(capacity));
        Native.putLong(base + SiteRegistryLayout.CAPACITY, capacity);
    }

    long address() { return base; }

    synchronized void setPublishStub(long address) {
        if (address == 0) throw new IllegalArgumentException("publish stub address is 0");
        publishStub = address;
    }

    synchronized int size() { return regions.size(); }

    synchronized FaultHandler.Registration register(long start, long end, int[] siteOffsets) {
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

    /** Prepares the entries in the staging buffer, then lets the stub publish them. */
    private void publish() {
        if (publishStub == 0) throw new IllegalStateException("the registry has no publish stub yet");
        int n = regions.size();
        if (n > stagingCapacity) {
            int grown = Math.min(capacity, Math.max(64, stagingCapacity * 2));
            while (grown < n) grown = Math.min(capacity, grown * 2);
            if (staging != 0) Native.free(staging);
            staging = Native.calloc(grown, SiteRegistryLayout.ENTRY_SIZE);
            stagingCapacity = grown;
        }
        for (int i = 0; i < n; i++) {
            Region r = regions.get(i);
            long e = staging + (long) i * SiteRegistryLayout.ENTRY_SIZE;
            Native.putLong(e + SiteRegistryLayout.E_START, r.start);
            Native.putLong(e + SiteRegistryLayout.E_END, r.end);
            Native.putLong(e + SiteRegistryLayout.E_SITES, r.sites);
            Native.putLong(e + SiteRegistryLayout.E_NSITES, r.nsites);
        }
        Native.call(publishStub, base, staging, n);
    }
}
