/*
 * Runs the `; run:` lines of CLIF files, like Cranelift's `test run`: each file is
 * compiled as one module (its functions may call each other), instantiated in a fresh
 * Store, and every run line calls its function and compares the results value by value at
 * their declared types. Functions the backend cannot compile (unsupported types) count
 * their run lines as skipped, with the reason; they never count as passed.
 *
 * Output: one line per failure, one line per skipped function, then a count line per
 * file, and last `N passed, N failed, N skipped`.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifEntry;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.clif.RunDirective;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.verify.VerifierException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public final class RunTests {
    /** Guest stack for run tests: the corpus has a function with a 1 MiB stack slot. */
    static final long STACK_LIMIT = 64L << 20;

    public static final class Counts {
        public int passed, failed, skipped;

        void add(Counts c) {
            passed += c.passed;
            failed += c.failed;
            skipped += c.skipped;
        }

        @Override public String toString() { return passed + " passed, " + failed + " failed, " + skipped + " skipped"; }
    }

    private final Engine engine = new Engine();
    private final PrintStream out;
    private final CompileOptions options;

    public RunTests(PrintStream out) {
        this(out, CompileOptions.defaults());
    }

    /** Runs with the given compile options, e.g. with every kind of site inserted. */
    public RunTests(PrintStream out, CompileOptions options) {
        this.out = out;
        this.options = options;
    }

    /** Expands directories into their .clif files, sorted. */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    files.addAll(s.filter(f -> f.toString().endsWith(".clif")).sorted().collect(Collectors.toList()));
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    public Counts run(List<Path> inputs) throws IOException {
        Counts total = new Counts();
        for (Path file : expand(inputs)) {
            Counts c = runFile(file);
            out.println(file + ": " + c);
            total.add(c);
        }
        out.println(total);
        return total;
    }

    Counts runFile(Path file) {
        Counts c = new Counts();
        ClifFile clif;
        try {
            clif = ClifInput.parse(file);
        } catch (ClifInput.BadInputException e) {
            out.println(e.getMessage());
            c.failed++;
            return c;
        }
        List<Function> fns = clif.functions();
        CompiledModule module;
        try {
            module = Compiler.compile(fns, options);
        } catch (VerifierException e) {
            for (String line : Diagnostics.format(file.toString(), e)) out.println(line);
            c.failed += Math.max(1, countRuns(clif, false));
            c.skipped += countRuns(clif, true);
            return c;
        } catch (CompileException e) {
            out.println(file + ": error: " + e.getMessage());
            c.failed += Math.max(1, countRuns(clif, false));
            c.skipped += countRuns(clif, true);
            return c;
        } catch (RuntimeException e) {
            // A compiler bug must fail this file, not abort the whole run.
            out.println(file + ": error: internal compiler error: " + e);
            c.failed += Math.max(1, countRuns(clif, false));
            c.skipped += countRuns(clif, true);
            return c;
        }
        try (Store store = new Store(engine)) {
            store.setStackLimit(STACK_LIMIT);
            Instance inst = store.instantiate(engine.load(module));
            for (ClifEntry e : clif.entries()) {
                if (e.isSkipped()) {
                    int n = e.runDirectives().size();
                    c.skipped += n;
                    if (n > 0) {
                        out.println(Diagnostics.warning(file.toString(), e.loc(), "skipped %" + e.name() + " (" + n
                            + " run line" + (n == 1 ? "" : "s") + "): " + e.skippedFunction().reason()));
                    }
                    continue;
                }
                for (RunDirective r : e.runDirectives()) {
                    String failure = runOne(clif, inst, r);
                    if (failure == null) {
                        c.passed++;
                    } else if (failure.startsWith("skipped: ")) {
                        c.skipped++;
                        out.println(Diagnostics.warning(file.toString(), r.loc(), failure));
                    } else {
                        c.failed++;
                        out.println(Diagnostics.error(file.toString(), r.loc(), failure));
                    }
                }
            }
        }
        return c;
    }

    private static int countRuns(ClifFile clif, boolean skipped) {
        int n = 0;
        for (ClifEntry e : clif.entries()) if (e.isSkipped() == skipped) n += e.runDirectives().size();
        return n;
    }

    /** Returns null on success, "skipped: reason", or a failure description. */
    private static String runOne(ClifFile clif, Instance inst, RunDirective r) {
        String name = r.function();
        for (ClifEntry e : clif.entries()) {
            if (e.isSkipped() && e.name().equals(name)) return "skipped: " + e.skippedFunction().reason();
        }
        Function fn = clif.function(name);
        if (fn == null) return "run line names %" + name + ", which is not defined in this file";
        Signature sig = fn.signature;
        long[] args = r.args();
        String call = "%" + name + "(" + String.join(", ", r.argTexts()) + ")";
        if (args.length != sig.params.size()) {
            return call + ": %" + name + " takes " + sig.params.size() + " arguments, the run line gives " + args.length;
        }
        Func f = inst.func(name);
        long[] got;
        try {
            got = f.call(args);
        } catch (Trap t) {
            return call + ": trapped with " + t.code() + "\n" + t.formatBacktrace().stripTrailing();
        }
        if (r.truthy()) {
            if (got.length == 0 || sig.returns.get(0).type.zeroExtend(got[0]) == 0) return call + ": expected a true result, got " + show(sig, got);
            return null;
        }
        long[] want = r.expected();
        if (want.length != got.length) {
            return call + ": expected " + want.length + " result(s), %" + name + " returns " + got.length;
        }
        boolean equal = true;
        for (int i = 0; i < got.length; i++) {
            Type t = sig.returns.get(i).type;
            if (t.zeroExtend(got[i]) != t.zeroExtend(want[i])) equal = false;
        }
        boolean pass = r.comparison() == RunDirective.Comparison.EQ ? equal : !equal;
        if (pass) return null;
        return call + " " + r.comparison().symbol + " " + String.join(", ", r.expectedTexts()) + ": got " + show(sig, got);
    }

    private static String show(Signature sig, long[] vals) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < vals.length; i++) {
            Type t = sig.returns.get(i).type;
            long v = t.signExtend(vals[i]);
            s.add(v + (v < 0 || v > 9 ? " (0x" + Long.toHexString(t.zeroExtend(vals[i])) + ")" : ""));
        }
        return s.size() == 1 ? s.get(0) : s.toString();
    }
}
