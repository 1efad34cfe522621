/*
 * Problem: the W^X and leak tests trust ProcSelf's reading of /proc/self; a parser
 * that dropped paths with spaces or misread hex would make them pass vacuously.
 * Approach: parse known lines of every shape, then check the live maps against
 * things that must be there (the stack, a mapping of our own making) and the fd
 * count against a descriptor we open.
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcSelfTest {

    @Test
    void parsesFileBackedLine() {
        ProcSelf.Mapping m = ProcSelf.parse(
                "7f1c2a000000-7f1c2a001000 r-xs 00002000 00:01 1234                       /memfd:patchbay:f (deleted)");
        assertEquals(0x7f1c2a000000L, m.start());
        assertEquals(0x7f1c2a001000L, m.end());
        assertEquals(4096, m.size());
        assertEquals("r-xs", m.perms());
        assertEquals(0x2000, m.offset());
        assertEquals("/memfd:patchbay:f (deleted)", m.path());
        assertTrue(m.readable() && m.executable() && m.shared() && !m.writable());
    }

    @Test
    void parsesAnonymousAndHighLines() {
        ProcSelf.Mapping anon = ProcSelf.parse("55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0 ");
        assertEquals("", anon.path());
        assertTrue(anon.writable() && !anon.shared());
        ProcSelf.Mapping vsys = ProcSelf.parse(
                "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]");
        assertEquals(0xffffffffff600000L, vsys.start());
        assertEquals(4096, vsys.size());
        assertEquals("[vsyscall]", vsys.path());
        assertThrows(IllegalArgumentException.class, () -> ProcSelf.parse("garbage"));
    }

    @Test
    void liveMapsContainTheStackAndOurMemory() {
        List<ProcSelf.Mapping> maps = ProcSelf.maps();
        assertTrue(maps.stream().anyMatch(m -> m.path().equals("[stack]")), "no [stack] in " + maps);
        try (CodeMemory code = CodeMemory.allocate(8192, "proc-self test")) {
            long bytes = ProcSelf.mappedBytesMatching(m -> m.path().contains("memfd:patchbay:proc-self test"));
            assertEquals(2 * 8192, bytes, "both views, path with a space");
            assertTrue(ProcSelf.maps().stream().anyMatch(m -> m.contains(code.execBase())));
        }
    }

    @Test
    void fdCountFollowsOpenAndClose() throws Exception {
        int before = ProcSelf.openFdCount();
        try (FileInputStream in = new FileInputStream("/proc/self/maps")) {
            assertEquals(before + 1, ProcSelf.openFdCount());
        }
        assertEquals(before, ProcSelf.openFdCount());
    }
}
