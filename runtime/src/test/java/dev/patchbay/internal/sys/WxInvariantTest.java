/*
 * Problem: DESIGN.md invariant 1 (W^X): no Patchbay mapping is ever writable and
 * executable at once. Our own bookkeeping cannot prove that; the kernel's view can.
 * Approach: with several CodeMemory objects live and holding code, read
 * /proc/self/maps and check every mapping of a "memfd:patchbay" file: none is
 * w and x together, each RX view is exactly "r-xs" and each RW alias "rw-s", and
 * each covers exactly its CodeMemory.
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WxInvariantTest {

    @Test
    void noPatchbayMappingIsWritableAndExecutable() {
        List<CodeMemory> live = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                CodeMemory code = CodeMemory.allocate(4096 * (1 + i % 3), "wx-" + i);
                code.write(0, TinyCode.returnConstant(i));
                assertEquals(i, Native.call(code.execBase()));
                live.add(code);
            }
            List<ProcSelf.Mapping> ours = ProcSelf.maps().stream()
                    .filter(m -> m.path().contains("memfd:patchbay"))
                    .toList();
            long viewsOfThisTest = ours.stream().filter(m -> m.path().contains("memfd:patchbay:wx-")).count();
            assertEquals(2 * live.size(), viewsOfThisTest, "two views per CodeMemory: " + ours);
            for (ProcSelf.Mapping m : ours) {
                assertFalse(m.writable() && m.executable(), "W^X violated: " + m);
            }
            for (CodeMemory code : live) {
                ProcSelf.Mapping rx = mappingAt(ours, code.execBase());
                ProcSelf.Mapping rw = mappingAt(ours, code.writeBase());
                assertEquals("r-xs", rx.perms(), rx.toString());
                assertEquals("rw-s", rw.perms(), rw.toString());
                assertEquals(code.size(), rx.size());
                assertEquals(code.size(), rw.size());
                assertTrue(rx.path().startsWith("/memfd:" + code.name()), rx.path());
                assertEquals(rx.path(), rw.path(), "both views map the same memfd");
            }
        } finally {
            live.forEach(CodeMemory::close);
        }
        assertTrue(ProcSelf.maps().stream().noneMatch(m -> m.path().contains("memfd:patchbay:wx-")));
    }

    private static ProcSelf.Mapping mappingAt(List<ProcSelf.Mapping> maps, long addr) {
        return maps.stream().filter(m -> m.start() == addr).findFirst()
                .orElseThrow(() -> new AssertionError("no mapping starts at " + Native.hex(addr) + " in " + maps));
    }
}
