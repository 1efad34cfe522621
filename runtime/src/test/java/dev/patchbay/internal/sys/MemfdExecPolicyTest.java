/*
 * Problem: vm.memfd_noexec decides whether code memory can exist at all, and this
 * machine shows only one of its values.
 * Approach: test the decision for each value directly, and that the live sysctl
 * reads as one of them.
 */
package dev.patchbay.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class MemfdExecPolicyTest {

    @Test
    void flagsForEachSysctlValue() {
        assertEquals(0, MemfdExecPolicy.execFlags(null), "pre-6.3 kernels do not know MFD_EXEC");
        assertEquals(Native.MFD_EXEC, MemfdExecPolicy.execFlags("0"));
        assertEquals(Native.MFD_EXEC, MemfdExecPolicy.execFlags("1"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> MemfdExecPolicy.execFlags("2"));
        assertTrue(e.getMessage().contains("vm.memfd_noexec=2 disables executable memfd mappings"), e.getMessage());
    }

    @Test
    void liveSysctlIsReadable() {
        String v = MemfdExecPolicy.sysctlValue();
        assertTrue(v == null || Set.of("0", "1", "2").contains(v), "vm.memfd_noexec=" + v);
    }
}
