/*
 * A Wasm function as the host sees it: typed, callable, and importable into other modules.
 * A function of an instance is its IR function called with the instance block first, plus
 * the address of its function record (what a funcref to it is). A host function has neither
 * until a module imports it: that module's wrapper is then its code.
 *
 * A builtin's trap arrives as the cause of a host_error Trap; call() rethrows it as a Trap
 * with the builtin's own code, so the host sees the code the Wasm spec names.
 */
package dev.patchbay;

import dev.patchbay.wasm.FuncType;

/** A WebAssembly function: an instance's export, or a host function to import. */
public final class WasmFunction {
    private final FuncType type;
    private final Func func;
    private final long instanceBlock;
    private final long record;
    private final WasmHostFunction host;
    private final Store store;

    WasmFunction(Store store, FuncType type, Func func, long instanceBlock, long record) {
        this.store = store;
        this.type = type;
        this.func = func;
        this.instanceBlock = instanceBlock;
        this.record = record;
        this.host = null;
    }

    private WasmFunction(FuncType type, WasmHostFunction host) {
        this.type = type;
        this.func = null;
        this.instanceBlock = 0;
        this.record = 0;
        this.host = host;
        this.store = null;
    }

    /**
     * A host function, to define in a {@link WasmLinker}.
     *
     * @param type its Wasm type
     * @param host what a call runs
     * @return the function
     */
    public static WasmFunction host(FuncType type, WasmHostFunction host) {
        if (type == null || host == null) throw new IllegalArgumentException("type and host must not be null");
        if (type.results().size() > 1) throw new IllegalArgumentException("host functions return at most one value: " + type);
        return new WasmFunction(type, host);
    }

    /** @return the function's Wasm type */
    public FuncType type() { return type; }

    boolean isHost() { return host != null; }
    WasmHostFunction hostFunction() { return host; }
    long record() { return record; }
    Store store() { return store; }

    /**
     * Calls the function on this thread.
     *
     * @param args one value's bits per parameter
     * @return one value's bits per result (i32 sign-extended, f32 in the low 32 bits)
     * @throws Trap if the guest traps, with the Wasm trap's code
     * @throws IllegalArgumentException if the number of arguments is wrong
     * @throws IllegalStateException if the Store is closed or another thread runs it
     */
    public long[] call(long... args) {
        if (args == null || args.length != type.params().size()) {
            throw new IllegalArgumentException("function of type " + type + " takes " + type.params().size() + " arguments");
        }
        if (host != null) {
            try {
                long r = host.call(args.clone());
                return type.results().isEmpty() ? new long[0] : new long[] {r};
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        long[] a = new long[args.length + 1];
        a[0] = instanceBlock;
        System.arraycopy(args, 0, a, 1, args.length);
        try {
            return func.call(a);
        } catch (Trap t) {
            throw wasmTrap(t);
        }
    }

    /** A Trap whose cause is a builtin's trap, as the Trap that builtin's code names. */
    static Trap wasmTrap(Trap t) {
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            if (c instanceof WasmBuiltinTrap b) return new Trap(b.code, t.backtrace(), null);
            if (c instanceof Trap inner) return wasmTrap(inner);
        }
        return t;
    }
}
