/*
 * Runs Wasm spec scripts (.wast) on Patchbay: wabt's wast2json turns each script into JSON
 * commands plus .wasm files, and each command runs against the real runtime (Module.fromWasm,
 * WasmInstance, the spectest host module). Every assertion counts once: passed, failed (with
 * the script line and why), or skipped with its reason, never passed without running:
 *  - SIMD scripts (simd_*.wast) and text-format assert_malformed (Patchbay has no WAT parser);
 *  - assertions on a module that the backend cannot compile yet (WasmUnsupportedException:
 *    floats, until the float backend lands), and on modules linking to such a module.
 * One Engine per run, one Store per script (freed when the script ends).
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.WasmGlobal;
import dev.patchbay.WasmInstance;
import dev.patchbay.WasmLinkException;
import dev.patchbay.WasmLinker;
import dev.patchbay.WasmMemory;
import dev.patchbay.WasmTable;
import dev.patchbay.WasmUnsupportedException;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.wasm.FuncType;
import dev.patchbay.wasm.GlobalType;
import dev.patchbay.wasm.ValType;
import dev.patchbay.wasm.WasmException;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.ToNumberPolicy;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

final class WastRunner {
    // wast2json's output: numbers keep their text (LazilyParsedNumber), so line numbers and
    // the like are never rounded through double.
    private static final Gson WAST_JSON = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.LAZILY_PARSED_NUMBER).create();

    /** Counts of one run, and why assertions were skipped. */
    static final class Result {
        int passed, failed, skipped;
        final Map<String, Integer> skipReasons = new TreeMap<>();
        final List<String> failures = new ArrayList<>();

        void skip(String reason, int n) {
            skipped += n;
            skipReasons.merge(reason, n, Integer::sum);
        }
    }

    static final String SIMD = "SIMD is not supported (Wasm 2.0 without SIMD)";
    static final String TEXT_MALFORMED = "text-format assert_malformed needs a WAT parser";
    static final String LINKS_UNSUPPORTED = "links to a module the backend cannot compile yet";

    private final Path wast2json;
    private final boolean boundsChecks;
    private final PrintStream out;
    private final Result result = new Result();

    /** The Engine's optimization level: NONE as `patchbay wast` runs; tests run SPEED too. */
    private final dev.patchbay.codegen.OptLevel optLevel;

    WastRunner(Path wast2json, boolean boundsChecks, PrintStream out) {
        this(wast2json, boundsChecks, out, dev.patchbay.codegen.OptLevel.NONE);
    }

    WastRunner(Path wast2json, boolean boundsChecks, PrintStream out, dev.patchbay.codegen.OptLevel optLevel) {
        this.wast2json = wast2json;
        this.boundsChecks = boundsChecks;
        this.out = out;
        this.optLevel = optLevel;
    }

    static Path findWast2json() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "wast2json");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    static List<Path> scripts(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.list(in)) {
                    files.addAll(s.filter(p -> p.toString().endsWith(".wast")).sorted(Comparator.comparing(Path::toString)).toList());
                }
            } else {
                files.add(in);
            }
        }
        return files;
    }

    Result run(List<Path> scripts) throws IOException, InterruptedException {
        Path tmp = Files.createTempDirectory("patchbay-wast");
        try (Engine engine = new Engine(new dev.patchbay.EngineConfig().optLevel(optLevel))) {
            for (Path f : scripts) runScript(engine, f, tmp);
        } finally {
            deleteTree(tmp);
        }
        return result;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @SuppressWarnings("unchecked")
    private void runScript(Engine engine, Path file, Path tmp) throws IOException, InterruptedException {
        String name = file.getFileName().toString().replaceAll("\\.wast$", "");
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path json = dir.resolve(name + ".json");
        Process p = new ProcessBuilder(wast2json.toString(), file.toString(), "-o", json.toString()).redirectErrorStream(true).start();
        String toolOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(file, 0, "wast2json timed out");
            return;
        }
        if (p.exitValue() != 0) {
            if (name.startsWith("simd_")) {
                result.skip(SIMD, 1);
            } else {
                fail(file, 0, "wast2json failed: " + toolOut.strip());
            }
            return;
        }
        Map<String, Object> root = (Map<String, Object>) WAST_JSON.fromJson(Files.readString(json), Object.class);
        List<Map<String, Object>> commands = (List<Map<String, Object>>) root.get("commands");
        int before = result.passed + result.failed + result.skipped, failedBefore = result.failed;
        if (name.startsWith("simd_")) {
            for (Map<String, Object> c : commands) if (isAssertion(c)) result.skip(SIMD, 1);
        } else {
            try (Store store = new Store(engine)) {
                new Script(engine, store, file, dir).run(commands);
            }
        }
        int total = result.passed + result.failed + result.skipped - before;
        out.println(file.getFileName() + ": " + total + " assertions, " + (result.failed - failedBefore) + " failed");
    }

    private static boolean isAssertion(Map<String, Object> c) {
        String t = (String) c.get("type");
        return t.startsWith("assert_") || t.equals("action");
    }

    private void fail(Path file, long line, String why) {
        result.failed++;
        String msg = file.getFileName() + ":" + line + ": " + why;
        result.failures.add(msg);
        out.println("FAIL " + msg);
    }

    /** One script's state: its Store, its instances by name, the registered names. */
    private final class Script {
        final Engine engine;
        final Store store;
        final Path file;
        final Path dir;
        final WasmLinker linker = new WasmLinker();
        final Map<String, WasmInstance> named = new HashMap<>();
        final Map<String, String> unsupportedNamed = new HashMap<>();
        final Map<String, String> unsupportedRegistered = new HashMap<>();
        WasmInstance current;
        String currentUnsupported;     // why the current module could not run, or null
        long line;

        Script(Engine engine, Store store, Path file, Path dir) {
            this.engine = engine;
            this.store = store;
            this.file = file;
            this.dir = dir;
            spectest();
        }

        void spectest() {
            FuncType none = new FuncType(List.of(), List.of());
            linker.define("spectest", "print", WasmFunction.host(none, a -> 0));
            for (ValType t : new ValType[] {ValType.I32, ValType.I64, ValType.F32, ValType.F64}) {
                linker.define("spectest", "print_" + t, WasmFunction.host(new FuncType(List.of(t), List.of()), a -> 0));
            }
            linker.define("spectest", "print_i32_f32", WasmFunction.host(new FuncType(List.of(ValType.I32, ValType.F32), List.of()), a -> 0));
            linker.define("spectest", "print_f64_f64", WasmFunction.host(new FuncType(List.of(ValType.F64, ValType.F64), List.of()), a -> 0));
            linker.define("spectest", "global_i32", WasmGlobal.create(store, new GlobalType(ValType.I32, false), 666));
            linker.define("spectest", "global_i64", WasmGlobal.create(store, new GlobalType(ValType.I64, false), 666));
            linker.define("spectest", "global_f32", WasmGlobal.create(store, new GlobalType(ValType.F32, false), Float.floatToRawIntBits(666.6f)));
            linker.define("spectest", "global_f64", WasmGlobal.create(store, new GlobalType(ValType.F64, false), Double.doubleToRawLongBits(666.6)));
            linker.define("spectest", "table", WasmTable.create(store, ValType.FUNCREF, 10, OptionalLong.of(20)));
            linker.define("spectest", "memory", WasmMemory.create(store, 1, OptionalLong.of(2)));
        }

        @SuppressWarnings("unchecked")
        void run(List<Map<String, Object>> commands) {
            for (Map<String, Object> c : commands) {
                line = c.get("line") == null ? 0 : Long.parseLong(c.get("line").toString());
                String type = (String) c.get("type");
                try {
                    switch (type) {
                        case "module" -> module(c);
                        case "register" -> register(c);
                        case "action" -> action(c, (Map<String, Object>) c.get("action"), null);
                        case "assert_return" -> action(c, (Map<String, Object>) c.get("action"), (List<Map<String, Object>>) c.get("expected"));
                        case "assert_trap", "assert_exhaustion" -> trap(c, type.equals("assert_exhaustion"));
                        case "assert_invalid", "assert_malformed" -> invalid(c);
                        case "assert_unlinkable" -> unlinkable(c);
                        case "assert_uninstantiable" -> uninstantiable(c);
                        default -> { if (isAssertion(c)) fail(file, line, "unknown command " + type); }
                    }
                } catch (RuntimeException | IOException e) {
                    if (isAssertion(c)) fail(file, line, type + ": " + e);
                    else out.println("note " + file.getFileName() + ":" + line + ": " + type + ": " + e);
                }
            }
        }

        byte[] bytes(Map<String, Object> c) throws IOException {
            return Files.readAllBytes(dir.resolve((String) c.get("filename")));
        }

        /** The module's reason to be skipped, if it links to a module that could not be compiled. */
        String linksUnsupported(byte[] binary) {
            try {
                for (dev.patchbay.wasm.Import imp : dev.patchbay.wasm.WasmModule.decode(binary).imports()) {
                    if (unsupportedRegistered.containsKey(imp.module())) return LINKS_UNSUPPORTED;
                }
            } catch (WasmException e) {
                return null;
            }
            return null;
        }

        void module(Map<String, Object> c) throws IOException {
            String name = (String) c.get("name");
            current = null;
            currentUnsupported = null;
            byte[] binary = bytes(c);
            try {
                Module m = Module.fromWasm(engine, binary, boundsChecks);
                current = WasmInstance.instantiate(store, m, linker);
                if (name != null) named.put(name, current);
            } catch (WasmUnsupportedException e) {
                currentUnsupported = reason(e);
                if (name != null) unsupportedNamed.put(name, currentUnsupported);
            } catch (WasmLinkException e) {
                String why = linksUnsupported(binary);
                if (why == null) throw e;
                currentUnsupported = why;
                if (name != null) unsupportedNamed.put(name, why);
            }
        }

        String reason(WasmUnsupportedException e) { return e.reason(); }

        void register(Map<String, Object> c) {
            String as = (String) c.get("as");
            String name = (String) c.get("name");
            String why = name == null ? currentUnsupported : unsupportedNamed.get(name);
            WasmInstance inst = name == null ? current : named.get(name);
            if (why != null || inst == null) {
                unsupportedRegistered.put(as, why == null ? "no module" : why);
                return;
            }
            unsupportedRegistered.remove(as);
            linker.defineInstance(as, inst);
        }

        /** The instance an action names, or null after recording a skip. */
        WasmInstance target(Map<String, Object> action) {
            String m = (String) action.get("module");
            String why = m == null ? currentUnsupported : unsupportedNamed.get(m);
            if (why != null) {
                result.skip(why, 1);
                return null;
            }
            WasmInstance inst = m == null ? current : named.get(m);
            if (inst == null) throw new IllegalStateException("no module " + (m == null ? "" : m) + " to run the action on");
            return inst;
        }

        @SuppressWarnings("unchecked")
        long[] invoke(WasmInstance inst, Map<String, Object> action) {
            String field = (String) action.get("field");
            if ("get".equals(action.get("type"))) return new long[] {inst.global(field).get()};
            List<Map<String, Object>> args = (List<Map<String, Object>>) action.get("args");
            long[] a = new long[args.size()];
            for (int i = 0; i < a.length; i++) a[i] = value(args.get(i));
            return inst.function(field).call(a);
        }

        void action(Map<String, Object> c, Map<String, Object> action, List<Map<String, Object>> expected) {
            WasmInstance inst = target(action);
            if (inst == null) return;
            long[] r;
            try {
                r = invoke(inst, action);
            } catch (Trap t) {
                fail(file, line, action.get("field") + ": trapped: " + WasmInstance.trapMessage(t));
                return;
            }
            if (expected != null) {
                if (r.length != expected.size()) {
                    fail(file, line, action.get("field") + ": " + r.length + " results, expected " + expected.size());
                    return;
                }
                for (int i = 0; i < r.length; i++) {
                    String why = mismatch(expected.get(i), r[i]);
                    if (why != null) {
                        fail(file, line, action.get("field") + ": result " + i + ": " + why);
                        return;
                    }
                }
            }
            result.passed++;
        }

        @SuppressWarnings("unchecked")
        void trap(Map<String, Object> c, boolean exhaustion) {
            Map<String, Object> action = (Map<String, Object>) c.get("action");
            String text = (String) c.get("text");
            WasmInstance inst = target(action);
            if (inst == null) return;
            try {
                invoke(inst, action);
                fail(file, line, action.get("field") + ": returned, expected trap \"" + text + "\"");
            } catch (Trap t) {
                TrapCode code = WasmInstance.trapCode(t);
                String msg = WasmInstance.trapMessage(t);
                boolean ok = exhaustion ? code.equals(TrapCode.STACK_OVERFLOW) : (msg.startsWith(text) || text.startsWith(msg));
                if (ok) result.passed++;
                else fail(file, line, action.get("field") + ": trapped \"" + msg + "\", expected \"" + text + "\"");
            }
        }

        void invalid(Map<String, Object> c) throws IOException {
            if ("text".equals(c.get("module_type"))) {
                result.skip(TEXT_MALFORMED, 1);
                return;
            }
            try {
                dev.patchbay.wasm.WasmModule.decode(bytes(c)).validate();
                fail(file, line, c.get("type") + ": module accepted, expected \"" + c.get("text") + "\"");
            } catch (WasmException e) {
                result.passed++;
            }
        }

        /** The module compiled, or null after counting the assertion as skipped with the backend's reason. */
        Module compileOrSkip(byte[] binary) {
            try {
                return Module.fromWasm(engine, binary, boundsChecks);
            } catch (WasmUnsupportedException e) {
                result.skip(reason(e), 1);
                return null;
            }
        }

        void unlinkable(Map<String, Object> c) throws IOException {
            byte[] binary = bytes(c);
            Module m = compileOrSkip(binary);
            if (m == null) return;
            try {
                WasmInstance.instantiate(store, m, linker);
                fail(file, line, "module linked, expected \"" + c.get("text") + "\"");
            } catch (WasmLinkException e) {
                String why = linksUnsupported(binary);
                if (why != null) result.skip(why, 1);
                else result.passed++;
            }
        }

        void uninstantiable(Map<String, Object> c) throws IOException {
            byte[] binary = bytes(c);
            Module m = compileOrSkip(binary);
            if (m == null) return;
            try {
                WasmInstance.instantiate(store, m, linker);
                fail(file, line, "module instantiated, expected trap \"" + c.get("text") + "\"");
            } catch (Trap t) {
                result.passed++;
            } catch (WasmLinkException e) {
                String why = linksUnsupported(binary);
                if (why == null) throw e;
                result.skip(why, 1);
            }
        }
    }

    /** An argument's bits; an externref N is N + 1, so that 0 stays null. */
    static long value(Map<String, Object> v) {
        String type = (String) v.get("type");
        String s = (String) v.get("value");
        return switch (type) {
            case "externref", "funcref" -> "null".equals(s) ? 0 : Long.parseUnsignedLong(s) + 1;
            default -> new BigInteger(s).longValue();
        };
    }

    /** Why a result does not match what is expected, or null if it does. */
    static String mismatch(Map<String, Object> e, long got) {
        String type = (String) e.get("type");
        String s = (String) e.get("value");
        switch (type) {
            case "i32" -> {
                int want = (int) Long.parseLong(s);
                return (int) got == want ? null : "got " + (int) got + ", expected " + want;
            }
            case "i64" -> {
                long want = new BigInteger(s).longValue();
                return got == want ? null : "got " + got + ", expected " + want;
            }
            case "f32" -> {
                int bits = (int) got;
                if (s.startsWith("nan:")) {
                    boolean nan = (bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff) != 0;
                    boolean ok = s.equals("nan:canonical") ? (bits & 0x7fffffff) == 0x7fc00000 : nan && (bits & 0x400000) != 0;
                    return ok ? null : "got f32 bits 0x" + Integer.toHexString(bits) + ", expected " + s;
                }
                int want = (int) Long.parseLong(s);
                return bits == want ? null : "got f32 bits 0x" + Integer.toHexString(bits) + ", expected 0x" + Integer.toHexString(want);
            }
            case "f64" -> {
                if (s.startsWith("nan:")) {
                    boolean nan = (got & 0x7ff0000000000000L) == 0x7ff0000000000000L && (got & 0xfffffffffffffL) != 0;
                    boolean ok = s.equals("nan:canonical") ? (got & Long.MAX_VALUE) == 0x7ff8000000000000L : nan && (got & 0x8000000000000L) != 0;
                    return ok ? null : "got f64 bits 0x" + Long.toHexString(got) + ", expected " + s;
                }
                long want = Long.parseUnsignedLong(s);
                return got == want ? null : "got f64 bits 0x" + Long.toHexString(got) + ", expected 0x" + Long.toHexString(want);
            }
            case "externref" -> {
                long want = "null".equals(s) ? 0 : Long.parseUnsignedLong(s) + 1;
                return got == want ? null : "got externref " + got + ", expected " + s;
            }
            case "funcref" -> {
                if ("null".equals(s)) return got == 0 ? null : "got a function, expected null";
                return got != 0 ? null : "got null, expected a function";
            }
            default -> { return "cannot compare values of type " + type; }
        }
    }
}
