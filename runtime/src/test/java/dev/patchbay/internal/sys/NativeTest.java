/*
 * Problem: the facade is the only way Patchbay touches native state, so each of its
 * paths must be shown to work here: the platform check, errno read through both the
 * jnr-ffi and the jffi paths, memory, atomics over native memory, symbols, and the
 * small system calls.
 * Approach: one test per path, against real libc and real memory; failure paths are
 * provoked with arguments the kernel is sure to reject (fd -1, misaligned addresses).
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NativeTest {

    // ---------------------------------------------------------------- platform

    @Test
    void thisMachineIsSupported() {
        Native.checkPlatform(); // must not throw on Linux x86-64
        assertNull(Native.unsupportedReason("Linux", "amd64"));
        assertNull(Native.unsupportedReason("Linux", "x86_64"));
    }

    @Test
    void otherPlatformsAreNamedInTheMessage() {
        assertEquals("Patchbay needs Linux x86-64; this is Mac OS X/aarch64",
                Native.unsupportedReason("Mac OS X", "aarch64"));
        assertEquals("Patchbay needs Linux x86-64; this is Linux/aarch64",
                Native.unsupportedReason("Linux", "aarch64"));
        assertEquals("Patchbay needs Linux x86-64; this is Windows 11/amd64",
                Native.unsupportedReason("Windows 11", "amd64"));
    }

    // ---------------------------------------------------------------- errno

    @Test
    void jnrPathReportsErrnoWithSymbolicName() {
        NativeCallException e = assertThrows(NativeCallException.class, () -> Native.close(-1));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close(fd=-1) failed: errno 9 (EBADF)", e.getMessage());

        // munmap needs a page-aligned address.
        e = assertThrows(NativeCallException.class, () -> Native.munmap(1, 4096));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("munmap(addr=0x1, len=4096) failed: errno 22 (EINVAL)", e.getMessage());
    }

    @Test
    void jffiMmapPathReportsErrno() {
        // MAP_SHARED of a descriptor that is not open: EBADF, read through jffi's LastError.
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> Native.mmap(0, 4096, Native.PROT_READ | Native.PROT_EXEC, Native.MAP_SHARED, -1, 0));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("mmap(addr=0x0, len=4096, prot=RX, flags=MAP_SHARED, fd=-1, offset=0) failed: errno 9 (EBADF)",
                e.getMessage());

        // A zero length is EINVAL: a different errno, so the value is really read each time.
        e = assertThrows(NativeCallException.class,
                () -> Native.mmap(0, 0, Native.PROT_READ, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS, -1, 0));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void mmapSixthArgumentArrives() {
        // The offset is the 6th argument; a garbled one makes mmap fail with EINVAL or map the wrong page.
        int page = Native.pageSize();
        int fd = Native.memfdCreate("patchbay:native-test-offset", Native.MFD_CLOEXEC);
        try {
            Native.ftruncate(fd, 2L * page);
            long whole = Native.mmap(0, 2L * page, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_SHARED, fd, 0);
            long second = Native.mmap(0, page, Native.PROT_READ, Native.MAP_SHARED, fd, page);
            try {
                Native.putLong(whole + page, 0x5EC0_9DL);
                assertEquals(0x5EC0_9DL, Native.getLong(second));
                ProcSelf.Mapping m = ProcSelf.maps().stream().filter(x -> x.start() == second).findFirst().orElseThrow();
                assertEquals(page, m.offset());
            } finally {
                Native.munmap(whole, 2L * page);
                Native.munmap(second, page);
            }
        } finally {
            Native.close(fd);
        }
    }

    @Test
    void mprotectFailsLoudly() {
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> Native.mprotect(1, 4096, Native.PROT_READ));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("mprotect(addr=0x1, len=4096, prot=R) failed"), e.getMessage());
    }

    @Test
    void errnoNames() {
        assertEquals("errno 12 (ENOMEM)", Errno.describe(12));
        assertEquals("errno 4242", Errno.describe(4242));
        assertEquals("RX", Native.protName(Native.PROT_READ | Native.PROT_EXEC));
        assertEquals("RW", Native.protName(Native.PROT_READ | Native.PROT_WRITE));
        assertEquals("NONE", Native.protName(Native.PROT_NONE));
    }

    // ---------------------------------------------------------------- process and system calls

    @Test
    void pageSizeIsAPowerOfTwo() {
        int page = Native.pageSize();
        assertTrue(page >= 4096 && Integer.bitCount(page) == 1, "page size " + page);
    }

    @Test
    void pidAndTid() throws Exception {
        assertEquals(ProcessHandle.current().pid(), Native.getpid());
        int tid = Native.gettid();
        assertTrue(Files.isDirectory(Path.of("/proc/self/task/" + tid)), "no /proc/self/task/" + tid);
        AtomicInteger other = new AtomicInteger();
        Thread t = new Thread(() -> other.set(Native.gettid()));
        t.start();
        t.join();
        assertTrue(other.get() > 0);
        assertNotEquals(tid, other.get());
    }

    @Test
    void membarrierQueryThroughVariadicSyscall() {
        int supported = Native.membarrier(Native.MEMBARRIER_CMD_QUERY, 0);
        assertTrue((supported & Native.MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE) != 0,
                "membarrier QUERY answered 0x" + Integer.toHexString(supported));
        // An unknown command is EINVAL, and the errno comes back through the jffi path.
        NativeCallException e = assertThrows(NativeCallException.class, () -> Native.membarrier(1 << 20, 0));
        assertEquals(Errno.EINVAL, e.errno());
    }

    // ---------------------------------------------------------------- symbols

    @Test
    void symbols() {
        assertNotEquals(0, Native.symbol("mmap"));
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> Native.symbol("patchbay_no_such_symbol"));
        assertTrue(e.getMessage().contains("patchbay_no_such_symbol"), e.getMessage());
    }

    // ---------------------------------------------------------------- memory

    @Test
    void scalarAccessors() {
        long p = Native.malloc(32);
        try {
            Native.putByte(p, (byte) -3);
            Native.putInt(p + 4, 0xCAFEBABE);
            Native.putLong(p + 8, 0x0123456789ABCDEFL);
            assertEquals((byte) -3, Native.getByte(p));
            assertEquals(0xCAFEBABE, Native.getInt(p + 4));
            assertEquals(0x0123456789ABCDEFL, Native.getLong(p + 8));
            assertEquals((byte) 0xEF, Native.getByte(p + 8), "little-endian");
        } finally {
            Native.free(p);
        }
    }

    @Test
    void arrayCopiesAndSetMemory() {
        long p = Native.calloc(4, 16);
        try {
            byte[] zeros = new byte[64];
            byte[] seen = new byte[64];
            Native.copyToArray(p, seen, 0, 64);
            assertArrayEquals(zeros, seen, "calloc memory is zeroed");

            byte[] src = {1, 2, 3, 4, 5, 6};
            Native.copyFromArray(src, 2, p + 10, 3);
            byte[] back = new byte[5];
            Native.copyToArray(p + 9, back, 1, 4);
            assertArrayEquals(new byte[] {0, 0, 3, 4, 5}, back);

            Native.setMemory(p, 64, (byte) 0x7F);
            assertEquals(0x7F7F7F7F7F7F7F7FL, Native.getLong(p + 56));

            assertThrows(IndexOutOfBoundsException.class, () -> Native.copyFromArray(src, 4, p, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> Native.copyToArray(p, back, -1, 2));
        } finally {
            Native.free(p);
        }
    }

    @Test
    void allocationArgumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Native.malloc(0));
        assertThrows(IllegalArgumentException.class, () -> Native.calloc(Long.MAX_VALUE, 2));
        assertThrows(IllegalArgumentException.class, () -> Native.setMemory(8, -1, (byte) 0));
        Native.free(0); // like free(NULL)
    }

    @Test
    void longAtomicOverNativeMemory() {
        long p = Native.calloc(1, 64);
        try {
            ByteBuffer buf = Native.directBuffer(p, 64);
            assertTrue(Native.LONG_ATOMIC.compareAndSet(buf, 8, 0L, 5L));
            assertFalse(Native.LONG_ATOMIC.compareAndSet(buf, 8, 0L, 6L));
            assertEquals(5L, (long) Native.LONG_ATOMIC.getVolatile(buf, 8));
            assertEquals(5L, (long) Native.LONG_ATOMIC.getAndAdd(buf, 8, 10L));
            assertEquals(15L, Native.getLong(p + 8), "the VarHandle writes the native word in native order");
            Native.LONG_ATOMIC.setRelease(buf, 56, -1L);
            assertEquals(-1L, Native.getLong(p + 56));

            // Misaligned: only plain get/set are allowed, anything stronger throws.
            assertThrows(IllegalStateException.class, () -> Native.LONG_ATOMIC.compareAndSet(buf, 4, 0L, 1L));
            assertThrows(IllegalStateException.class, () -> Native.LONG_ATOMIC.getVolatile(buf, 12));
        } finally {
            Native.free(p);
        }
    }
}
