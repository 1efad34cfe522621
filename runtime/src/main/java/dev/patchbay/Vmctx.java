/*
 * The vmctx: the native block that generated code reaches through R15, owned by one
 * Store. Its layout is VmctxLayout (codegen), the one place offsets are written down;
 * this class is the one place the runtime reads and writes it, through named accessors.
 *
 * Problem: the block is raw malloc memory that generated code, signal handlers and any
 * thread calling interrupt() may touch. A write after free corrupts whatever malloc hands
 * out next (a later Store's vmctx, once); a read after free returns garbage.
 *
 * Invariants:
 *  1. Every field access goes through an accessor here, at an offset VmctxLayout names.
 *  2. After free(), every accessor throws IllegalStateException("store is closed") instead
 *     of touching memory. The check is a plain field read, so it cannot order a racing
 *     access: callers that may run on another thread than the owner (interrupt, the
 *     watcher's force) hold the Store's lock, which free() also holds (StoreCore.close).
 *  3. The block is zeroed at allocation, so any field the runtime has not set reads 0.
 *  4. The block comes from VmctxMemory, whose slabs are never unmapped, so the signal
 *     handlers may read any block they have validated R15 against.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.vm.VmctxLayout;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.internal.sys.VmctxMemory;

final class Vmctx {
    private final long address;
    private volatile boolean freed;

    private Vmctx(long address) {
        this.address = address;
    }

    /** A zeroed block with its magic set; `storeIndex` is what StoreTable finds the Store by. */
    static Vmctx allocate(int storeIndex) {
        Vmctx v = new Vmctx(VmctxMemory.allocate());
        v.put(VmctxLayout.MAGIC, VmctxLayout.MAGIC_VALUE);
        v.put(VmctxLayout.STORE_ID, storeIndex);
        return v;
    }

    /** The address generated code gets in R15; only for handing to native code. */
    long address() {
        check();
        return address;
    }

    /** The Store index this block was allocated for, read back (StoreTable checks it). */
    static long storeIndexAt(long vmctxAddress) { return Native.getLong(vmctxAddress + VmctxLayout.STORE_ID); }

    boolean isFreed() { return freed; }

    void free() {
        if (freed) return;
        freed = true;
        // Zeroed (MAGIC included) and kept mapped: a signal handler that still looks at the
        // block reads a dead vmctx, never unmapped memory (see VmctxMemory).
        VmctxMemory.free(address);
    }

    // ---- fields, by name ----

    long stackSize() { return get(VmctxLayout.STACK_SIZE); }
    void setStackSize(long bytes) { put(VmctxLayout.STACK_SIZE, bytes); }

    /** The lowest stack address the running call may reach, as the owner set it at entry. */
    long stackFloor() { return get(VmctxLayout.STACK_FLOOR); }

    void setStackFloor(long floor) { put(VmctxLayout.STACK_FLOOR, floor); }

    long trapCode() { return get(VmctxLayout.TRAP_CODE); }
    void setTrapCode(long code) { put(VmctxLayout.TRAP_CODE, code); }

    void setTrapStub(long address) { put(VmctxLayout.TRAP_STUB, address); }

    long entryFp() { return get(VmctxLayout.ENTRY_FP); }

    void setEpochPtr(long counterAddress) { put(VmctxLayout.EPOCH_PTR, counterAddress); }
    void setEpochDeadline(long epoch) { put(VmctxLayout.EPOCH_DEADLINE, epoch); }

    long fuel() { return get(VmctxLayout.FUEL); }
    void setFuel(long fuel) { put(VmctxLayout.FUEL, fuel); }

    void setPollPage(long address) { put(VmctxLayout.POLL_PAGE, address); }

    void setHook(SiteKind kind, long nativeAddress) { put(VmctxLayout.hook(kind.ordinal()), nativeAddress); }
    long hookCount(SiteKind kind) { return get(VmctxLayout.hookCount(kind.ordinal())); }

    /** A guest register at the current safepoint, by encoding (VmctxLayout.SAFEPOINT_GPRS). */
    long safepointGpr(int enc) {
        if (enc < 0 || enc > 15) throw new IndexOutOfBoundsException("register " + enc);
        return get(VmctxLayout.SAFEPOINT_GPRS + 8 * enc);
    }

    void setDebugBreaks(boolean on) { put(VmctxLayout.DEBUG_BREAKS, on ? 1 : 0); }
    long stepState() { return get(VmctxLayout.STEP_STATE); }
    long stepWrite() { return get(VmctxLayout.STEP_WRITE); }
    /** Arms the safepoint stub's step over a breakpoint (STEP_WRITE first: the handler reads it at state 1). */
    void setStep(long state, long writeAddress) {
        put(VmctxLayout.STEP_WRITE, writeAddress);
        put(VmctxLayout.STEP_STATE, state);
    }

    void setActiveCall(long call) { put(VmctxLayout.ACTIVE_CALL, call); }
    void setInterruptCall(long call) { put(VmctxLayout.INTERRUPT_CALL, call); }

    /** Writes what the trap stub records: only InterruptPathWarmup's rehearsal, which has no trap stub run. */
    void recordBacktrace(long pc) {
        put(VmctxLayout.BT_PCS, pc);
        put(VmctxLayout.BT_COUNT, 1);
    }

    /** How many backtrace PCs the trap stub recorded, clamped to the buffer's size. */
    int backtraceCount() { return (int) Math.max(0, Math.min(VmctxLayout.BT_MAX, get(VmctxLayout.BT_COUNT))); }
    long backtracePc(int i) {
        if (i < 0 || i >= VmctxLayout.BT_MAX) throw new IndexOutOfBoundsException("backtrace slot " + i + " of " + VmctxLayout.BT_MAX);
        return get(VmctxLayout.BT_PCS + 8 * i);
    }

    private long get(int offset) {
        check();
        return Native.getLong(address + offset);
    }

    private void put(int offset, long value) {
        check();
        Native.putLong(address + offset, value);
    }

    private void check() {
        if (freed) throw new IllegalStateException("store is closed");
    }
}
