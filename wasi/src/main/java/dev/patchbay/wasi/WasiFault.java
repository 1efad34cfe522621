/*
 * A guest pointer that leads outside its memory. WASI functions answer it with EFAULT
 * rather than a trap, so a guest that passes a bad buffer sees an error code, as it would
 * from a native kernel.
 */
package dev.patchbay.wasi;

/** Thrown by a {@link WasiMemory} when an access falls outside the guest's memory. */
public final class WasiFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A fault at an address.
     *
     * @param addr the guest address of the access
     * @param len its length in bytes
     * @param size the memory's size in bytes at the time
     */
    public WasiFault(long addr, long len, long size) {
        super("guest access [" + addr + ", " + (addr + len) + ") is outside its memory of " + size + " bytes");
    }
}
