/*
 * The registry the SIGTRAP handler consults, in native memory: which code regions are
 * Patchbay's, and where each region's patch sites are. Written by Java under a lock,
 * read by the handler in signal context without locks, so it is a seqlock: the writer
 * makes SEQ odd, edits, makes it even again; a reader retries when SEQ is odd or changed.
 * The writer's window is a generated stub (SignalStubs.registryPublish), never Java: a
 * reader in a signal handler must not wait on a writer stopped at a safepoint.
 * Regions are sorted by START and do not overlap. Each region's sites are a sorted array
 * of 32-bit offsets from START.
 *
 *   header:  SEQ (8)  COUNT (8)  CAPACITY (8)  pad (8)
 *   entry i at ENTRIES + i * ENTRY_SIZE:  START (8)  END (8)  SITES (8)  NSITES (8)
 */
package dev.patchbay.signal;

/**
 * The layout of the seqlocked registry of code regions and their sorted site offsets, which the
 * SIGTRAP handler reads in signal context without taking a lock.
 */
final class SiteRegistryLayout {
    private SiteRegistryLayout() {}

    public static final int SEQ = 0;
    public static final int COUNT = 8;
    public static final int CAPACITY = 16;
    public static final int ENTRIES = 32;

    public static final int E_START = 0;
    public static final int E_END = 8;
    public static final int E_SITES = 16;
    public static final int E_NSITES = 24;
    public static final int ENTRY_SIZE = 32;
    public static final int ENTRY_SHIFT = 5;

    public static long size(int capacity) { return ENTRIES + (long) capacity * ENTRY_SIZE; }

    static {
        if (1 << ENTRY_SHIFT != ENTRY_SIZE) throw new AssertionError("ENTRY_SHIFT");
    }
}
