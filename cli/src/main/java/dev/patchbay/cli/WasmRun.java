/*
 * `patchbay run PROG.wasm --invoke 'f(1, 2)'`: compiles a Wasm module, instantiates it with
 * no imports, calls one export and prints its results (i32/i64 as signed decimals, f32/f64
 * as Java prints them). A malformed or invalid module prints its byte offset and exits 2; an
 * unknown import names itself and exits 2; a trap prints the Wasm trap and the guest
 * backtrace and exits 3. --timeout and --epoch-deadline interrupt it as they do CLIF code.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmInstance;
import dev.patchbay.WasmLinker;
import dev.patchbay.wasm.ValType;
import dev.patchbay.debug.WasmSourceMap;
import dev.patchbay.wasm.WasmException;
import dev.patchbay.wasm.WasmModule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class WasmRun {
    private WasmRun() {}

    static int run(Path file, String name, String argText, long stack, dev.patchbay.EngineConfig config, EpochOptions epoch, ProfileOptions profile,
                   List<WasmBreaks.Spec> breaks) {
        byte[] binary = read(file);
        if (binary == null) return Main.EXIT_BAD_INPUT;
        try (Engine engine = new Engine(config); Store store = new Store(engine); EpochOptions.Running ticker = epoch.start(engine, store)) {
            store.setStackLimit(stack);
            Module module = Module.fromWasm(engine, binary);
            epoch.restart(store, ticker); // the deadline counts from here, not from before the compilation
            WasmInstance inst = WasmInstance.instantiate(store, module, new WasmLinker());
            WasmSourceMap map = WasmBreaks.installAll(store, module, breaks, ticker);
            WasmFunction f;
            try {
                f = inst.function(name);
            } catch (IllegalArgumentException e) {
                System.err.println(file + ": error: " + e.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
            List<ValType> params = f.type().params();
            String[] parts = argText.isBlank() ? new String[0] : argText.split(",", -1);
            if (parts.length != params.size()) {
                System.err.println("patchbay: " + name + " takes " + params.size() + " arguments, got " + parts.length);
                return Main.EXIT_BAD_INPUT;
            }
            long[] args = new long[parts.length];
            for (int i = 0; i < args.length; i++) args[i] = parse(params.get(i), parts[i].trim(), i + 1, name);
            ProfileOptions.Session profiling = profile.start(engine, store, inst.instance(), file);
            long[] r;
            try {
                r = f.call(args);
            } catch (Trap t) {
                WasmBreaks.printTrap(t, map, binary);
                return profiling.finish() ? Main.EXIT_TRAP : Main.EXIT_BAD_INPUT;
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < r.length; i++) out.add(format(f.type().results().get(i), r[i]));
            if (!out.isEmpty()) System.out.println(out.size() == 1 ? out.get(0) : "[" + String.join(", ", out) + "]");
            return profiling.finish() ? Main.EXIT_OK : Main.EXIT_BAD_INPUT;
        } catch (OptionException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (WasmException e) {
            System.err.println(file + ": error: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (Trap t) {
            System.err.println("trap during instantiation: " + WasmInstance.trapMessage(t));
            return Main.EXIT_TRAP;
        } catch (IllegalArgumentException e) {
            // Unknown imports, unsupported functions, bad arguments: all name what is wrong.
            System.err.println(file + ": error: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
    }

    /** A .wasm file's bytes, or null after saying why not (too large, unreadable). */
    static byte[] read(Path file) {
        try {
            if (Files.size(file) > Module.MAX_SOURCE_BYTES) {
                System.err.println(file + ": error: larger than " + (Module.MAX_SOURCE_BYTES >> 20) + " MiB");
                return null;
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            System.err.println("patchbay: cannot read " + file + ": " + e.getMessage());
            return null;
        }
    }

    static long parse(ValType t, String s, int position, String name) {
        try {
            return switch (t) {
                case I32 -> {
                    java.math.BigInteger v = Values.integer(s);
                    if (!Values.fits(v, 32)) throw new IllegalArgumentException("does not fit in i32");
                    yield v.intValue();
                }
                case I64 -> {
                    java.math.BigInteger v = Values.integer(s);
                    if (!Values.fits(v, 64)) throw new IllegalArgumentException("does not fit in i64");
                    yield v.longValue();
                }
                case F32 -> Float.floatToRawIntBits(Float.parseFloat(s)) & 0xFFFFFFFFL;
                case F64 -> Double.doubleToRawLongBits(Double.parseDouble(s));
                default -> throw new IllegalArgumentException("cannot pass a " + t + " from the command line");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + position + " of " + name + ", " + s + ", is not a " + t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument " + position + " of " + name + ", " + s + ": " + e.getMessage());
        }
    }

    static String format(ValType t, long bits) {
        return switch (t) {
            case I32 -> Integer.toString((int) bits);
            case I64 -> Long.toString(bits);
            case F32 -> Float.toString(Float.intBitsToFloat((int) bits));
            case F64 -> Double.toString(Double.longBitsToDouble(bits));
            default -> bits == 0 ? "null" : "ref:0x" + Long.toHexString(bits);
        };
    }
}
