/*
 * `patchbay run FILE.clif --invoke 'name(1, 2)'`: compiles the file, calls one function
 * and prints its results. A guest trap prints the trap code and the guest backtrace and
 * exits with code 3.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.epoch.EpochTicker;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Compile a CLIF file and call one of its functions.")
final class RunCommand implements Callable<Integer> {
    private static final Pattern INVOKE = Pattern.compile("\\s*%?([A-Za-z_][A-Za-z0-9_.]*)\\s*\\((.*)\\)\\s*");

    @Parameters(paramLabel = "FILE", description = "a .clif file")
    Path file;

    @Option(names = "--invoke", required = true, paramLabel = "CALL", description = "The call to make, e.g. 'fib(30)'.")
    String invoke;

    @Option(names = "--stack-limit", paramLabel = "SIZE", description = "Guest stack size, e.g. 256K, 8M (default: 256K).")
    String stackLimit;

    @Mixin
    PlanOptions planOptions = new PlanOptions();

    @Mixin
    EpochOptions epochOptions = new EpochOptions();

    @Mixin
    ProfileOptions profileOptions = new ProfileOptions();

    @Override public Integer call() {
        Matcher m = INVOKE.matcher(invoke);
        if (!m.matches()) {
            System.err.println("patchbay: --invoke must look like 'name(1, 2)', got '" + invoke + "'");
            return Main.EXIT_BAD_INPUT;
        }
        String name = m.group(1);
        long[] args;
        long stack;
        try {
            args = parseArgs(m.group(2));
            stack = stackLimit == null ? Store.DEFAULT_STACK_BYTES : parseSize(stackLimit);
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
        if (fn.signature.params.size() != args.length) {
            System.err.println("patchbay: %" + name + " takes " + fn.signature.params.size() + " arguments, got " + args.length);
            return Main.EXIT_BAD_INPUT;
        }
        if (epochOptions.enabled() && c.module.patchSites.stream().noneMatch(s -> s.kind == SiteKind.EPOCH)
                && !planOptions.plan().includes(SiteKind.EPOCH)) {
            System.err.println("patchbay: --timeout and --epoch-deadline need epoch sites; use --instrument=all or epoch");
            return Main.EXIT_BAD_INPUT;
        }
        Engine engine = new Engine(epochOptions.config());
        try (Store store = new Store(engine); EpochTicker ticker = epochOptions.start(engine, store)) {
            store.setStackLimit(stack);
            Instance inst = store.instantiate(engine.load(c.module));
            Func f = inst.func(name);
            ProfileOptions.Session profiling = profileOptions.start(engine, store, inst, file);
            long[] r;
            try {
                r = f.call(args);
            } catch (Trap t) {
                System.err.println("trap: " + t.code().clifName());
                System.err.print(t.formatBacktrace());
                profiling.finish();
                return Main.EXIT_TRAP;
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < r.length; i++) {
                Type t = fn.signature.returns.get(i).type;
                out.add(Long.toString(t.signExtend(r[i])));
            }
            if (!out.isEmpty()) System.out.println(out.size() == 1 ? out.get(0) : "[" + String.join(", ", out) + "]");
            profiling.finish();
            return Main.EXIT_OK;
        } catch (IllegalArgumentException e) {
            System.err.println(file + ": error: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
    }

    private static String names(CompileCommand.Compiled c) {
        List<String> n = new ArrayList<>();
        for (Function f : c.clif.functions()) n.add("%" + f.name);
        return String.join(", ", n);
    }

    static long[] parseArgs(String s) {
        if (s.trim().isEmpty()) return new long[0];
        String[] parts = s.split(",");
        long[] r = new long[parts.length];
        for (int i = 0; i < parts.length; i++) r[i] = parseInt(parts[i].trim());
        return r;
    }

    static long parseInt(String s) {
        String t = s.replace("_", "");
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) t = t.substring(1);
        try {
            long v;
            if (t.startsWith("0x") || t.startsWith("0X")) v = Long.parseUnsignedLong(t.substring(2), 16);
            else if (t.equals("true")) v = 1;
            else if (t.equals("false")) v = 0;
            else v = Long.parseLong(t);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: '" + s + "'");
        }
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long mult = 1;
        if (t.endsWith("K")) mult = 1024;
        else if (t.endsWith("M")) mult = 1024 * 1024;
        else if (t.endsWith("G")) mult = 1024L * 1024 * 1024;
        if (mult != 1) t = t.substring(0, t.length() - 1);
        try {
            return Long.parseLong(t) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (use e.g. 256K, 8M)");
        }
    }
}
