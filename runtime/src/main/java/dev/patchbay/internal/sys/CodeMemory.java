/*
 * Problem: generated code must be executable and, to patch sites, writable, yet no
 * page may ever be writable and executable at once (DESIGN.md invariant 1, W^X).
 * mprotect-flipping one mapping would make patching racy with the thread that runs
 * the code, and leave windows in which a page is RWX or not executable.
 * Approach: the code lives in an anonymous memfd that is mapped twice with
 * MAP_SHARED: an RX view (PROT_READ|PROT_EXEC) that executes, and an RW alias
 * (PROT_READ|PROT_WRITE) through which all writes go. Both views share the physical
 * pages, so a write through the alias is what the RX view executes. The memfd is
 * named "patchbay:<debugName>" so /proc/self/maps attributes the mappings to us.
 * The descriptor is closed as soon as both views exist (the mappings keep the memfd
 * alive), so a live CodeMemory costs no file descriptor. Every allocation is
 * all-or-nothing, close() gives back both views, and
 * static counters expose what is live.
 */
package dev.patchbay.internal.sys;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W^X executable memory: one memfd mapped as an RX view and an RW alias.
 *
 * <p>Thread safety: reads, writes and close are serialised on an internal lock, so a
 * close racing with a write gives an IllegalStateException, never a write to unmapped
 * memory. Code that is running from the RX view, or raw addresses handed out by
 * {@link #execBase()}, are not protected: the owner must not close memory that may
 * still execute.
 *
 * <p>There is deliberately no Cleaner: generated code may still run from the RX view
 * when the Java object becomes unreachable, and unmapping it then would crash the
 * process. A CodeMemory that is never closed leaks, visibly, in {@link #liveCount()}.
 */
public final class CodeMemory implements AutoCloseable {
    /** The prefix of every memfd name; /proc/self/maps shows "/memfd:patchbay:...". */
    public static final String NAME_PREFIX = "patchbay:";

    // memfd_create accepts names of at most 249 bytes (NAME_MAX minus the "memfd:" prefix).
    private static final int MAX_NAME_BYTES = 249;

    private static final AtomicLong MAPPED_BYTES = new AtomicLong();
    private static final AtomicInteger LIVE_COUNT = new AtomicInteger();

    private final String name;
    private final int size;
    private final long execBase;
    private final long writeBase;
    private final Object lock = new Object();
    private volatile boolean closed;

    private CodeMemory(String name, int size, long execBase, long writeBase) {
        this.name = name;
        this.size = size;
        this.execBase = execBase;
        this.writeBase = writeBase;
    }

    /** The mmap step, replaceable in tests to make the second mapping fail. */
    @FunctionalInterface
    interface Mmap {
        long mmap(long addr, long len, int prot, int flags, int fd, long offset);
    }

    /**
     * Allocates {@code size} bytes (rounded up to whole pages) of code memory, zeroed.
     *
     * @param size      at least 1; {@link #size()} is the page-rounded capacity
     * @param debugName shown in /proc/self/maps as "/memfd:patchbay:debugName (deleted)";
     *                  no control characters
     * @throws UnsupportedOperationException not Linux x86-64, or vm.memfd_noexec=2
     * @throws NativeCallException           a system call failed; nothing is left allocated
     */
    public static CodeMemory allocate(int size, String debugName) {
        return allocate(size, debugName, Native::mmap);
    }

    static CodeMemory allocate(int size, String debugName, Mmap mmap) {
        Native.checkPlatform();
        String name = memfdName(debugName);
        int pageSize = Native.pageSize();
        long rounded = ((long) size + pageSize - 1) & -(long) pageSize;
        if (size <= 0 || rounded > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CodeMemory.allocate(size=" + size + ", name=" + name
                    + "): size must be in [1, " + (Integer.MAX_VALUE - pageSize + 1) + "]");
        }
        String sysctl = MemfdExecPolicy.sysctlValue();
        int flags = Native.MFD_CLOEXEC | MemfdExecPolicy.execFlags(sysctl);
        String what = "CodeMemory.allocate(size=" + size + ", name=" + name + ", vm.memfd_noexec="
                + (sysctl == null ? "absent" : sysctl) + ")";

        int fd;
        try {
            fd = Native.memfdCreate(name, flags);
        } catch (NativeCallException e) {
            throw new NativeCallException(what, e);
        }
        long execBase = 0;
        long writeBase = 0;
        boolean fdClosed = false;
        try {
            Native.ftruncate(fd, rounded);
            try {
                execBase = mmap.mmap(0, rounded, Native.PROT_READ | Native.PROT_EXEC, Native.MAP_SHARED, fd, 0);
            } catch (NativeCallException e) {
                if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                    throw new NativeCallException(e.getMessage() + " (executable mappings of a memfd were refused:"
                            + " check vm.memfd_noexec and LSM policy such as SELinux execmem)", e.errno());
                }
                throw e;
            }
            writeBase = mmap.mmap(0, rounded, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_SHARED, fd, 0);
            // The two mappings keep the memfd alive; the descriptor is not needed again, and
            // keeping one per Store would run into RLIMIT_NOFILE with many Stores.
            fdClosed = true;
            Native.close(fd);
            CodeMemory memory = new CodeMemory(name, (int) rounded, execBase, writeBase);
            MAPPED_BYTES.addAndGet(rounded);
            LIVE_COUNT.incrementAndGet();
            return memory;
        } catch (RuntimeException | Error e) {
            // All or nothing: give back what this call got before it failed.
            for (long base : new long[] {execBase, writeBase}) {
                if (base == 0) continue;
                try {
                    Native.munmap(base, rounded);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (!fdClosed) {
                try {
                    Native.close(fd);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (e instanceof NativeCallException) {
                NativeCallException wrapped = new NativeCallException(what, (NativeCallException) e);
                for (Throwable s : e.getSuppressed()) {
                    wrapped.addSuppressed(s);
                }
                throw wrapped;
            }
            throw e;
        }
    }

    private static String memfdName(String debugName) {
        Objects.requireNonNull(debugName, "debugName");
        String name = NAME_PREFIX + debugName;
        for (int i = 0; i < debugName.length(); i++) {
            // A newline would split the /proc/self/maps line; a NUL would cut the C string.
            if (Character.isISOControl(debugName.charAt(i))) {
                throw new IllegalArgumentException("CodeMemory debugName \"" + debugName.replace("\n", "\\n")
                        + "\" contains control character U+" + String.format("%04X", (int) debugName.charAt(i)));
            }
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("CodeMemory name \"" + name + "\" is " + bytes
                    + " bytes in UTF-8; memfd_create accepts at most " + MAX_NAME_BYTES);
        }
        return name;
    }

    // ---------------------------------------------------------------- accessors

    /** "patchbay:debugName", the memfd's name. Never throws. */
    public String name() {
        return name;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The address of byte 0 in the RX view: where code executes. */
    public long execBase() {
        ensureOpen();
        return execBase;
    }

    /** The address of byte 0 in the RW alias: where code is written. */
    public long writeBase() {
        ensureOpen();
        return writeBase;
    }

    /** The capacity in bytes: the requested size rounded up to whole pages. */
    public int size() {
        ensureOpen();
        return size;
    }

    /** The RX address of {@code offset}; {@code offset == size()} gives the end address. */
    public long execAddress(int offset) {
        ensureOpen();
        if (offset < 0 || offset > size) {
            throw new IndexOutOfBoundsException("execAddress(offset=" + offset + ") is out of bounds of CodeMemory "
                    + name + " (size=" + size + ")");
        }
        return execBase + offset;
    }

    /** Whether {@code execAddr} lies in the RX view. */
    public boolean contains(long execAddr) {
        ensureOpen();
        return execBase <= execAddr && execAddr < execBase + size;
    }

    // ---------------------------------------------------------------- reads and writes

    /** Writes {@code bytes} at {@code offset} through the RW alias. */
    public void write(int offset, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        synchronized (lock) {
            ensureOpen();
            checkRange("write", offset, bytes.length);
            Native.copyFromArray(bytes, 0, writeBase + offset, bytes.length);
        }
    }

    /** Writes one byte at {@code offset} through the RW alias (e.g. an int3 when arming a site). */
    public void write1(int offset, byte b) {
        synchronized (lock) {
            ensureOpen();
            checkRange("write1", offset, 1);
            Native.putByte(writeBase + offset, b);
        }
    }

    /** Reads one byte at {@code offset} from the RX view, i.e. what executes. */
    public byte read1(int offset) {
        synchronized (lock) {
            ensureOpen();
            checkRange("read1", offset, 1);
            return Native.getByte(execBase + offset);
        }
    }

    /** Reads {@code len} bytes at {@code offset} from the RX view. */
    public byte[] read(int offset, int len) {
        synchronized (lock) {
            ensureOpen();
            checkRange("read", offset, len);
            byte[] out = new byte[len];
            Native.copyToArray(execBase + offset, out, 0, len);
            return out;
        }
    }

    private void checkRange(String op, int offset, int len) {
        // Written so that offset + len cannot overflow.
        if (offset < 0 || len < 0 || offset > size - len) {
            throw new IndexOutOfBoundsException(op + "(offset=" + offset + ", len=" + len
                    + ") is out of bounds of CodeMemory " + name + " (size=" + size + ")");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("CodeMemory " + name + " is closed");
        }
    }

    // ---------------------------------------------------------------- lifetime

    /**
     * Unmaps both views (the memfd goes with the last mapping). Idempotent. Every step is attempted
     * even if an earlier one fails; the first failure is thrown afterwards.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            try {
                Native.munmap(execBase, size);
            } catch (RuntimeException e) {
                failure = e;
            }
            try {
                Native.munmap(writeBase, size);
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
            MAPPED_BYTES.addAndGet(-size);
            LIVE_COUNT.decrementAndGet();
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Total capacity of live CodeMemory, in bytes. Each byte is backed once and mapped twice. */
    public static long mappedBytes() {
        return MAPPED_BYTES.get();
    }

    /** How many CodeMemory objects are allocated and not yet closed. */
    public static int liveCount() {
        return LIVE_COUNT.get();
    }

    @Override
    public String toString() {
        return closed
                ? "CodeMemory[" + name + ", closed]"
                : "CodeMemory[" + name + ", size=" + size + ", rx=" + Native.hex(execBase)
                        + ", rw=" + Native.hex(writeBase) + "]";
    }
}
