/*
 * A Wasm function as the host sees it: typed, callable, and importable into other modules.
 * A function of an instance is its IR function called with the instance block first, plus
 * the address of its function record (what a funcref to it is). A host function has neither
 * until a module imports it: that module's wrapper is then its code.
 *
 * A builtin's trap arrives as the cause of a host_error Trap; call() rethrows it as a Trap
 * with the builtin's own code, so the host sees the code the Wasm spec names. A Trap a host
 * function throws arrives the same way and is rethrown with its own code, its frames (if a
 * nested guest call made it) followed by the guest frames that called the import.
 *
 * A host function has one of two shapes: WasmHostFunction (one long, for at most one
 * result) or WasmMultiValueHostFunction (a long[] of exactly the type's results). Either is
 * bound to its import as a hostcall by WasmInstance, which checks the result count.
 */
package dev.patchbay;

import dev.patchbay.wasm.FuncType;

import java.util.ArrayList;
import java.util.List;

/** A WebAssembly function: an instance's export, or a host function to import. */
public final class WasmFunction {
    private final FuncType type;
    private final Func func;
    private final long instanceBlock;
    private final long record;
    private final WasmHostFunction host;
    private final WasmMultiValueHostFunction multi;
    private final Store store;

    WasmFunction(Store store, FuncType type, Func func, long instanceBlock, long record) {
        this.store = store;
        this.type = type;
        this.func = func;
        this.instanceBlock = instanceBlock;
        this.record = record;
        this.host = null;
        this.multi = null;
    }

    private WasmFunction(FuncType type, WasmHostFunction host, WasmMultiValueHostFunction multi) {
        this.type = type;
        this.func = null;
        this.instanceBlock = 0;
        this.record = 0;
        this.host = host;
        this.multi = multi;
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
        if (type.results().size() > 1) {
            throw new IllegalArgumentException("a WasmHostFunction returns one value, but the type " + type + " has "
                + type.results().size() + " results: define it with WasmFunction.hostMultiValue");
        }
        return new WasmFunction(type, host, null);
    }

    /**
     * A host function that returns all its results at once, any number of them (Wasm
     * multi-value), to define in a {@link WasmLinker}.
     *
     * @param type its Wasm type
     * @param host what a call runs; it returns exactly {@code type.results().size()} values
     * @return the function
     * @throws IllegalArgumentException if type or host is null
     */
    public static WasmFunction hostMultiValue(FuncType type, WasmMultiValueHostFunction host) {
        if (type == null || host == null) throw new IllegalArgumentException("type and host must not be null");
        return new WasmFunction(type, null, host);
    }

    /** @return the function's Wasm type */
    public FuncType type() { return type; }

    boolean isHost() { return host != null || multi != null; }

    /**
     * Runs the host function: its results' bits, checked to be one per result of its type.
     * `who` names it in the error (its import, or "host function").
     */
    long[] callHost(long[] args, String who) throws Exception {
        int n = type.results().size();
        if (multi == null) {
            long r = host.call(args);
            return n == 0 ? new long[0] : new long[] {r};
        }
        long[] r = multi.call(args);
        if (r == null || r.length != n) {
            throw new IllegalStateException(who + " of type " + type + " returned "
                + (r == null ? "null" : r.length + (r.length == 1 ? " value" : " values")) + ", but its type has "
                + n + (n == 1 ? " result" : " results"));
        }
        return r.clone();
    }
    long record() { return record; }
    Store store() { return store; }

    /**
     * Calls the function on this thread.
     *
     * @param args one value's bits per parameter
     * @return one value's bits per result (i32 sign-extended, f32 exactly its 32 bits, zero-extended)
     * @throws Trap if the guest traps, with the Wasm trap's code
     * @throws IllegalArgumentException if the number of arguments is wrong
     * @throws IllegalStateException if the Store is closed or another thread runs it
     */
    public long[] call(long... args) {
        if (args == null || args.length != type.params().size()) {
            throw new IllegalArgumentException("function of type " + type + " takes " + type.params().size() + " arguments");
        }
        if (isHost()) {
            try {
                return callHost(args.clone(), "host function");
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

    /**
     * A Trap whose cause is a builtin's trap, as the Trap that builtin's code names; one whose
     * cause is a Trap a host function threw, as that Trap's code with its frames and then
     * this one's (the guest frames that called the host).
     */
    static Trap wasmTrap(Trap t) {
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            if (c instanceof WasmBuiltinTrap b) return new Trap(b.code, t.backtrace(), null);
            if (c instanceof Trap inner) {
                Trap w = wasmTrap(inner);
                List<GuestFrame> frames = new ArrayList<>(w.backtrace());
                frames.addAll(t.backtrace());
                return new Trap(w.code(), frames, inner);
            }
        }
        return t;
    }
}
