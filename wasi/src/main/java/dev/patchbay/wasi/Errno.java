/*
 * The errno values of wasi_snapshot_preview1 that these functions return. The numbers are
 * the ABI (witx's $errno), not the host's: a guest's libc maps them to its own errno.
 */
package dev.patchbay.wasi;

/** The WASI preview 1 error codes the functions here return, with their ABI numbers. */
public enum Errno {
    /** No error. */
    SUCCESS(0),
    /** Bad file descriptor. */
    BADF(8),
    /** Bad address: a buffer outside the guest's memory. */
    FAULT(21),
    /** Invalid argument. */
    INVAL(28),
    /** I/O error. */
    IO(29),
    /** Function not supported. */
    NOSYS(52),
    /** Not supported on this descriptor. */
    NOTSUP(58),
    /** Invalid seek: the descriptor is a pipe or a terminal. */
    SPIPE(70);

    /** The number the guest sees. */
    public final int code;

    Errno(int code) {
        this.code = code;
    }
}
