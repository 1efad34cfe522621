/*
 * Problem: every Store gets its own CodeMemory, so allocation and close run for the
 * life of the process; a leaked mapping or descriptor per cycle would exhaust the
 * address space or the fd table long before anyone noticed.
 * Approach: allocate and close 10,000 CodeMemory objects and check that the
 * kernel's view (Patchbay entries in /proc/self/maps, entries in /proc/self/fd) and
 * our counters are back where they started.
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodeMemoryLeakTest {
    private static final int CYCLES = 10_000;

    private static long patchbayMappings() {
        return ProcSelf.maps().stream().filter(m -> m.path().contains("patchbay")).count();
    }

    @Test
    void allocateAndCloseTenThousandTimes() {
        CodeMemory.allocate(4096, "leak-warmup").close(); // load every class on the path first
        long maps = patchbayMappings();
        int fds = ProcSelf.openFdCount();
        int memfds = ProcSelf.openFdsMatching("memfd:patchbay");
        int live = CodeMemory.liveCount();
        long bytes = CodeMemory.mappedBytes();

        for (int i = 0; i < CYCLES; i++) {
            CodeMemory code = CodeMemory.allocate(4096, "leak");
            if (i % 1000 == 0) {
                code.write(0, TinyCode.returnConstant(i));
                assertEquals(i, Native.call(code.execBase()), "cycle " + i + " runs its code");
            }
            code.close();
        }

        assertEquals(maps, patchbayMappings(), "patchbay entries in /proc/self/maps");
        assertEquals(memfds, ProcSelf.openFdsMatching("memfd:patchbay"), "patchbay memfds in /proc/self/fd");
        // The JVM opens and closes descriptors of its own meanwhile: a leak would add
        // thousands, so allow a few either way.
        int after = ProcSelf.openFdCount();
        assertTrue(after <= fds + 4, "entries in /proc/self/fd: " + fds + " before, " + after + " after");
        assertEquals(live, CodeMemory.liveCount());
        assertEquals(bytes, CodeMemory.mappedBytes());
    }
}
