/*
 * Problem: Patchbay needs a handful of libc functions with fixed signatures, and
 * wants them typed (int fds, size_t lengths) rather than called by raw address.
 * Approach: a jnr-ffi interface bound to libc. Only Native uses it; everything else
 * goes through Native. No method here takes six integer parameters: jnr-ffi 2.2.17
 * passes garbage as the 6th integer argument of a bound method (see
 * platform-facts.md), so mmap is called through jffi in Native instead.
 * errno is saved after every call (LibraryOption.SaveError when loading) and read
 * with jnr.ffi.Runtime#getLastError.
 * The interface is public only because jnr-ffi implements it in a class of its own
 * class loader, which cannot implement a package-private interface
 * (IllegalAccessError); it is still internal: use Native. For the same reason it has a
 * package of its own: on the module path, that class is in its loader's unnamed module,
 * which only an unqualified opens (at run time an export) lets implement the interface,
 * and the runtime's descriptor opens this package and nothing else of its internals.
 */
package dev.patchbay.internal.libc;

import jnr.ffi.types.off_t;
import jnr.ffi.types.pid_t;
import jnr.ffi.types.size_t;

/** The libc functions Patchbay binds with jnr-ffi. Use {@code dev.patchbay.internal.sys.Native}, not this. */
public interface LibC {
    int memfd_create(String name, int flags);

    int ftruncate(int fd, @off_t long length);

    int munmap(long addr, @size_t long length);

    int mprotect(long addr, @size_t long length, int prot);

    int close(int fd);

    /** open(path, flags) without O_CREAT, so the variadic mode argument is never read. */
    int open(String path, int flags);

    int clock_gettime(int clockId, long timespec);

    long sysconf(int name);

    @pid_t int getpid();
}
