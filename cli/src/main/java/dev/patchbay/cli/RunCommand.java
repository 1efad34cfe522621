/*
 * `patchbay run FILE.clif --invoke 'name(1, 2)'`: compiles the file, calls one function
 * and prints its results (a .wasm file goes to WasmRun, or WasiRun without --invoke). A
 * guest trap prints the trap code and the guest backtrace and exits with code 3.
 * `--break LOC` stops at a CLIF line each time it is reached, prints the stop (backtrace
 * with locations) and the values there, and goes on; for a .wasm, LOC is a C line or a
 * Wasm offset (WasmBreaks).
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Compile a CLIF or Wasm file and call one of its functions (a Wasm module's exports).")
final class RunCommand implements Callable<Integer> {
    private static final Pattern INVOKE = Pattern.compile("\\s*%?([A-Za-z_][A-Za-z0-9_.]*)\\s*\\((.*)\\)\\s*");

    @Parameters(index = "0", paramLabel = "FILE", description = "a .clif file (a regular file of at most 16 MiB) or a .wasm module")
    Path file;

    @Option(names = "--invoke", paramLabel = "CALL", description = "The call to make, e.g. 'fib(30)'; arguments are CLIF integers (decimal or 0x hex, -2^63 to 2^64-1) that fit their parameter's type. Required for CLIF; without it a .wasm file runs as a WASI command (its _start).")
    String invoke;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "After --: a WASI command's arguments (argv[1..]).")
    List<String> guestArgs = new ArrayList<>();

    @Option(names = "--break", paramLabel = "LOC", description = "Stop at a location each time it runs, print the backtrace and values there, and go on. Repeatable. CLIF: LINE or FUNCTION:LINE. Wasm: FILE:LINE, a C source line of a module built with -g (demo.c:44), or @OFFSET, a Wasm code offset as backtraces show it (@0x4a3). A line without code slides to the next.")
    List<String> breaks = new ArrayList<>();

    @Option(names = "--stack-limit", paramLabel = "SIZE", description = "Guest stack size, 4K to 16G, e.g. 256K, 8M (default: 256K; 4M for a WASI command, whose C code expects a native-sized stack).")
    String stackLimit;

    @Mixin
    PlanOptions planOptions = new PlanOptions();

    @Mixin
    EpochOptions epochOptions = new EpochOptions();

    @Mixin
    ProfileOptions profileOptions = new ProfileOptions();

    @Mixin
    NativeToolOptions nativeTools = new NativeToolOptions();

    static final long MIN_STACK = 4L << 10, MAX_STACK = 16L << 30;

    @Override public Integer call() {
        boolean wasm = file.toString().endsWith(".wasm");
        List<WasmBreaks.Spec> wasmBreaks = List.of();
        if (wasm) {
            try {
                wasmBreaks = WasmBreaks.parse(breaks);
            } catch (IllegalArgumentException e) {
                System.err.println("patchbay: " + e.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
        }
        if (invoke == null && wasm) {
            long wasiStack;
            try {
                wasiStack = stackLimit == null ? WasiRun.DEFAULT_STACK_BYTES : Values.size("--stack-limit", stackLimit, MIN_STACK, MAX_STACK);
                epochOptions.validate();
                profileOptions.validate();
                planOptions.optLevel();
            } catch (IllegalArgumentException e) {
                System.err.println("patchbay: " + e.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
            return WasiRun.run(file, guestArgs, wasiStack, wasmConfig(), epochOptions, profileOptions, wasmBreaks);
        }
        if (invoke == null) {
            System.err.println("patchbay: --invoke is required for a CLIF file (only a .wasm WASI command runs without it)");
            return Main.EXIT_BAD_INPUT;
        }
        if (!guestArgs.isEmpty()) {
            System.err.println("patchbay: arguments after the file (" + String.join(" ", guestArgs) + ") are for a WASI command; with --invoke, pass them in the call");
            return Main.EXIT_BAD_INPUT;
        }
        Matcher m = INVOKE.matcher(invoke);
        if (!m.matches()) {
            System.err.println("patchbay: --invoke must look like 'name(1, 2)', got '" + invoke + "'");
            return Main.EXIT_BAD_INPUT;
        }
        String name = m.group(1);
        if (file.toString().endsWith(".wasm")) {
            long wasmStack;
            try {
                wasmStack = stackLimit == null ? Store.DEFAULT_STACK_BYTES : Values.size("--stack-limit", stackLimit, MIN_STACK, MAX_STACK);
                epochOptions.validate();
                profileOptions.validate();
                planOptions.optLevel();
            } catch (IllegalArgumentException e) {
                System.err.println("patchbay: " + e.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
            return WasmRun.run(file, name, m.group(2), wasmStack, wasmConfig(), epochOptions, profileOptions, wasmBreaks);
        }
        List<BigInteger> argValues;
        long stack;
        try {
            argValues = parseArgs(m.group(2));
            for (String b : breaks) breakLocation(b);
            stack = stackLimit == null ? Store.DEFAULT_STACK_BYTES : Values.size("--stack-limit", stackLimit, MIN_STACK, MAX_STACK);
            planOptions.plan();
            planOptions.optLevel();
            epochOptions.validate();
            profileOptions.validate();
        } catch (IllegalArgumentException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        CompileCommand.Compiled c = CompileCommand.compile(file, planOptions, 0);
        if (c == null) return Main.EXIT_BAD_INPUT;
        Function fn = c.clif.function(name);
        if (fn == null) {
            System.err.println(file + ": error: no function %" + name + " (functions: " + names(c) + ")");
            return Main.EXIT_BAD_INPUT;
        }
        if (fn.signature.params.size() != argValues.size()) {
            System.err.println("patchbay: %" + name + " takes " + fn.signature.params.size() + " arguments, got " + argValues.size());
            return Main.EXIT_BAD_INPUT;
        }
        long[] args = new long[argValues.size()];
        for (int i = 0; i < args.length; i++) {
            Type t = fn.signature.params.get(i).type;
            BigInteger v = argValues.get(i);
            if (!t.isInt() || !Values.fits(v, t.bits())) {
                System.err.println("patchbay: argument " + (i + 1) + " of %" + name + ", " + v + ", does not fit in " + t);
                return Main.EXIT_BAD_INPUT;
            }
            args[i] = v.longValue();
        }
        if (epochOptions.enabled() && c.module.patchSites.stream().noneMatch(s -> s.kind == SiteKind.EPOCH)
                && !planOptions.plan().includes(SiteKind.EPOCH)) {
            System.err.println("patchbay: --timeout and --epoch-deadline need epoch sites; use --instrument=all or epoch");
            return Main.EXIT_BAD_INPUT;
        }
        if (epochOptions.enabled() && planOptions.plan().epochMode() == EpochMode.POLL) {
            // The poll page is never protected, so the guest would run on past its deadline.
            System.err.println("patchbay: --timeout and --epoch-deadline cannot interrupt --epoch-mode=poll code; use fused, nop, check or fuel");
            return Main.EXIT_BAD_INPUT;
        }
        Engine engine;
        try {
            engine = new Engine(nativeTools.apply(epochOptions.config()));
        } catch (java.io.UncheckedIOException e) {
            System.err.println("patchbay: " + nativeTools.blame() + ": " + e.getMessage() + ": " + e.getCause().getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (dev.patchbay.internal.sys.NativeCallException e) {
            // The jitdump file could not be mapped PROT_EXEC, perf's marker: a noexec mount.
            System.err.println("patchbay: --perf: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (UnsatisfiedLinkError e) {
            // gdb's shared object could not be loaded (a noexec java.io.tmpdir, say).
            System.err.println("patchbay: --gdb: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        try (Engine closedLast = engine; Store store = new Store(engine); EpochOptions.Running ticker = epochOptions.start(engine, store)) {
            store.setStackLimit(stack);
            epochOptions.restart(store, ticker);
            Instance inst = store.instantiate(engine.load(c.module));
            Func f = inst.func(name);
            if (!breaks.isEmpty()) {
                dev.patchbay.debug.BreakpointEdit edit = store.debugger().edit();
                for (String b : breaks) edit.add(breakLocation(b));
                try {
                    edit.apply();
                } catch (IllegalArgumentException e) {
                    System.err.println("patchbay: --break: " + e.getMessage());
                    return Main.EXIT_BAD_INPUT;
                }
                store.debugger().onStop(EpochOptions.pausing(ticker, RunCommand::printStop));
            }
            ProfileOptions.Session profiling = profileOptions.start(engine, store, inst, file);
            long[] r;
            try {
                r = f.call(args);
            } catch (Trap t) {
                System.err.println("trap: " + t.code().clifName());
                System.err.print(t.formatBacktrace());
                // An output file that cannot be written outranks the trap: what was asked for is missing.
                return profiling.finish() ? Main.EXIT_TRAP : Main.EXIT_BAD_INPUT;
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < r.length; i++) {
                Type t = fn.signature.returns.get(i).type;
                out.add(Long.toString(t.signExtend(r[i])));
            }
            if (!out.isEmpty()) System.out.println(out.size() == 1 ? out.get(0) : "[" + String.join(", ", out) + "]");
            return profiling.finish() ? Main.EXIT_OK : Main.EXIT_BAD_INPUT;
        } catch (OptionException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (IllegalArgumentException e) {
            // What the runtime refuses about the module itself (Engine.load, instantiate).
            System.err.println(file + ": error: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
    }

    /** LINE or [%]FUNCTION:LINE. */
    static dev.patchbay.debug.Location breakLocation(String spec) {
        Matcher m = BREAK.matcher(spec);
        if (!m.matches()) throw new IllegalArgumentException("--break must be LINE or FUNCTION:LINE, got '" + spec + "'");
        int line;
        try {
            line = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--break " + spec + ": the line is out of range");
        }
        if (line < 1) throw new IllegalArgumentException("--break " + spec + ": lines start at 1");
        return m.group(1) == null ? dev.patchbay.debug.Location.line(line) : dev.patchbay.debug.Location.line(m.group(1), line);
    }

    private static final Pattern BREAK = Pattern.compile("(?:%?([A-Za-z_][A-Za-z0-9_.]*):)?(\\d{1,10})");

    /** A stop under --break: where, the backtrace, and the innermost frame's values; then go on. */
    private static dev.patchbay.debug.DebugAction printStop(dev.patchbay.debug.StopEvent e) {
        List<dev.patchbay.debug.StackFrame> frames = e.frames();
        StringBuilder b = new StringBuilder();
        dev.patchbay.debug.StackFrame top = frames.get(0);
        b.append("break %").append(top.function()).append(" at ").append(top.line()).append(':').append(top.column());
        if (e.breakpoint() != null) b.append(" (hit ").append(e.breakpoint().hits()).append(')');
        b.append('\n');
        for (int i = 0; i < frames.size(); i++) b.append("  #").append(i).append(' ').append(frames.get(i)).append('\n');
        for (dev.patchbay.debug.Variable v : e.variables(0)) b.append("    ").append(v).append('\n');
        System.out.print(b);
        return dev.patchbay.debug.DebugAction.CONTINUE;
    }

    /**
     * The Engine of a Wasm run: Wasm is compiled by the Engine, so the sites the options ask
     * for (epoch, profile) and the opt level are its configuration, with --perf and --gdb.
     */
    private dev.patchbay.EngineConfig wasmConfig() {
        return nativeTools.apply(epochOptions.config().profiling(profileOptions.any()).optLevel(planOptions.optLevel()));
    }

    private static String names(CompileCommand.Compiled c) {
        List<String> n = new ArrayList<>();
        for (Function f : c.clif.functions()) n.add("%" + f.name);
        return String.join(", ", n);
    }

    /** The comma-separated arguments of --invoke, each parsed strictly (see Values.integer). */
    static List<BigInteger> parseArgs(String s) {
        List<BigInteger> r = new ArrayList<>();
        if (s.trim().isEmpty()) return r;
        for (String part : s.split(",", -1)) {
            if (part.isBlank()) throw new IllegalArgumentException("--invoke has an empty argument in (" + s + ")");
            r.add(Values.integer(part));
        }
        return r;
    }
}
