/*
 * Problem: CodeMemory is where generated code runs and is patched; it must execute
 * what is written through its RW alias, reject every access outside its bounds or
 * after close, and never leave half an allocation behind.
 * Approach: run tiny hand-assembled functions from it, patch them through the alias
 * and run again, and provoke each misuse and failure (including a second mmap that
 * fails, through the package-private mmap seam) and check the message and what is
 * left in /proc/self.
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CodeMemoryTest {

    private static long patchbayMappings() {
        return ProcSelf.maps().stream().filter(m -> m.path().contains("patchbay")).count();
    }

    @Test
    void runsCodeWrittenThroughTheAlias() {
        try (CodeMemory code = CodeMemory.allocate(64, "ret42")) {
            code.write(0, TinyCode.hex("B8 2A 00 00 00 C3")); // mov eax, 42; ret
            assertEquals(42, Native.call(code.execBase()));
            assertNotEquals(code.execBase(), code.writeBase());
        }
    }

    @Test
    void sixArgumentFunctions() {
        try (CodeMemory code = CodeMemory.allocate(4096, "six-args")) {
            code.write(0, TinyCode.hex("4C 89 C8 C3")); // mov rax, r9; ret
            code.write(64, TinyCode.sumOfArgs(6));
            assertEquals(60, Native.call(code.execAddress(0), 10, 20, 30, 40, 50, 60));
            assertEquals(210, Native.call(code.execAddress(64), 10, 20, 30, 40, 50, 60));
        }
    }

    @Test
    void patchesThroughTheAliasAreWhatExecutes() {
        try (CodeMemory code = CodeMemory.allocate(4096, "patch")) {
            code.write(0, TinyCode.returnConstant(42));
            assertEquals(42, Native.call(code.execBase()));

            code.write1(1, (byte) 7); // the imm32's low byte
            assertEquals((byte) 7, code.read1(1), "the RX view sees the alias write");
            assertEquals(7, Native.call(code.execBase()));

            code.write(0, TinyCode.returnConstant(0x12345678));
            assertArrayEquals(TinyCode.returnConstant(0x12345678), code.read(0, 6));
            assertEquals(0x12345678, Native.call(code.execBase()));
        }
    }

    @Test
    void sizeIsPageRoundedAndMemoryIsZeroed() {
        int page = Native.pageSize();
        try (CodeMemory a = CodeMemory.allocate(1, "one-byte");
             CodeMemory b = CodeMemory.allocate(page + 1, "page-plus-one")) {
            assertEquals(page, a.size());
            assertEquals(2 * page, b.size());
            assertArrayEquals(new byte[2 * page], b.read(0, 2 * page));
            assertEquals(0, b.execBase() % page);
            assertEquals(0, b.writeBase() % page);
        }
    }

    @Test
    void addresses() {
        try (CodeMemory code = CodeMemory.allocate(4096, "addresses")) {
            long base = code.execBase();
            assertEquals(base + 100, code.execAddress(100));
            assertEquals(base + code.size(), code.execAddress(code.size()));
            assertTrue(code.contains(base));
            assertTrue(code.contains(base + code.size() - 1));
            assertFalse(code.contains(base + code.size()));
            assertFalse(code.contains(base - 1));
            assertFalse(code.contains(code.writeBase()), "the RW alias is not the code");
            assertEquals("patchbay:addresses", code.name());
        }
    }

    @Test
    void boundsViolationsNameOffsetLenAndSize() {
        try (CodeMemory code = CodeMemory.allocate(4096, "bounds")) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> code.write(4090, new byte[10]));
            assertEquals("write(offset=4090, len=10) is out of bounds of CodeMemory patchbay:bounds (size=4096)",
                    e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> code.write1(4096, (byte) 0));
            assertEquals("write1(offset=4096, len=1) is out of bounds of CodeMemory patchbay:bounds (size=4096)",
                    e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> code.read1(-1));
            assertTrue(e.getMessage().contains("offset=-1"), e.getMessage());
            // offset + len overflows int: must still be caught, not wrap around.
            assertThrows(IndexOutOfBoundsException.class, () -> code.write(Integer.MAX_VALUE, new byte[2]));
            assertThrows(IndexOutOfBoundsException.class, () -> code.read(100, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> code.execAddress(4097));
            // The edges are fine.
            code.write(4088, new byte[8]);
            code.write(4096, new byte[0]);
            code.read1(4095);
        }
    }

    @Test
    void useAfterCloseThrowsAndDoubleCloseIsHarmless() {
        CodeMemory code = CodeMemory.allocate(4096, "closed");
        code.write(0, TinyCode.returnConstant(1));
        code.close();
        code.close(); // harmless
        assertTrue(code.isClosed());
        Executable[] uses = {
            code::execBase, code::writeBase, code::size,
            () -> code.write(0, new byte[1]), () -> code.write1(0, (byte) 0), () -> code.read1(0),
            () -> code.read(0, 1), () -> code.execAddress(0), () -> code.contains(0),
        };
        for (Executable use : uses) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertEquals("CodeMemory patchbay:closed is closed", e.getMessage());
        }
        assertEquals("CodeMemory[patchbay:closed, closed]", code.toString());
    }

    @Test
    void countersFollowAllocateAndClose() {
        int live = CodeMemory.liveCount();
        long bytes = CodeMemory.mappedBytes();
        CodeMemory a = CodeMemory.allocate(4096, "count-a");
        CodeMemory b = CodeMemory.allocate(3 * 4096, "count-b");
        assertEquals(live + 2, CodeMemory.liveCount());
        assertEquals(bytes + 4 * 4096, CodeMemory.mappedBytes());
        a.close();
        a.close();
        assertEquals(live + 1, CodeMemory.liveCount());
        b.close();
        assertEquals(live, CodeMemory.liveCount());
        assertEquals(bytes, CodeMemory.mappedBytes());
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeMemory.allocate(0, "zero"));
        assertTrue(e.getMessage().startsWith("CodeMemory.allocate(size=0, name=patchbay:zero)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CodeMemory.allocate(Integer.MAX_VALUE, "huge"));
        assertThrows(IllegalArgumentException.class, () -> CodeMemory.allocate(64, "two\nlines"));
        assertThrows(IllegalArgumentException.class, () -> CodeMemory.allocate(64, "x".repeat(241)));
        assertThrows(NullPointerException.class, () -> CodeMemory.allocate(64, null));
        // 9 + 240 = 249 bytes is the longest name memfd_create accepts.
        CodeMemory.allocate(64, "x".repeat(240)).close();
    }

    @Test
    void failedSecondMappingLeavesNothingBehind() {
        long maps = patchbayMappings();
        int fds = ProcSelf.openFdsMatching("memfd:patchbay");
        int live = CodeMemory.liveCount();
        AtomicInteger calls = new AtomicInteger();
        CodeMemory.Mmap failSecond = (addr, len, prot, flags, fd, off) -> {
            if (calls.incrementAndGet() == 2) {
                throw new NativeCallException("mmap(injected) failed: errno 12 (ENOMEM)", Errno.ENOMEM);
            }
            return Native.mmap(addr, len, prot, flags, fd, off);
        };
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> CodeMemory.allocate(4096, "fail-second", failSecond));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals("CodeMemory.allocate(size=4096, name=patchbay:fail-second, vm.memfd_noexec="
                + describeSysctl() + "): mmap(injected) failed: errno 12 (ENOMEM)", e.getMessage());
        assertEquals(2, calls.get());
        assertEquals(maps, patchbayMappings(), "the RX view was unmapped");
        assertEquals(fds, ProcSelf.openFdsMatching("memfd:patchbay"), "the memfd was closed");
        assertEquals(live, CodeMemory.liveCount());
    }

    @Test
    void failedFirstMappingClosesTheMemfd() {
        int fds = ProcSelf.openFdsMatching("memfd:patchbay");
        CodeMemory.Mmap fail = (addr, len, prot, flags, fd, off) -> {
            throw new NativeCallException("mmap(injected) failed: errno 1 (EPERM)", Errno.EPERM);
        };
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> CodeMemory.allocate(4096, "fail-first", fail));
        assertTrue(e.getMessage().contains("executable mappings of a memfd were refused"), e.getMessage());
        assertEquals(fds, ProcSelf.openFdsMatching("memfd:patchbay"));
    }

    private static String describeSysctl() {
        String v = MemfdExecPolicy.sysctlValue();
        return v == null ? "absent" : v;
    }

    @Test
    void liveCodeMemoryHoldsNoFileDescriptor() {
        int before = ProcSelf.openFdsMatching("memfd:patchbay");
        try (CodeMemory a = CodeMemory.allocate(4096, "nofd-a"); CodeMemory b = CodeMemory.allocate(4096, "nofd-b")) {
            assertEquals(before, ProcSelf.openFdsMatching("memfd:patchbay"), "the memfd is closed once both views are mapped");
            a.write(0, TinyCode.returnConstant(7));
            assertEquals(7, Native.call(a.execBase()));
        }
    }
}
