/*
 * Problem: a failed libc call leaves only a number in errno, and "errno 12" in an
 * exception message sends the reader to a header file.
 * Approach: a table of the symbolic names (Linux x86-64 values) of the errors our
 * calls can plausibly report, used to render "errno 12 (ENOMEM)". Unknown values are
 * rendered with the number alone rather than guessed.
 */
package dev.patchbay.internal.sys;

/** Symbolic names for Linux errno values, for error messages. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSYS = 38;

    private Errno() {}

    /** The symbolic name of {@code errno}, or null if it is not in the table. */
    public static String name(int errno) {
        switch (errno) {
            case 0: return "OK";
            case 1: return "EPERM";
            case 2: return "ENOENT";
            case 3: return "ESRCH";
            case 4: return "EINTR";
            case 5: return "EIO";
            case 6: return "ENXIO";
            case 7: return "E2BIG";
            case 9: return "EBADF";
            case 11: return "EAGAIN";
            case 12: return "ENOMEM";
            case 13: return "EACCES";
            case 14: return "EFAULT";
            case 16: return "EBUSY";
            case 17: return "EEXIST";
            case 19: return "ENODEV";
            case 22: return "EINVAL";
            case 23: return "ENFILE";
            case 24: return "EMFILE";
            case 26: return "ETXTBSY";
            case 27: return "EFBIG";
            case 28: return "ENOSPC";
            case 30: return "EROFS";
            case 34: return "ERANGE";
            case 38: return "ENOSYS";
            case 75: return "EOVERFLOW";
            case 95: return "EOPNOTSUPP";
            default: return null;
        }
    }

    /** "errno 12 (ENOMEM)", or "errno 4242" when the value has no known name. */
    public static String describe(int errno) {
        String name = name(errno);
        return name == null ? "errno " + errno : "errno " + errno + " (" + name + ")";
    }
}
