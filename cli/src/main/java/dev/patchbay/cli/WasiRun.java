/*
 * `patchbay run PROG.wasm [-- ARGS...]`: runs a WASI command (a module exporting _start) with
 * this process's stdio, argv[0] = the file's name and ARGS after it, and exits with the
 * guest's exit code. What is not the guest's doing keeps the CLI's own codes: a bad module
 * or an import WASI does not provide is 2, a trap (or a --timeout) is 3 with the Wasm trap
 * and backtrace.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmInstance;
import dev.patchbay.wasi.WasiCommand;
import dev.patchbay.wasi.WasiConfig;
import dev.patchbay.debug.WasmSourceMap;
import dev.patchbay.wasm.WasmException;
import dev.patchbay.wasm.WasmModule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class WasiRun {
    /**
     * A WASI command's default stack budget: C programs recurse as they would natively (the
     * recursion example nests 10,000 frames), and ./patchbay runs Java with 8 MiB thread stacks.
     */
    static final long DEFAULT_STACK_BYTES = 4L << 20;

    private WasiRun() {}

    static int run(Path file, List<String> guestArgs, long stack, dev.patchbay.EngineConfig config, EpochOptions epoch, ProfileOptions profile,
                   List<WasmBreaks.Spec> breaks) {
        byte[] binary = WasmRun.read(file);
        if (binary == null) return Main.EXIT_BAD_INPUT;
        List<String> argv = new ArrayList<>();
        argv.add(file.getFileName().toString());
        argv.addAll(guestArgs);
        WasiConfig wasiConfig;
        try {
            wasiConfig = WasiConfig.builder().args(argv).inheritStdio().build();
        } catch (IllegalArgumentException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        try (Engine engine = new Engine(config); Store store = new Store(engine); EpochOptions.Running ticker = epoch.start(engine, store)) {
            store.setStackLimit(stack);
            Module module = Module.fromWasm(engine, binary);
            epoch.restart(store, ticker); // the deadline counts from here, not from before the compilation
            WasiCommand command = WasiCommand.instantiate(store, module, wasiConfig);
            WasmSourceMap map = WasmBreaks.installAll(store, module, breaks, ticker);
            ProfileOptions.Session profiling = profile.start(engine, store, command.instance().instance(), file);
            int exit;
            try {
                exit = command.start();
            } catch (Trap t) {
                System.out.flush();
                WasmBreaks.printTrap(t, map, binary);
                return profiling.finish() ? Main.EXIT_TRAP : Main.EXIT_BAD_INPUT;
            }
            System.out.flush();
            return profiling.finish() ? exit : Main.EXIT_BAD_INPUT;
        } catch (OptionException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (WasmException e) {
            System.err.println(file + ": error: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (IllegalArgumentException e) {
            // An import WASI does not provide, no _start or memory: each names what is wrong.
            System.err.println(file + ": error: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
    }
}
