/*
 * Problem: the profiler's native hooks (generated code, see ProfilerStubs) and the Java
 * profiler that reads their counters share a block of native memory per profiled Store.
 * Both sides must agree on every offset, and DESIGN.md wants native layouts read by
 * generated code named in one place.
 * Approach: this class is that place. One state block per profiled Store:
 *
 *   header   DEPTH, OVERFLOWS, UNMATCHED, STALE (8 bytes each), padded to HEADER_SIZE
 *   stack    STACK_MAX frames of FRAME_SIZE at STACK: F_REC F_FP F_T0 F_CHILD
 *   records  one RECORD_SIZE record per profiled function at RECORDS: CALLS TOTAL SELF ACTIVE
 *
 * Site tables are separate blocks, one per instance: a u32 per 4 bytes of code, indexed by
 * (return address - code base) >> SITE_SHIFT, holding the byte offset of the function's
 * record from the state base, or 0 for "not a profiled site". Patch sites are 5 bytes long,
 * so two sites' return addresses are at least 5 bytes apart and never share a slot.
 *
 * Only the Store's owner thread writes the block (from its hooks), with plain stores; Java
 * reads it from any thread. Every field is 8 bytes and 8-byte aligned, so those reads never
 * tear. All time fields are in TSC ticks.
 */
package dev.patchbay.profiler;

/**
 * The offsets of the native memory that a profiled Store's generated hooks write and the Java
 * profiler reads: the state block (header, shadow stack, per-function records) and the per-instance
 * site tables.
 */
final class ProfilerLayout {
    private ProfilerLayout() {}

    /** Frames on the shadow stack. */
    public static final int DEPTH = 0;
    /** Entries not pushed because the shadow stack was full (their calls still count). */
    public static final int OVERFLOWS = 8;
    /** Exits with no entry frame to match (the entry ran while its site was off, or overflowed). */
    public static final int UNMATCHED = 16;
    /** Frames dropped because their exit never ran (a trap or an unwind skipped it). */
    public static final int STALE = 24;
    public static final int HEADER_SIZE = 64;

    /** Shadow stack of entry timestamps, so exits can compute total and self time. */
    public static final int STACK = HEADER_SIZE;
    public static final int STACK_MAX = 4096;
    /** Record offset (from the state base) of the frame's function. */
    public static final int F_REC = 0;
    /** Guest RBP of the frame: identifies the activation, and orders frames on the stack. */
    public static final int F_FP = 8;
    /** TSC at entry. */
    public static final int F_T0 = 16;
    /** Ticks spent in profiled callees so far (subtracted for self time). */
    public static final int F_CHILD = 24;
    public static final int FRAME_SIZE = 32;
    public static final int FRAME_SHIFT = 5;

    /** Per-function records. */
    public static final int RECORDS = STACK + STACK_MAX * FRAME_SIZE;
    /** Entry-site hits. */
    public static final int CALLS = 0;
    /** Inclusive ticks, added only when the function's outermost activation returns (recursion counts once). */
    public static final int TOTAL = 8;
    /** Exclusive ticks: inclusive minus the ticks of profiled callees. */
    public static final int SELF = 16;
    /** Activations of the function on the shadow stack now. */
    public static final int ACTIVE = 24;
    public static final int RECORD_SIZE = 64;

    /** Site tables: one u32 slot per 1 << SITE_SHIFT bytes of code. */
    public static final int SITE_SHIFT = 2;
    public static final int SITE_SLOT_SIZE = 4;

    /** Byte offset of record i from the state base. */
    public static long recordOffset(int index) { return RECORDS + (long) index * RECORD_SIZE; }

    /** Size of a state block holding n records. */
    public static long size(int records) { return RECORDS + (long) records * RECORD_SIZE; }

    /** Size of the site table of a code region of the given size. */
    public static long siteTableSize(int codeSize) {
        return ((long) (codeSize >> SITE_SHIFT) + 1) * SITE_SLOT_SIZE;
    }

    /** The most records whose offsets still fit a u32 site-table slot. */
    public static final int MAX_RECORDS = (int) ((0xFFFF_FFFFL - RECORDS) / RECORD_SIZE);

    static {
        if (1 << FRAME_SHIFT != FRAME_SIZE) throw new AssertionError("FRAME_SHIFT");
    }
}
