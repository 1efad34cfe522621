/*
 * The interpreter's memory: live stack slots only. Each slot of each active frame is a
 * byte array at a synthetic base address, so `stack_addr` yields a plain integer that
 * programs can offset, pass to callees and load through, exactly as with real addresses.
 *
 * Addresses come from a bump pointer that never reuses a range, with a guard gap after
 * every slot: an access that strays past its slot, into a slot of a returned frame, or
 * anywhere else is outside every live region and traps with heap_oob. Values are stored
 * little-endian, as on x86-64.
 */
package dev.patchbay.codegen.interp;

import java.util.Map;
import java.util.TreeMap;

final class StackMemory {
    /** Far from zero so small integers never look like addresses. */
    private static final long FIRST_ADDRESS = 0x0000_1000_0000_0000L;
    private static final long GUARD = 64;

    /** Thrown for an access outside every live slot; the interpreter turns it into a heap_oob trap. */
    static final class OutOfBounds extends RuntimeException {
        OutOfBounds(String message) { super(message, null, false, false); }
    }

    private final TreeMap<Long, byte[]> regions = new TreeMap<>();
    private long next = FIRST_ADDRESS;

    /** Allocates a zeroed region and returns its base address. */
    long allocate(int size, int align) {
        long a = Math.max(1, align);
        long base = (next + a - 1) / a * a;
        regions.put(base, new byte[size]);
        next = base + size + GUARD;
        return base;
    }

    void free(long base) { regions.remove(base); }

    long load(long addr, int bytes) {
        Map.Entry<Long, byte[]> r = region(addr, bytes);
        byte[] mem = r.getValue();
        int at = (int) (addr - r.getKey());
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | (mem[at + i] & 0xFF);
        return v;
    }

    void store(long addr, int bytes, long value) {
        Map.Entry<Long, byte[]> r = region(addr, bytes);
        byte[] mem = r.getValue();
        int at = (int) (addr - r.getKey());
        for (int i = 0; i < bytes; i++) mem[at + i] = (byte) (value >>> (8 * i));
    }

    private Map.Entry<Long, byte[]> region(long addr, int bytes) {
        Map.Entry<Long, byte[]> r = regions.floorEntry(addr);
        if (r != null) {
            long off = addr - r.getKey();
            if (off >= 0 && off + bytes <= r.getValue().length) return r;
        }
        throw new OutOfBounds(bytes + "-byte access at 0x" + Long.toHexString(addr) + " is outside every live stack slot");
    }
}
