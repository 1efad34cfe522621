/*
 * Problem: Patchbay calls into native code in many places (system calls, raw memory,
 * generated machine code, symbol lookup). Spread over the code base, those calls
 * would tie every module to jffi/jnr-ffi, hide errno handling in many copies, and
 * make a later java.lang.foreign backend (JDK 22+) a rewrite.
 * Approach: this class is the one facade through which every native call goes.
 * Typed libc functions are bound with jnr-ffi (LibC); mmap (six integer arguments,
 * which jnr-ffi 2.2.17 garbles), syscall (variadic) and calls into code by address
 * go through jffi with cached CallContexts; memory goes through jffi MemoryIO.
 * Failures throw NativeCallException with the call, its arguments and the symbolic
 * errno. All native state lives in the Lib holder class, whose initialisation begins
 * with checkPlatform(), so on an unsupported platform no library is loaded and no
 * native call half-runs.
 */
package dev.patchbay.internal.sys;

import dev.patchbay.internal.libc.LibC;
import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;

/**
 * The facade for every native call Patchbay makes. Static methods only.
 *
 * <p>Memory accessors take raw addresses and do no bounds checks: a wrong address
 * kills the JVM. Callers that hold a region (CodeMemory, a Store's vmctx) check
 * bounds before they get here.
 */
public final class Native {
    // mmap/mprotect protections, mmap flags and memfd_create flags (Linux x86-64 values).
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MFD_CLOEXEC = 0x1;
    public static final int MFD_EXEC = 0x10;

    // x86-64 system call numbers for calls glibc has no wrapper for (platform-facts.md).
    public static final int SYS_GETTID = 186;
    public static final int SYS_MEMBARRIER = 324;

    // membarrier commands.
    public static final int MEMBARRIER_CMD_QUERY = 0;
    public static final int MEMBARRIER_CMD_PRIVATE_EXPEDITED = 8;
    public static final int MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED = 16;
    public static final int MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE = 32;
    public static final int MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 64;

    private static final long MAP_FAILED = -1L;
    private static final int SC_PAGESIZE = 30; // _SC_PAGESIZE in glibc's <bits/confname.h>

    /**
     * Volatile, acquire/release and CAS access to native 64-bit words, through a
     * {@link #directBuffer} over the memory: {@code LONG_ATOMIC.compareAndSet(buf, index, expect, update)},
     * where {@code index} is a byte offset into the buffer.
     *
     * <p>Alignment: the native address {@code bufferAddress + index} must be a multiple
     * of 8. A misaligned access in any mode other than plain get/set throws
     * IllegalStateException, and a misaligned plain get/set is not atomic (it may tear).
     * malloc/calloc results are 16-byte aligned, pages are 4096-byte aligned.
     */
    public static final VarHandle LONG_ATOMIC =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static final String UNSUPPORTED_REASON =
            unsupportedReason(System.getProperty("os.name"), System.getProperty("os.arch"));

    private Native() {}

    // ---------------------------------------------------------------- platform

    /**
     * Fails unless this is Linux x86-64, the only platform Patchbay generates code for.
     * Pure Java: it loads nothing, so entry points can call it first for a clean error.
     *
     * @throws UnsupportedOperationException "Patchbay needs Linux x86-64; this is os/arch"
     */
    public static void checkPlatform() {
        if (UNSUPPORTED_REASON != null) {
            throw new UnsupportedOperationException(UNSUPPORTED_REASON);
        }
    }

    /** The checkPlatform message for {@code os}/{@code arch}, or null if supported. */
    static String unsupportedReason(String os, String arch) {
        boolean linux = "Linux".equals(os);
        boolean x8664 = "amd64".equals(arch) || "x86_64".equals(arch);
        return linux && x8664 ? null : "Patchbay needs Linux x86-64; this is " + os + "/" + arch;
    }

    /**
     * Holds every native handle. Initialised on the first native call; its first act
     * is checkPlatform(), so on another platform the first native call fails (an
     * ExceptionInInitializerError caused by the UnsupportedOperationException) before
     * any library is loaded.
     */
    private static final class Lib {
        static final LibC LIBC;
        static final jnr.ffi.Runtime RUNTIME;
        static final MemoryIO MEM;
        static final Invoker INVOKER;
        static final LastError LAST_ERROR;
        /** CODE_CALL[n]: long f(long x n), for calls into generated code; errno not saved. */
        static final CallContext[] CODE_CALL = new CallContext[7];
        static final long MMAP;
        static final CallContext MMAP_CALL;
        static final long SYSCALL;
        /** long syscall(long number, ...) with three variadic longs after the number. */
        static final CallContext SYSCALL_CALL;
        static final int PAGE_SIZE;

        static {
            checkPlatform();
            LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");
            RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
            MEM = MemoryIO.getInstance();
            INVOKER = Invoker.getInstance();
            LAST_ERROR = LastError.getInstance();
            for (int n = 0; n < CODE_CALL.length; n++) {
                Type[] params = new Type[n];
                Arrays.fill(params, Type.SINT64);
                CODE_CALL[n] = CallContext.getCallContext(Type.SINT64, params, CallingConvention.DEFAULT, false);
            }
            MMAP = requireSymbol("mmap");
            // void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
            MMAP_CALL = CallContext.getCallContext(Type.POINTER,
                    new Type[] {Type.POINTER, Type.ULONG, Type.SINT, Type.SINT, Type.SINT, Type.SLONG},
                    CallingConvention.DEFAULT, true);
            SYSCALL = requireSymbol("syscall");
            // long syscall(long number, ...): one fixed parameter, so libffi passes the rest as varargs.
            SYSCALL_CALL = CallContext.getCallContext(Type.SLONG, 1,
                    new Type[] {Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG},
                    CallingConvention.DEFAULT, true);
            long pageSize = LIBC.sysconf(SC_PAGESIZE);
            if (pageSize <= 0 || Long.bitCount(pageSize) != 1 || pageSize > (1 << 30)) {
                throw new IllegalStateException("sysconf(_SC_PAGESIZE) returned " + pageSize
                        + ", " + Errno.describe(RUNTIME.getLastError()) + "; expected a power of two");
            }
            PAGE_SIZE = (int) pageSize;
        }

        private static long requireSymbol(String name) {
            long addr = Library.getDefault().getSymbolAddress(name);
            if (addr == 0) {
                throw new UnsatisfiedLinkError("libc symbol '" + name + "' not found: " + Library.getLastError());
            }
            return addr;
        }
    }

    // ---------------------------------------------------------------- libc

    /** memfd_create(name, flags): a new anonymous file; returns its fd. */
    public static int memfdCreate(String name, int flags) {
        Objects.requireNonNull(name, "name");
        int fd = Lib.LIBC.memfd_create(name, flags);
        if (fd < 0) {
            throw failure("memfd_create(name=\"" + name + "\", flags=0x" + Integer.toHexString(flags) + ")",
                    Lib.RUNTIME.getLastError());
        }
        return fd;
    }

    /** ftruncate(fd, length). */
    public static void ftruncate(int fd, long length) {
        if (Lib.LIBC.ftruncate(fd, length) != 0) {
            throw failure("ftruncate(fd=" + fd + ", length=" + length + ")", Lib.RUNTIME.getLastError());
        }
    }

    /**
     * mmap(addr, len, prot, flags, fd, offset); returns the mapping's address.
     * Called through jffi, not jnr-ffi: jnr-ffi 2.2.17 garbles the 6th integer argument.
     */
    public static long mmap(long addr, long len, int prot, int flags, int fd, long offset) {
        long result = Lib.INVOKER.invokeL6(Lib.MMAP_CALL, Lib.MMAP, addr, len, prot, flags, fd, offset);
        if (result == MAP_FAILED) {
            throw failure("mmap(addr=" + hex(addr) + ", len=" + len + ", prot=" + protName(prot)
                    + ", flags=" + mapFlagsName(flags) + ", fd=" + fd + ", offset=" + offset + ")",
                    Lib.LAST_ERROR.get());
        }
        return result;
    }

    /** munmap(addr, len). */
    public static void munmap(long addr, long len) {
        if (Lib.LIBC.munmap(addr, len) != 0) {
            throw failure("munmap(addr=" + hex(addr) + ", len=" + len + ")",
                    Lib.RUNTIME.getLastError());
        }
    }

    /**
     * mprotect(addr, len, prot). Unlike jffi's PageManager, which ignores mprotect's
     * result, this fails loudly.
     */
    public static void mprotect(long addr, long len, int prot) {
        if (Lib.LIBC.mprotect(addr, len, prot) != 0) {
            throw failure("mprotect(addr=" + hex(addr) + ", len=" + len + ", prot="
                    + protName(prot) + ")", Lib.RUNTIME.getLastError());
        }
    }

    /**
     * close(fd). On Linux the descriptor is released even when close reports EINTR,
     * so this never retries (a retry could close a descriptor another thread just got).
     */
    public static void close(int fd) {
        if (Lib.LIBC.close(fd) != 0) {
            throw failure("close(fd=" + fd + ")", Lib.RUNTIME.getLastError());
        }
    }

    /** O_RDONLY | O_CLOEXEC, the flags {@link #openReadOnly} passes. */
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLOCK_MONOTONIC = 1;

    /** open(path, O_RDONLY | O_CLOEXEC); returns the fd, to be closed with {@link #close}. */
    public static int openReadOnly(String path) {
        Objects.requireNonNull(path, "path");
        int fd = Lib.LIBC.open(path, O_RDONLY_CLOEXEC);
        if (fd < 0) throw failure("open(path=\"" + path + "\", O_RDONLY|O_CLOEXEC)", Lib.RUNTIME.getLastError());
        return fd;
    }

    /**
     * clock_gettime(CLOCK_MONOTONIC) in nanoseconds: the clock {@code perf record -k 1}
     * stamps samples with, asked for by name rather than trusting that System.nanoTime
     * reads the same one.
     */
    public static long clockMonotonicNanos() {
        long ts = malloc(16);
        try {
            if (Lib.LIBC.clock_gettime(CLOCK_MONOTONIC, ts) != 0) {
                throw failure("clock_gettime(CLOCK_MONOTONIC)", Lib.RUNTIME.getLastError());
            }
            return getLong(ts) * 1_000_000_000L + getLong(ts + 8);
        } finally {
            free(ts);
        }
    }

    /** The page size (sysconf(_SC_PAGESIZE)), read once. */
    public static int pageSize() {
        return Lib.PAGE_SIZE;
    }

    /** getpid(). */
    public static int getpid() {
        return Lib.LIBC.getpid();
    }

    /** The calling thread's kernel thread id (syscall gettid), as signals and /proc name it. */
    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0, "gettid()");
    }

    /**
     * membarrier(cmd, flags) (syscall 324). Returns the syscall's result (for QUERY,
     * the mask of supported commands). The PRIVATE_EXPEDITED commands answer EPERM
     * until the process registered for them.
     */
    public static int membarrier(int cmd, int flags) {
        return (int) syscall(SYS_MEMBARRIER, cmd, flags, 0, "membarrier(cmd=" + cmd + ", flags=" + flags + ")");
    }

    private static long syscall(long number, long a0, long a1, long a2, String what) {
        long result = Lib.INVOKER.invokeL4(Lib.SYSCALL_CALL, Lib.SYSCALL, number, a0, a1, a2);
        if (result == -1) {
            throw failure(what, Lib.LAST_ERROR.get());
        }
        return result;
    }

    private static NativeCallException failure(String call, int errno) {
        return new NativeCallException(call + " failed: " + Errno.describe(errno), errno);
    }

    /** "RX", "RW", "R", "NONE", ...: protections as letters, for messages. */
    public static String protName(int prot) {
        if (prot == PROT_NONE) {
            return "NONE";
        }
        StringBuilder sb = new StringBuilder();
        if ((prot & PROT_READ) != 0) sb.append('R');
        if ((prot & PROT_WRITE) != 0) sb.append('W');
        if ((prot & PROT_EXEC) != 0) sb.append('X');
        int rest = prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC);
        if (rest != 0) sb.append("|0x").append(Integer.toHexString(rest));
        return sb.toString();
    }

    private static String mapFlagsName(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & MAP_SHARED) != 0) sb.append("MAP_SHARED|");
        if ((flags & MAP_PRIVATE) != 0) sb.append("MAP_PRIVATE|");
        if ((flags & MAP_ANONYMOUS) != 0) sb.append("MAP_ANONYMOUS|");
        int rest = flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS);
        if (rest != 0) sb.append("0x").append(Integer.toHexString(rest)).append('|');
        return sb.length() == 0 ? "0" : sb.substring(0, sb.length() - 1);
    }

    // ---------------------------------------------------------------- symbols

    /**
     * The address of {@code name} in the process's global symbol scope (libc and
     * everything loaded with RTLD_GLOBAL).
     *
     * @throws UnsatisfiedLinkError if the symbol is not found (the JDK's error for a missing native symbol)
     */
    public static long symbol(String name) {
        Objects.requireNonNull(name, "name");
        long addr = Library.getDefault().getSymbolAddress(name);
        if (addr == 0) {
            throw new UnsatisfiedLinkError("symbol '" + name + "' not found in the default library scope: "
                    + Library.getLastError());
        }
        return addr;
    }

    /**
     * A shared object loaded with {@link #dlopen}. It is never unloaded: code and data in it
     * may be referred to for the life of the process (gdb keeps a breakpoint in it), so the
     * handle is kept reachable by whoever holds this (jffi dlcloses a collected Library).
     */
    public static final class SharedObject {
        private final Library library;
        private final String path;

        private SharedObject(Library library, String path) {
            this.library = library;
            this.path = path;
        }

        /**
         * The address of {@code name} in this object (dlsym).
         *
         * @throws UnsatisfiedLinkError if the object does not define it
         */
        public long symbol(String name) {
            Objects.requireNonNull(name, "name");
            long addr = library.getSymbolAddress(name);
            if (addr == 0) {
                throw new UnsatisfiedLinkError("symbol '" + name + "' not found in " + path + ": " + Library.getLastError());
            }
            return addr;
        }
    }

    /**
     * dlopen(path, RTLD_NOW | RTLD_LOCAL): loads a shared object by path.
     *
     * @throws UnsatisfiedLinkError with dlerror()'s message if the object cannot be loaded
     */
    public static SharedObject dlopen(String path) {
        Objects.requireNonNull(path, "path");
        checkPlatform();
        Library lib = Library.openLibrary(path, Library.NOW | Library.LOCAL);
        if (lib == null) throw new UnsatisfiedLinkError("dlopen(\"" + path + "\") failed: " + Library.getLastError());
        return new SharedObject(lib, path);
    }

    private static final class Sig {
        static final long SIGACTION = symbol("sigaction");
    }

    /**
     * glibc sigaction(sig, act, oldact) with struct sigaction pointers (0 for none). glibc
     * supplies SA_RESTORER and its restorer itself.
     */
    public static void sigaction(int sig, long act, long oldact) {
        int rc = (int) call(Sig.SIGACTION, sig, act, oldact);
        if (rc != 0) {
            throw new NativeCallException("sigaction(" + sig + ", act=0x" + Long.toHexString(act) + ") returned " + rc, rc);
        }
    }

    private static final class Pthread {
        static final long SELF = symbol("pthread_self");
        static final long GETATTR = symbol("pthread_getattr_np");
        static final long GETSTACK = symbol("pthread_attr_getstack");
        static final long DESTROY = symbol("pthread_attr_destroy");
    }

    /**
     * The calling thread's stack as {lowest address, size in bytes}, from
     * pthread_getattr_np. For the primordial thread glibc derives it from RLIMIT_STACK.
     */
    public static long[] threadStackBounds() {
        // pthread_attr_t is 56 bytes on x86-64 glibc; the out-parameters follow it.
        long mem = calloc(1, 64 + 16);
        try {
            long attr = mem, outAddr = mem + 64, outSize = mem + 72;
            int rc = (int) call(Pthread.GETATTR, call(Pthread.SELF), attr);
            if (rc != 0) throw new NativeCallException("pthread_getattr_np failed: " + Errno.describe(rc), rc);
            try {
                rc = (int) call(Pthread.GETSTACK, attr, outAddr, outSize);
                if (rc != 0) throw new NativeCallException("pthread_attr_getstack failed: " + Errno.describe(rc), rc);
                return new long[] {getLong(outAddr), getLong(outSize)};
            } finally {
                call(Pthread.DESTROY, attr);
            }
        } finally {
            free(mem);
        }
    }

    // ---------------------------------------------------------------- memory (no bounds checks)

    public static byte getByte(long addr) {
        return Lib.MEM.getByte(addr);
    }

    public static void putByte(long addr, byte value) {
        Lib.MEM.putByte(addr, value);
    }

    public static int getInt(long addr) {
        return Lib.MEM.getInt(addr);
    }

    public static void putInt(long addr, int value) {
        Lib.MEM.putInt(addr, value);
    }

    public static long getLong(long addr) {
        return Lib.MEM.getLong(addr);
    }

    public static void putLong(long addr, long value) {
        Lib.MEM.putLong(addr, value);
    }

    /** Copies {@code src[off, off+len)} to native memory at {@code dstAddr}. The array range is checked. */
    public static void copyFromArray(byte[] src, int off, long dstAddr, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        Lib.MEM.putByteArray(dstAddr, src, off, len);
    }

    /** Copies {@code len} bytes of native memory at {@code srcAddr} into {@code dst[off, off+len)}. */
    public static void copyToArray(long srcAddr, byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        Lib.MEM.getByteArray(srcAddr, dst, off, len);
    }

    /** Sets {@code len} bytes at {@code addr} to {@code value}. */
    public static void setMemory(long addr, long len, byte value) {
        if (len < 0) {
            throw new IllegalArgumentException("setMemory(addr=" + hex(addr) + ", len=" + len
                    + "): negative length");
        }
        Lib.MEM.setMemory(addr, len, value);
    }

    /** malloc(size): uninitialised memory, 16-byte aligned; release with {@link #free}. */
    public static long malloc(long size) {
        return allocate(size, false, "malloc(size=" + size + ")");
    }

    /** calloc(count, elemSize): zeroed memory, 16-byte aligned; release with {@link #free}. */
    public static long calloc(long count, long elemSize) {
        long size;
        try {
            size = Math.multiplyExact(count, elemSize);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("calloc(count=" + count + ", elemSize=" + elemSize + "): size overflows");
        }
        return allocate(size, true, "calloc(count=" + count + ", elemSize=" + elemSize + ")");
    }

    private static long allocate(long size, boolean clear, String call) {
        if (size <= 0) {
            throw new IllegalArgumentException(call + ": size must be positive");
        }
        long addr = Lib.MEM.allocateMemory(size, clear);
        if (addr == 0) {
            throw new OutOfMemoryError(call + " returned NULL");
        }
        return addr;
    }

    /** free(addr) for memory from {@link #malloc}/{@link #calloc}; free(0) does nothing. */
    public static void free(long addr) {
        if (addr != 0) {
            Lib.MEM.freeMemory(addr);
        }
    }

    /**
     * A direct ByteBuffer over {@code len} bytes at {@code addr}, in native byte order.
     * It does not own the memory: it must not be used after the memory is freed or
     * unmapped. Use with {@link #LONG_ATOMIC} for volatile/CAS access.
     */
    public static ByteBuffer directBuffer(long addr, int len) {
        if (addr == 0 || len < 0) {
            throw new IllegalArgumentException("directBuffer(addr=" + hex(addr) + ", len=" + len + ")");
        }
        return Lib.MEM.newDirectByteBuffer(addr, len).order(ByteOrder.nativeOrder());
    }

    // ---------------------------------------------------------------- calls into code by address

    // Each call is one JNI downcall through libffi with a cached CallContext (SysV ABI,
    // int64 arguments in rdi, rsi, rdx, rcx, r8, r9; result in rax). Measured elsewhere
    // on this machine class: about 8-9 ns per call (10-17 ns when the 2 vCPUs are
    // shared with other load). errno is not saved: generated code does not set it, and
    // a context that saves errno costs about 8 ns more per call. The thread is in the
    // JVM's native state while the code runs, so GC does not wait for it.

    /** Calls {@code long f(void)} at {@code fnAddr}. */
    public static long call(long fnAddr) {
        return Lib.INVOKER.invokeL0NoErrno(Lib.CODE_CALL[0], fnAddr);
    }

    /** Calls {@code long f(long)} at {@code fnAddr}. */
    public static long call(long fnAddr, long a0) {
        return Lib.INVOKER.invokeL1NoErrno(Lib.CODE_CALL[1], fnAddr, a0);
    }

    /** Calls {@code long f(long, long)} at {@code fnAddr}. */
    public static long call(long fnAddr, long a0, long a1) {
        return Lib.INVOKER.invokeL2NoErrno(Lib.CODE_CALL[2], fnAddr, a0, a1);
    }

    /** Calls {@code long f(long, long, long)} at {@code fnAddr}. */
    public static long call(long fnAddr, long a0, long a1, long a2) {
        return Lib.INVOKER.invokeL3NoErrno(Lib.CODE_CALL[3], fnAddr, a0, a1, a2);
    }

    /** Calls {@code long f(long, long, long, long)} at {@code fnAddr}. */
    public static long call(long fnAddr, long a0, long a1, long a2, long a3) {
        return Lib.INVOKER.invokeL4NoErrno(Lib.CODE_CALL[4], fnAddr, a0, a1, a2, a3);
    }

    /** Calls {@code long f(long, long, long, long, long)} at {@code fnAddr}. */
    public static long call(long fnAddr, long a0, long a1, long a2, long a3, long a4) {
        return Lib.INVOKER.invokeL5NoErrno(Lib.CODE_CALL[5], fnAddr, a0, a1, a2, a3, a4);
    }

    /** Calls {@code long f(long, long, long, long, long, long)} at {@code fnAddr}. */
    public static long call(long fnAddr, long a0, long a1, long a2, long a3, long a4, long a5) {
        return Lib.INVOKER.invokeL6NoErrno(Lib.CODE_CALL[6], fnAddr, a0, a1, a2, a3, a4, a5);
    }

    /** "0x7f00..." for addresses in messages. */
    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
