/*
 * The Linux x86-64 (glibc) signal ABI that generated signal-handling code reads and the
 * runtime writes: struct sigaction, siginfo_t, ucontext_t, the flags, and the syscall
 * numbers the handler needs to re-raise a signal with its default action. Values are
 * from ../shared/reference/platform-facts.md, re-checked by the signal-handler tests.
 */
package dev.patchbay.signal;

/**
 * The Linux x86-64 signal ABI (struct sigaction, siginfo_t, ucontext_t, flags and syscall numbers)
 * that generated signal-handling code reads and the runtime writes.
 */
final class LinuxSignalLayout {
    private LinuxSignalLayout() {}

    public static final int SIGTRAP = 5;
    public static final int SIGBUS = 7;
    public static final int SIGSEGV = 11;

    /** glibc struct sigaction (what sigaction(2) in libc takes): 152 bytes. */
    public static final int SA_HANDLER = 0;
    public static final int SA_MASK = 8;
    public static final int SA_MASK_BYTES = 128;
    public static final int SA_FLAGS = 136;
    public static final int SA_RESTORER_FIELD = 144;
    public static final int SIGACTION_SIZE = 152;

    /** The kernel's struct for rt_sigaction(2): handler, flags, restorer, 8-byte mask. */
    public static final int KSA_HANDLER = 0;
    public static final int KSA_FLAGS = 8;
    public static final int KSA_RESTORER = 16;
    public static final int KSA_MASK = 24;
    public static final int KSIGACTION_SIZE = 32;

    public static final int SA_SIGINFO = 0x4;
    public static final int SA_ONSTACK = 0x08000000;
    public static final int SA_RESTART = 0x10000000;
    public static final int SA_NODEFER = 0x40000000;
    public static final int SA_RESETHAND = 0x80000000;
    public static final int SA_RESTORER = 0x04000000;

    public static final long SIG_DFL = 0;
    public static final long SIG_IGN = 1;

    /** siginfo_t. */
    public static final int SI_SIGNO = 0;
    public static final int SI_CODE = 8;
    public static final int SI_ADDR = 16;
    /** si_code of a trap raised by the kernel itself (int3). */
    public static final int SI_KERNEL = 0x80;
    /** si_code of a single-step trap (the trap flag). */
    public static final int TRAP_TRACE = 2;
    /** The trap flag in RFLAGS. */
    public static final int EFLAGS_TF = 0x100;

    /** ucontext_t: uc_mcontext.gregs starts at 40, 8 bytes per register. */
    public static final int UC_GREGS = 40;
    public static final int REG_R11 = 3, REG_RBP = 10, REG_RSP = 15, REG_RIP = 16, REG_EFL = 17, REG_R15 = 7;

    public static int greg(int index) { return UC_GREGS + 8 * index; }

    public static final int UC_RSP = greg(REG_RSP);
    public static final int UC_RIP = greg(REG_RIP);
    public static final int UC_RBP = greg(REG_RBP);
    public static final int UC_R15 = greg(REG_R15);
    public static final int UC_EFLAGS = greg(REG_EFL);

    public static final int SYS_RT_SIGACTION = 13;
    public static final int SYS_GETPID = 39;
    public static final int SYS_GETTID = 186;
    public static final int SYS_TGKILL = 234;

    static {
        if (UC_RSP != 160 || UC_RIP != 168 || UC_RBP != 120) throw new AssertionError("ucontext offsets");
    }
}
