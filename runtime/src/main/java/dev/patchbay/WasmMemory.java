/*
 * A Wasm linear memory: one reservation of 8 GiB + 64 KiB, PROT_NONE, of which the first
 * length bytes are read-write. Translated code addresses it as base + u32 index + u32
 * offset, which is below base + 8 GiB, so no access can leave the reservation: an access
 * past the length lands on a PROT_NONE page, and the SIGSEGV handler turns it into a
 * heap_oob Trap.
 *
 * Invariants:
 *  - The base never moves; grow makes more of the reservation accessible with mprotect and
 *    then publishes the new length in the descriptor that code reads.
 *  - The reservation and the descriptor are released when the Store is freed (close() or its
 *    Cleaner), never earlier: the release action refers to addresses only, not the Store.
 *  - Bulk operations (fill, copy, init) run natively (memset, memmove) on the range, after
 *    checking all of it, so they work on memories of 2 GiB and more.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.wasm.translate.InstanceLayout;

import java.util.OptionalLong;

/** A WebAssembly linear memory of a {@link Store}: pages of 64 KiB, grown in place. */
public final class WasmMemory {
    /** The size of a Wasm page in bytes. */
    public static final long PAGE = 65536;
    /** The most pages a 32-bit memory can have. */
    public static final long MAX_PAGES = 65536;
    /** The reservation per memory: 8 GiB (any u32 index plus u32 offset) and a 64 KiB guard. */
    static final long RESERVATION = (8L << 30) + PAGE;
    private static final int MAP_NORESERVE = 0x4000;

    private static final class Memmove {
        static final long ADDRESS = Native.symbol("memmove");
    }

    // Weak: builtins (hostcalls, which the Store's internals hold) reach this object, and
    // nothing the internals hold may keep the Store handle alive (StoreCore's invariant).
    private final java.lang.ref.WeakReference<Store> store;
    private final long base;
    private final long descriptor;
    private final long maxPages;
    private final OptionalLong declaredMax;
    private long pages;

    private WasmMemory(Store store, long minPages, OptionalLong max) {
        this.store = new java.lang.ref.WeakReference<>(store);
        this.declaredMax = max;
        this.maxPages = Math.min(MAX_PAGES, max.orElse(MAX_PAGES));
        long b = Native.mmap(0, RESERVATION, Native.PROT_NONE, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        long d;
        try {
            if (minPages > 0) Native.mprotect(b, minPages * PAGE, Native.PROT_READ | Native.PROT_WRITE);
            d = Native.calloc(1, InstanceLayout.MEMORY_DESC_SIZE);
        } catch (RuntimeException e) {
            Native.munmap(b, RESERVATION);
            throw e;
        }
        this.base = b;
        this.descriptor = d;
        this.pages = minPages;
        Native.putLong(d + InstanceLayout.MEMORY_DESC_BASE, b);
        Native.putLong(d + InstanceLayout.MEMORY_DESC_LENGTH, minPages * PAGE);
        store.core().releaseOnFree(() -> {
            Native.munmap(b, RESERVATION);
            Native.free(d);
        });
    }

    /**
     * Creates a memory in a Store, for a host to define as an import.
     *
     * @param store the Store that owns it; it is freed with the Store
     * @param minPages its initial size in pages
     * @param maxPages its maximum size in pages, if any
     * @return the memory
     * @throws IllegalArgumentException if the sizes are out of range
     * @throws IllegalStateException if the Store is closed
     */
    public static WasmMemory create(Store store, long minPages, OptionalLong maxPages) {
        if (store == null) throw new IllegalArgumentException("store is null");
        store.checkOpen();
        if (minPages < 0 || minPages > MAX_PAGES) throw new IllegalArgumentException("memory size out of range: " + minPages + " pages");
        if (maxPages.isPresent() && (maxPages.getAsLong() < minPages || maxPages.getAsLong() > MAX_PAGES)) {
            throw new IllegalArgumentException("memory maximum out of range: " + maxPages.getAsLong() + " pages");
        }
        return new WasmMemory(store, minPages, maxPages);
    }

    Store store() { return store.get(); }

    private void checkOpen() {
        Store s = store.get();
        if (s == null) throw new IllegalStateException("store is closed");
        s.checkOpen();
    }
    long base() { return base; }
    long descriptor() { return descriptor; }

    /**
     * @return the declared maximum in pages, if any
     */
    public OptionalLong declaredMax() { return declaredMax; }

    /**
     * The current size.
     *
     * @return the size in pages
     * @throws IllegalStateException if the Store is closed
     */
    public long pages() {
        checkOpen();
        return pages;
    }

    /**
     * Grows the memory, as memory.grow does.
     *
     * @param delta pages to add
     * @return the old size in pages, or -1 if the memory cannot grow that much (nothing changes)
     * @throws IllegalStateException if the Store is closed
     */
    public long grow(long delta) {
        checkOpen();
        if (delta < 0 || delta > maxPages - pages) return -1;
        long old = pages;
        if (delta > 0) {
            try {
                Native.mprotect(base + old * PAGE, delta * PAGE, Native.PROT_READ | Native.PROT_WRITE);
            } catch (RuntimeException e) {
                return -1;     // out of memory: memory.grow reports failure, it does not trap
            }
        }
        pages = old + delta;
        Native.putLong(descriptor + InstanceLayout.MEMORY_DESC_LENGTH, pages * PAGE);
        return old;
    }

    private long length() { return pages * PAGE; }

    private void check(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > length()) throw new WasmBuiltinTrap(TrapCode.HEAP_OUT_OF_BOUNDS);
    }

    /**
     * Reads bytes.
     *
     * @param offset the first byte's address in the memory
     * @param len how many
     * @return the bytes
     * @throws IndexOutOfBoundsException if the range is not inside the memory
     * @throws IllegalStateException if the Store is closed
     */
    public byte[] read(long offset, int len) {
        checkOpen();
        if (offset < 0 || len < 0 || offset + len > length()) throw new IndexOutOfBoundsException("read of " + len + " bytes at " + offset);
        byte[] out = new byte[len];
        Native.copyToArray(base + offset, out, 0, len);
        return out;
    }

    /**
     * Writes bytes.
     *
     * @param offset the first byte's address in the memory
     * @param data the bytes
     * @throws IndexOutOfBoundsException if the range is not inside the memory
     * @throws IllegalStateException if the Store is closed
     */
    public void write(long offset, byte[] data) {
        checkOpen();
        if (offset < 0 || offset + data.length > length()) throw new IndexOutOfBoundsException("write of " + data.length + " bytes at " + offset);
        Native.copyFromArray(data, 0, base + offset, data.length);
    }

    /** memory.init's and an active data segment's copy: traps heap_oob unless all of it fits. */
    void init(long dest, byte[] segment, long source, long len) {
        if (source < 0 || len < 0 || source + len > segment.length) throw new WasmBuiltinTrap(TrapCode.HEAP_OUT_OF_BOUNDS);
        check(dest, len);
        if (len > 0) Native.copyFromArray(segment, (int) source, base + dest, (int) len);
    }

    void fill(long dest, byte value, long len) {
        check(dest, len);
        if (len > 0) Native.setMemory(base + dest, len, value);
    }

    void copy(long dest, long source, long len) {
        check(dest, len);
        check(source, len);
        if (len > 0) Native.call(Memmove.ADDRESS, base + dest, base + source, len);
    }
}
