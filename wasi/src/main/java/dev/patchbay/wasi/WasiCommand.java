/*
 * Runs a WASI command: a module that exports `_start` and `memory` and imports only from
 * wasi_snapshot_preview1, as `clang --target=wasm32-wasi` links a C program with main().
 *
 * Problems it solves:
 * - A host function does not receive its caller, and a WASI function needs the caller's
 *   memory. The memory exists only once the instance does, so each import reads it from a
 *   slot filled right after instantiation and before `_start` runs; a call before then (from
 *   a start function) answers EFAULT rather than touching no memory at all.
 * - proc_exit unwinds through a Trap whose cause is WasiExit; that is an ending, not a
 *   failure, so it becomes the exit code. `_start` returning is exit code 0.
 * - An import this implementation does not provide must fail at link time, naming itself:
 *   only the functions of WasiPreview1.functions() are defined, and the Wasm linker reports
 *   any other import it cannot resolve.
 */
package dev.patchbay.wasi;

import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmInstance;
import dev.patchbay.WasmLinker;
import dev.patchbay.WasmMemory;
import dev.patchbay.wasm.FuncType;
import dev.patchbay.wasm.ValType;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Instantiates and runs WASI preview 1 commands (modules with {@code _start}). */
public final class WasiCommand {

    /**
     * Defines every WASI preview 1 function this implementation provides in a linker, each
     * reading and writing the memory that {@link Binding#attach} names later.
     *
     * @param linker the linker to define {@code wasi_snapshot_preview1::*} in
     * @param wasi the guest's WASI state
     * @return the binding whose memory the functions use
     */
    public static Binding define(WasmLinker linker, WasiPreview1 wasi) {
        Binding binding = new Binding();
        for (WasiPreview1.Function fn : WasiPreview1.functions()) {
            List<ValType> params = new ArrayList<>();
            for (char c : fn.params().toCharArray()) params.add(c == 'I' ? ValType.I64 : ValType.I32);
            FuncType type = new FuncType(params, fn.returnsErrno() ? List.of(ValType.I32) : List.of());
            String name = fn.name();
            linker.define(WasiPreview1.MODULE, name, WasmFunction.host(type, args -> wasi.call(name, binding, args)));
        }
        return binding;
    }

    /**
     * Runs a command: instantiates it with WASI in the Store, calls {@code _start}, and
     * returns its exit code.
     *
     * @param store the Store to run it in, on this thread
     * @param module a Wasm module of the Store's Engine
     * @param config the guest's arguments, environment and streams
     * @return the exit code: proc_exit's, or 0 if {@code _start} returned
     * @throws IllegalArgumentException if the module imports something this implementation
     *         does not provide (the message names it), or does not export {@code _start} and
     *         {@code memory}
     * @throws Trap if the guest traps (other than by proc_exit)
     */
    public static int run(Store store, Module module, WasiConfig config) {
        return instantiate(store, module, config).start();
    }

    /**
     * Instantiates a command with WASI in the Store, without starting it: the caller may
     * attach a profiler or a debugger to its {@link #instance()} first, then {@link #start()}.
     *
     * @param store the Store to run it in
     * @param module a Wasm module of the Store's Engine
     * @param config the guest's arguments, environment and streams
     * @return the command, ready to start
     * @throws IllegalArgumentException as {@link #run}
     */
    public static WasiCommand instantiate(Store store, Module module, WasiConfig config) {
        WasiPreview1 wasi = new WasiPreview1(config);
        WasmLinker linker = new WasmLinker();
        Binding binding = define(linker, wasi);
        WasmInstance instance = WasmInstance.instantiate(store, module, linker);
        binding.attach(instance.memory("memory"));
        WasmFunction start = instance.function("_start");
        if (!start.type().params().isEmpty() || !start.type().results().isEmpty()) {
            throw new IllegalArgumentException("_start must take and return nothing, but its type is " + start.type());
        }
        return new WasiCommand(wasi, instance, start);
    }

    private final WasiPreview1 wasi;
    private final WasmInstance instance;
    private final WasmFunction start;

    private WasiCommand(WasiPreview1 wasi, WasmInstance instance, WasmFunction start) {
        this.wasi = wasi;
        this.instance = instance;
        this.start = start;
    }

    /**
     * The command's instance.
     *
     * @return the instance
     */
    public WasmInstance instance() {
        return instance;
    }

    /**
     * Calls {@code _start} on this thread and returns the exit code.
     *
     * @return proc_exit's code, or 0 if {@code _start} returned
     * @throws Trap if the guest traps (other than by proc_exit)
     */
    public int start() {
        try {
            start.call();
            return 0;
        } catch (Trap t) {
            OptionalInt code = WasiExit.exitCode(t);
            if (code.isPresent()) return code.getAsInt();
            throw t;
        } finally {
            wasi.flush();
        }
    }

    /** The memory the WASI functions of one instance read and write: set once it exists. */
    public static final class Binding implements WasiMemory {
        private WasmMemory memory;

        private Binding() {}

        /**
         * Names the memory the functions use from now on: the instance's exported {@code memory}.
         *
         * @param m the memory
         */
        public void attach(WasmMemory m) {
            memory = m;
        }

        private WasmMemory memory(long addr, long len) {
            if (memory == null) throw new WasiFault(addr, len, 0);
            return memory;
        }

        @Override public void read(long addr, byte[] dst, int off, int len) {
            WasmMemory m = memory(addr, len);
            try {
                System.arraycopy(m.read(addr, len), 0, dst, off, len);
            } catch (IndexOutOfBoundsException e) {
                throw new WasiFault(addr, len, m.pages() * WasmMemory.PAGE);
            }
        }

        @Override public void write(long addr, byte[] src, int off, int len) {
            WasmMemory m = memory(addr, len);
            byte[] part = off == 0 && len == src.length ? src : java.util.Arrays.copyOfRange(src, off, off + len);
            try {
                m.write(addr, part);
            } catch (IndexOutOfBoundsException e) {
                throw new WasiFault(addr, len, m.pages() * WasmMemory.PAGE);
            }
        }
    }
}
