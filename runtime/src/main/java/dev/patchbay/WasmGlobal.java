/*
 * A Wasm global: an 8-byte native cell that code reads and writes through the instance
 * block's pointer to it, so an imported global is the exporter's cell itself. Values are
 * the raw bits in a long (f32/f64 as IEEE bits, a funcref as its function record's address,
 * an externref as its host value, 0 for null). The cell is freed with the Store.
 */
package dev.patchbay;

import dev.patchbay.internal.sys.Native;
import dev.patchbay.wasm.GlobalType;

/** A WebAssembly global of a {@link Store}. */
public final class WasmGlobal {
    private final Store store;
    private final GlobalType type;
    private final long cell;

    WasmGlobal(Store store, GlobalType type, long value) {
        this.store = store;
        this.type = type;
        long c = Native.calloc(1, 8);
        this.cell = c;
        Native.putLong(c, value);
        store.core().releaseOnFree(() -> Native.free(c));
    }

    /**
     * Creates a global in a Store, for a host to define as an import.
     *
     * @param store the Store that owns it
     * @param type its value type and mutability
     * @param value its initial value's bits
     * @return the global
     * @throws IllegalStateException if the Store is closed
     */
    public static WasmGlobal create(Store store, GlobalType type, long value) {
        if (store == null || type == null) throw new IllegalArgumentException("store and type must not be null");
        store.checkOpen();
        return new WasmGlobal(store, type, value);
    }

    Store store() { return store; }
    long cell() { return cell; }

    /** @return the global's type */
    public GlobalType type() { return type; }

    /**
     * @return the current value's bits (an i32 sign-extended)
     * @throws IllegalStateException if the Store is closed
     */
    public long get() {
        store.checkOpen();
        long v = Native.getLong(cell);
        return switch (type.type()) {
            case I32, F32 -> (long) (int) v;
            default -> v;
        };
    }

    /**
     * Sets the value.
     *
     * @param value the new value's bits
     * @throws IllegalStateException if the Store is closed or the global is immutable
     */
    public void set(long value) {
        store.checkOpen();
        if (!type.mutable()) throw new IllegalStateException("global is immutable");
        Native.putLong(cell, value);
    }
}
