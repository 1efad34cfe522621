/*
 * Problem: a failed system call must fail fast, and the exception must say which
 * call, with which arguments, and why (errno), so that the failure can be diagnosed
 * from the message alone; callers that can recover (EINTR, EMFILE) need the errno
 * as a value rather than parsed out of text.
 * Approach: one unchecked exception that carries the errno next to a message built
 * by the facade, e.g. "mmap(addr=0x0, len=4096, prot=RX, ...) failed: errno 12 (ENOMEM)".
 */
package dev.patchbay.internal.sys;

/** A native call reported failure; {@link #errno()} is the errno it left. */
public final class NativeCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeCallException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** Wraps {@code cause} with more context in front of its message; keeps its errno. */
    public NativeCallException(String context, NativeCallException cause) {
        super(context + ": " + cause.getMessage(), cause);
        this.errno = cause.errno;
    }

    /** The errno value the failing call left (see {@link Errno}). */
    public int errno() {
        return errno;
    }
}
