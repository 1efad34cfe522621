/*
 * Problem: since Linux 6.3 the sysctl vm.memfd_noexec decides whether a memfd may
 * be mapped executable. At 0 a memfd created without MFD_EXEC or MFD_NOEXEC_SEAL is
 * executable (and the kernel logs a warning about the missing flag); at 1 it is
 * sealed non-executable unless MFD_EXEC is passed; at 2 MFD_EXEC is refused and no
 * memfd can ever be mapped executable. Older kernels have no sysctl and reject the
 * unknown MFD_EXEC flag with EINVAL.
 * Approach: read the sysctl at every allocation (it can be raised at run time) and
 * answer the extra memfd_create flags: MFD_EXEC whenever the kernel knows the flag
 * (the sysctl exists and is 0 or 1), nothing on older kernels, and a clear error
 * at 2 instead of a puzzling EACCES/EPERM from memfd_create or mmap.
 */
package dev.patchbay.internal.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Which memfd_create flags make a memfd mappable as executable here. */
final class MemfdExecPolicy {
    static final Path SYSCTL = Path.of("/proc/sys/vm/memfd_noexec");

    private MemfdExecPolicy() {}

    /** The sysctl's current value, or null on kernels that do not have it (before 6.3). */
    static String sysctlValue() {
        try {
            return new String(Files.readAllBytes(SYSCTL), StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SYSCTL, e);
        }
    }

    /** Extra memfd_create flags for an executable memfd, given the sysctl's value (null: absent). */
    static int execFlags(String sysctlValue) {
        if (sysctlValue == null) {
            return 0; // pre-6.3 kernel: every memfd is executable, and MFD_EXEC would be EINVAL
        }
        if (sysctlValue.equals("2")) {
            throw new UnsupportedOperationException("Patchbay cannot create executable code memory: sysctl"
                    + " vm.memfd_noexec=2 disables executable memfd mappings (memfd_create refuses MFD_EXEC)."
                    + " Patchbay needs vm.memfd_noexec at 0 or 1 in this pid namespace.");
        }
        // 0 or 1 (or a future value, which the kernel judges): ask for an executable memfd explicitly.
        return Native.MFD_EXEC;
    }
}
