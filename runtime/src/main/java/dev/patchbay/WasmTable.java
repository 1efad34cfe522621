/*
 * A Wasm table: a native array of 8-byte references (a funcref is the address of a function
 * record, an externref the host's value; 0 is null) behind a descriptor that code reads for
 * the array's address and size at each access, so table.grow may move the array.
 *
 * Invariants: the descriptor's size never exceeds the array's capacity; the array and the
 * descriptor are freed with the Store (the release reads the current array through a holder,
 * never through the Store). A table holds at most MAX_ELEMENTS elements.
 */
package dev.patchbay;

import dev.patchbay.internal.sys.Native;
import dev.patchbay.wasm.ValType;
import dev.patchbay.wasm.translate.InstanceLayout;
import dev.patchbay.wasm.translate.WasmTraps;

import java.util.OptionalLong;

/** A WebAssembly table of a {@link Store}. */
public final class WasmTable {
    /** The most elements a table may grow to here (10 million, 80 MB of references). */
    public static final long MAX_ELEMENTS = 10_000_000;

    // Weak: builtins (hostcalls, which the Store's internals hold) reach this object, and
    // nothing the internals hold may keep the Store handle alive (StoreCore's invariant).
    private final java.lang.ref.WeakReference<Store> store;
    private final ValType elementType;
    private final OptionalLong declaredMax;
    private final long max;
    private final long descriptor;
    private final long[] elements = new long[1];   // the current array, shared with the release action
    private long size;

    private WasmTable(Store store, ValType elementType, long min, OptionalLong max) {
        this.store = new java.lang.ref.WeakReference<>(store);
        this.elementType = elementType;
        this.declaredMax = max;
        this.max = Math.min(MAX_ELEMENTS, max.orElse(0xFFFF_FFFFL));
        long d = Native.calloc(1, InstanceLayout.TABLE_DESC_BYTES);
        long e = Native.calloc(Math.max(1, min), 8);
        this.descriptor = d;
        elements[0] = e;
        size = min;
        long[] holder = elements;
        store.core().releaseOnFree(() -> {
            Native.free(holder[0]);
            Native.free(d);
        });
        publish();
    }

    /**
     * Creates a table in a Store, for a host to define as an import; its elements are null.
     *
     * @param store the Store that owns it
     * @param elementType funcref or externref
     * @param min its initial size
     * @param max its maximum size, if any
     * @return the table
     * @throws IllegalArgumentException if the type is not a reference type or a size is out of range
     * @throws IllegalStateException if the Store is closed
     */
    public static WasmTable create(Store store, ValType elementType, long min, OptionalLong max) {
        if (store == null || elementType == null || !elementType.isRef()) throw new IllegalArgumentException("a table needs a Store and a reference type");
        store.checkOpen();
        if (min < 0 || min > MAX_ELEMENTS) throw new IllegalArgumentException("table size out of range: " + min);
        return new WasmTable(store, elementType, min, max);
    }

    private void publish() {
        Native.putLong(descriptor + InstanceLayout.TABLE_DESC_ELEMENTS, elements[0]);
        Native.putLong(descriptor + InstanceLayout.TABLE_DESC_SIZE, size);
    }

    Store store() { return store.get(); }

    private void checkOpen() {
        Store s = store.get();
        if (s == null) throw new IllegalStateException("store is closed");
        s.checkOpen();
    }
    long descriptor() { return descriptor; }

    /** @return funcref or externref */
    public ValType elementType() { return elementType; }

    /** @return the declared maximum size, if any */
    public OptionalLong declaredMax() { return declaredMax; }

    /**
     * @return the number of elements
     * @throws IllegalStateException if the Store is closed
     */
    public long size() {
        checkOpen();
        return size;
    }

    /**
     * Grows the table, as table.grow does.
     *
     * @param delta elements to add
     * @param init the value of each new element
     * @return the old size, or -1 if the table cannot grow that much (nothing changes)
     * @throws IllegalStateException if the Store is closed
     */
    public long grow(long delta, long init) {
        checkOpen();
        if (delta < 0 || delta > max - size) return -1;
        long old = size;
        if (delta == 0) return old;
        long fresh = Native.calloc(old + delta, 8);
        for (long i = 0; i < old; i++) Native.putLong(fresh + 8 * i, Native.getLong(elements[0] + 8 * i));
        for (long i = old; i < old + delta; i++) Native.putLong(fresh + 8 * i, init);
        long stale = elements[0];
        elements[0] = fresh;
        size = old + delta;
        publish();
        Native.free(stale);
        return old;
    }

    /**
     * @param index an element index
     * @return the element's value (0 for null)
     * @throws IndexOutOfBoundsException if the index is not below the size
     * @throws IllegalStateException if the Store is closed
     */
    public long get(long index) {
        checkOpen();
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException("table index " + index + " out of bounds (size " + size + ")");
        return Native.getLong(elements[0] + 8 * index);
    }

    void set(long index, long value) {
        Native.putLong(elements[0] + 8 * index, value);
    }

    private void check(long start, long len) {
        if (start < 0 || len < 0 || start + len > size) throw new WasmBuiltinTrap(WasmTraps.TABLE_OUT_OF_BOUNDS);
    }

    void fill(long dest, long value, long len) {
        check(dest, len);
        for (long i = 0; i < len; i++) set(dest + i, value);
    }

    void init(long dest, long[] segment, long source, long len) {
        if (source < 0 || len < 0 || source + len > segment.length) throw new WasmBuiltinTrap(WasmTraps.TABLE_OUT_OF_BOUNDS);
        check(dest, len);
        for (long i = 0; i < len; i++) set(dest + i, segment[(int) (source + i)]);
    }

    static void copy(WasmTable dst, long d, WasmTable src, long s, long len) {
        src.check(s, len);
        dst.check(d, len);
        if (d <= s) {
            for (long i = 0; i < len; i++) dst.set(d + i, src.getRaw(s + i));
        } else {
            for (long i = len - 1; i >= 0; i--) dst.set(d + i, src.getRaw(s + i));
        }
    }

    private long getRaw(long i) { return Native.getLong(elements[0] + 8 * i); }
}
