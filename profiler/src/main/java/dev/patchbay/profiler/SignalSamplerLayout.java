/*
 * The one statement of the native memory the signal sampler's generated handler shares with
 * Java (SignalSamplerStubs writes it, SignalSampler reads and drains it), in the manner of
 * Agrona's RingBufferDescriptor: every offset is computed here, once, and checked below.
 *
 * Target table (process-wide, one block, never freed):
 *   HANDLED       signals our handler ran for (any thread)
 *   FOREIGN       signals that were not ours (si_code is not SI_QUEUE, or the index in
 *                 si_value is out of range): counted and ignored
 *   NOT_SAMPLED   ours, for a target slot that is empty now (its sampler was closed)
 *   SLOTS         MAX_TARGETS ring addresses, 0 for a free slot. A signal names its slot by
 *                 the index it carries in si_value, never by a pointer, so a forged signal
 *                 cannot make the handler read a wild address.
 *
 * Ring (one per sampled Store; pooled, never freed, so a handler that loaded a ring address
 * just before the slot was cleared still writes into mapped memory):
 *   VMCTX         the Store's vmctx; vmctx blocks are in slabs that are never unmapped, so
 *                 IN_GUEST, ENTRY_FP and STACK_FLOOR can be read even after the Store closed
 *   MASK          capacity - 1 (capacity a power of two)
 *   CAPACITY      slots in the ring
 *   HEAD          written by the producer only (the handler, on the owner thread: a signal
 *                 is blocked while its handler runs, and only the thread whose thread
 *                 pointer is in IN_GUEST records), its own cache line
 *   TAIL          written by the consumer only (SignalSampler's drain), its own cache line
 *   DROPS         samples lost because the ring was full (head - tail == capacity)
 *   NOT_IN_GUEST  signals taken while the thread was neither running this Store's guest
 *                 code (IN_GUEST) nor in a hostcall of it (EXIT_THREAD): Java, idle, a
 *                 safepoint's upcall, the rest of a hostcall after a nested call returned
 *   OUTSIDE_CODE  in a guest call but the PC was in none of the RANGES (a trampoline, a
 *                 hook, foreign code the guest called)
 *   LAST_MISS_TP  the thread pointer of the last thread that took a NOT_IN_GUEST signal,
 *   LAST_MISS_TID and the tid the sender aimed it at (si_value's high half): so Java
 *                 learns which thread pointer that tid has, and corrects a stale mapping
 *   NRANGES, RANGES  up to MAX_RANGES [start, end) code ranges of the Store's instances;
 *                 Java appends a range and then bumps NRANGES (x86 keeps stores in order)
 *   SLOTS_AT      the slots: SLOT_SIZE bytes each, at SLOTS_AT + (seq & MASK) * SLOT_SIZE
 *
 * Slot: PC (the interrupted RIP), DEPTH (return addresses that follow), SP0 and SP1 ([RSP]
 * and [RSP + 8], or 0 when RSP + 16 is not below ENTRY_FP: at a function's first
 * instruction, after its push rbp, and at its ret, RBP is still the caller's frame and the
 * caller's return address is there instead), FRAMES (DEPTH return addresses from the RBP
 * chain, innermost first, at most MAX_DEPTH). A sample taken in a hostcall has EXIT_FLAG set
 * in DEPTH, PC is LAST_EXIT_PC (the return address of the guest's call to the import), SP0
 * and SP1 are 0, and the walk starts at LAST_EXIT_FP. The walk follows a frame pointer only while it lies in
 * [max(RSP, STACK_FLOOR - GUEST_STACK_SLACK), ENTRY_FP), is 8-aligned and strictly above
 * the previous one: the same bounds as the trap stub, so it reads only the call's stack.
 */
package dev.patchbay.profiler;

/** Offsets of the signal sampler's target table, ring header and ring slots. */
final class SignalSamplerLayout {
    private SignalSamplerLayout() {}

    /** The signal: SIGRTMIN+6 as glibc numbers it (34 + 6); HotSpot, glibc and jffi use none of 40. */
    static final int SIGNAL = 40;
    /** si_code of a signal sent with rt_tgsigqueueinfo by this process. */
    static final int SI_QUEUE = -1;
    /** siginfo_t: si_signo, si_code, si_pid, si_uid, si_value. */
    static final int SI_SIGNO = 0, SI_CODE = 8, SI_PID = 16, SI_UID = 20, SI_VALUE = 24, SIGINFO_SIZE = 128;

    // ---- target table
    static final int T_HANDLED = 0;
    static final int T_FOREIGN = 8;
    static final int T_NOT_SAMPLED = 16;
    static final int T_SLOTS = 64;
    static final int MAX_TARGETS = 64;
    static final int TABLE_SIZE = T_SLOTS + 8 * MAX_TARGETS;

    // ---- ring header
    static final int VMCTX = 0;
    static final int MASK = 8;
    static final int CAPACITY = 16;
    static final int HEAD = 64;
    static final int TAIL = 128;
    static final int DROPS = 192;
    static final int NOT_IN_GUEST = DROPS + 8;
    static final int OUTSIDE_CODE = NOT_IN_GUEST + 8;
    static final int LAST_MISS_TP = OUTSIDE_CODE + 8;
    static final int LAST_MISS_TID = LAST_MISS_TP + 8;
    static final int NRANGES = 256;
    static final int RANGES = NRANGES + 8;
    static final int MAX_RANGES = 32;
    static final int SLOTS_AT = 1024;

    // ---- slot
    static final int S_PC = 0;
    static final int S_DEPTH = 8;
    static final int S_SP0 = 16;
    static final int S_SP1 = 24;
    static final int S_FRAMES = 32;
    static final int MAX_DEPTH = 28;
    /** Set in DEPTH (above any depth) for a sample taken in a hostcall: PC is the guest's return address. */
    static final long EXIT_FLAG = 1L << 16;
    static final int SLOT_SHIFT = 8;
    static final int SLOT_SIZE = 1 << SLOT_SHIFT;

    /** Bytes of a ring of `capacity` slots. */
    static long ringBytes(int capacity) { return SLOTS_AT + (long) capacity * SLOT_SIZE; }

    static {
        if (S_FRAMES + 8 * MAX_DEPTH > SLOT_SIZE) throw new AssertionError("slot overflows SLOT_SIZE");
        if (RANGES + 16 * MAX_RANGES > SLOTS_AT) throw new AssertionError("ranges overflow the ring header");
        if (LAST_MISS_TID + 8 > NRANGES) throw new AssertionError("counters overlap the ranges");
    }
}
