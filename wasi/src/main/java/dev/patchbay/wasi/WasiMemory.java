/*
 * The guest's linear memory as WASI's functions see it. WASI passes every buffer, string
 * and result slot as a 32-bit offset into the calling module's exported memory ("memory"),
 * and its structures are little-endian with the C layout of wasm32. Every access here is
 * bounds-checked against the memory's current size, because the offsets come from the
 * guest: an offset out of range is the guest's error (EFAULT), never a host fault.
 */
package dev.patchbay.wasi;

/**
 * The linear memory a WASI call reads its arguments from and writes its results to:
 * little-endian, and bounds-checked on every access.
 *
 * <p>Implementations check {@code addr} and {@code len} against the memory's size at the
 * time of the call and throw {@link WasiFault} when any byte falls outside it; the default
 * methods are built on {@link #read} and {@link #write}.
 */
public interface WasiMemory {
    /**
     * Copies bytes out of guest memory.
     *
     * @param addr the guest address of the first byte (an unsigned 32-bit offset)
     * @param dst where to copy to
     * @param off the first index of dst to fill
     * @param len how many bytes
     * @throws WasiFault if any byte of {@code [addr, addr + len)} is outside the memory
     */
    void read(long addr, byte[] dst, int off, int len);

    /**
     * Copies bytes into guest memory.
     *
     * @param addr the guest address of the first byte (an unsigned 32-bit offset)
     * @param src what to copy
     * @param off the first index of src to copy
     * @param len how many bytes
     * @throws WasiFault if any byte of {@code [addr, addr + len)} is outside the memory
     */
    void write(long addr, byte[] src, int off, int len);

    /**
     * Reads a little-endian 32-bit value.
     *
     * @param addr its guest address
     * @return the value
     * @throws WasiFault if it is outside the memory
     */
    default int readI32(long addr) {
        byte[] b = new byte[4];
        read(addr, b, 0, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /**
     * Writes a little-endian value of 1, 2, 4 or 8 bytes.
     *
     * @param addr its guest address
     * @param value the value, of which the low {@code size} bytes are written
     * @param size 1, 2, 4 or 8
     * @throws WasiFault if it is outside the memory
     */
    default void writeLE(long addr, long value, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (value >>> (8 * i));
        write(addr, b, 0, size);
    }
}
