/*
 * The layout of the vmctx: the per-Store native block that generated code reaches through
 * R15. Generated code (prologue stack checks, trap islands, comparison-mode checks, the
 * trampolines) and the runtime both read and write it, so every offset lives here and
 * nowhere else. All fields are 8 bytes and 8-byte aligned, so the runtime can use
 * atomic accesses on any of them.
 */
package dev.patchbay.codegen.vm;

/**
 * The offsets of the vmctx, the per-Store native block that generated code reaches through R15 and
 * the runtime reads and writes. Every field is 8 bytes and 8-byte aligned.
 */
public final class VmctxLayout {
    private VmctxLayout() {}

    /** Identifies a live vmctx ("PBVMCTX\0" little-endian), checked by the signal handler. */
    public static final int MAGIC = 0;
    /** Host RSP saved by the entry trampoline; trap unwinding restores it. */
    public static final int HOST_SP = 8;
    /** Lowest RSP a guest frame may reach; prologues trap with stk_ovf below it. */
    public static final int STACK_LIMIT = 16;
    /** Guest stack budget in bytes, used by the outermost entry to set STACK_LIMIT. */
    public static final int STACK_SIZE = 24;
    /** Trap code number of the last trap (TrapCode.code()), 0 if none. */
    public static final int TRAP_CODE = 32;
    /**
     * Set to 1 by the safepoint stub when it unwinds for a due interrupt on its own, without
     * calling into Java; the trap stub adds it to the status the entry trampoline returns
     * (EntryStatus.INTERRUPTED instead of TRAP) and clears it. Invariant: 0 whenever no
     * unwind is in flight, so a later guest trap never reports an interrupt.
     */
    public static final int STUB_INTERRUPT = TRAP_CODE + 8;
    /** Last guest FP and PC, recorded on exit to the host (hostcalls, hooks). */
    public static final int LAST_EXIT_FP = STUB_INTERRUPT + 8;
    public static final int LAST_EXIT_PC = LAST_EXIT_FP + 8;
    /** RBP of the entry trampoline frame: guest stack walks stop here. */
    public static final int ENTRY_FP = LAST_EXIT_PC + 8;
    /** Address of the engine's epoch counter (a u64), for the CHECK comparison mode. */
    public static final int EPOCH_PTR = ENTRY_FP + 8;
    /** The Store's epoch deadline, for the CHECK comparison mode. */
    public static final int EPOCH_DEADLINE = EPOCH_PTR + 8;
    /** Remaining fuel (signed), for the FUEL comparison mode. */
    public static final int FUEL = EPOCH_DEADLINE + 8;
    /** Address of the poll page, for the POLL comparison mode. */
    public static final int POLL_PAGE = FUEL + 8;
    /** Hook function pointers, one per site kind, called by the hook trampolines (0 = none). */
    public static final int HOOKS = POLL_PAGE + 8;
    public static final int HOOK_SLOTS = 8;
    /** The Store's index in the runtime's StoreTable: how an upcall finds its Store. */
    public static final int STORE_ID = HOOKS + 8 * HOOK_SLOTS;
    /**
     * Guest backtrace captured by the trap stub before it unwinds (the guest frames are
     * gone once the host runs again): BT_COUNT return addresses at BT_PCS, innermost first.
     */
    public static final int BT_COUNT = STORE_ID + 8;
    public static final int BT_PCS = BT_COUNT + 8;
    public static final int BT_MAX = 64;
    /**
     * Lowest STACK_LIMIT the outermost entry may set: the bottom of the calling thread's
     * stack plus a margin that keeps the JVM's guard and shadow zones out of reach.
     */
    public static final int STACK_FLOOR = BT_PCS + 8 * BT_MAX;
    /** Address of a trap stub (any instance's) for traps raised outside module code (the safepoint stub). */
    public static final int TRAP_STUB = STACK_FLOOR + 8;
    /** Hit counters of the native counting hooks, one per site kind. */
    public static final int HOOK_COUNTS = TRAP_STUB + 8;
    /**
     * The number of the Store's outermost call running now (0 while none), and the number
     * of the call an interrupt() targets (0 for none). The safepoint stub compares them:
     * equal and non-zero means the owner unwinds with an INTERRUPT trap at once, without
     * calling into Java. Numbering calls makes an interrupt that arrives as its call ends
     * stale for every later call, with no reset to race against.
     */
    public static final int ACTIVE_CALL = HOOK_COUNTS + 8 * HOOK_SLOTS;
    public static final int INTERRUPT_CALL = ACTIVE_CALL + 8;
    /**
     * The thread pointer (fs:[0]) of the thread executing guest code of this Store right
     * now, 0 while none does. The entry trampoline sets it (saving the previous value in
     * its frame) and its unwind path restores it; every exit from guest code to code that
     * may reach Java (exit trampolines, hook trampolines, the safepoint stub's upcall)
     * clears it for the duration and sets it again on return. The SIGSEGV/SIGBUS handler
     * treats a fault outside Patchbay code as a guest fault only when this word equals
     * the faulting thread's own thread pointer, so a fault in host code (HotSpot's
     * implicit null checks in a hostcall's Java, say) always reaches HotSpot.
     */
    public static final int IN_GUEST = INTERRUPT_CALL + 8;
    /**
     * The thread pointer of the thread inside an exit trampoline's hostcall, 0 when none is.
     * The exit trampoline sets it after LAST_EXIT_FP and LAST_EXIT_PC and clears it before
     * it clears LAST_EXIT_FP, so a signal handler running on the thread whose pointer this
     * is sees that thread's own exit frame in LAST_EXIT_FP/PC: what the signal sampler walks
     * to attribute a sample taken in a hostcall. A nested guest call's exit overwrites it,
     * and its return clears it, for the rest of the outer hostcall (those samples count as
     * not in guest code).
     */
    public static final int EXIT_THREAD = IN_GUEST + 8;
    /**
     * Non-zero once a debugger is attached to the Store (runtime's StoreDebugger): an int3 in
     * this Store's code that is not a patch site then goes to the safepoint stub (a
     * breakpoint, or a guest debugtrap the runtime turns into a `debug` Trap itself) instead
     * of straight to the trap stub. 0 by default, so the SIGTRAP handler behaves as before.
     */
    public static final int DEBUG_BREAKS = EXIT_THREAD + 8;
    /**
     * Stepping over a breakpoint with the trap flag: 1 while the displaced instruction runs
     * (the safepoint stub resumes it by iretq with TF set), 0 otherwise. The SIGTRAP
     * handler's single-step path then writes 0xCC back at STEP_WRITE (the breakpoint's byte
     * in the RW alias), clears TF and sets it to 0. Invariant: non-zero only between the
     * owner's STEP return from a safepoint and the next single-step trap on the owner thread.
     */
    public static final int STEP_STATE = DEBUG_BREAKS + 8;
    /** The RW-alias address of the breakpoint byte being stepped over (see STEP_STATE). */
    public static final int STEP_WRITE = STEP_STATE + 8;
    /**
     * The guest's general-purpose registers at the current safepoint, by x86 encoding (RAX
     * at +0 .. R15 at +120; RSP's slot holds the guest's RSP at the trap), written by the safepoint stub before its
     * upcall when DEBUG_BREAKS is set: what a debugger reads register values from. Valid only
     * during the upcall.
     */
    public static final int SAFEPOINT_GPRS = STEP_WRITE + 8;
    /** Total size in bytes. */
    public static final int SIZE = 1024;

    public static int hookCount(int kindOrdinal) {
        hook(kindOrdinal);
        return HOOK_COUNTS + 8 * kindOrdinal;
    }

    /**
     * How far below STACK_LIMIT (and STACK_FLOOR) guest-related frames may lie: leaf
     * functions skip the stack check for frames up to 1 KiB, and an exit trampoline spills
     * at most Limits.MAX_PARAMS arguments below the guest. The signal handler and the
     * backtrace walkers accept stack addresses down to STACK_FLOOR - GUEST_STACK_SLACK,
     * which stays inside the JVM_STACK_RESERVE kept free above the thread's guard zones,
     * so any address in that range can be read without faulting.
     */
    public static final int GUEST_STACK_SLACK = 64 * 1024;

    public static final long MAGIC_VALUE = 0x0058_5443_4D56_4250L;

    /** Offset of the hook pointer for a site kind's ordinal. */
    public static int hook(int kindOrdinal) {
        if (kindOrdinal < 0 || kindOrdinal >= HOOK_SLOTS) {
            throw new IllegalArgumentException("hook slot out of range 0.." + (HOOK_SLOTS - 1) + ": " + kindOrdinal);
        }
        return HOOKS + 8 * kindOrdinal;
    }

    static {
        if (SAFEPOINT_GPRS + 8 * 16 > SIZE) throw new AssertionError("vmctx fields exceed SIZE");
    }
}
