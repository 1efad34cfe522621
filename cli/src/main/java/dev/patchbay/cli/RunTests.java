/*
 * Runs the `; run:` lines of CLIF files, like Cranelift's `test run`: each file is
 * compiled as one module (its functions may call each other), instantiated in a fresh
 * Store, and every run line calls its function and compares the results value by value at
 * their declared types. Functions the backend cannot compile (unsupported types) count
 * their run lines as skipped, with the reason; they never count as passed.
 *
 * Output: one line per failure, one line per skipped function, then a count line per
 * file, and last `N passed, N failed, N skipped`.
 *
 * Timeouts: every run line has one (DEFAULT_TIMEOUT unless timeout() says otherwise). The
 * call runs on a worker thread while this thread waits; when the time is up it interrupts
 * the guest (store.interrupt(): the guest unwinds at its next epoch site), reports the
 * line as failed, and goes on with the next one in the same Store. `patchbay test`
 * compiles with epoch sites (CLI_OPTIONS: fused, no idle instruction) so that this always
 * works. Code that cannot be interrupted (compiled without epoch sites, or in POLL mode)
 * or that does not stop within GRACE of the interrupt is the last resort: the line fails
 * saying so, its worker thread is abandoned (it closes its Store if the call ever
 * returns) and the rest of the file runs in a fresh Store on a new worker.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
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
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.verify.VerifierException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public final class RunTests implements AutoCloseable {
    /** Guest stack for run tests: the corpus has a function with a 1 MiB stack slot. */
    static final long STACK_LIMIT = 64L << 20;
    /** How long a run line may take unless timeout() says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** How long an interrupted run line may take to stop before its thread is abandoned. */
    static final Duration GRACE = Duration.ofSeconds(5);
    /** What `patchbay test` compiles with: epoch sites, fused (no idle instruction), so every run line can be interrupted. */
    public static final CompileOptions CLI_OPTIONS = CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.EPOCH)).build();

    public static final class Counts {
        public int passed, failed, skipped;

        void add(Counts c) {
            passed += c.passed;
            failed += c.failed;
            skipped += c.skipped;
        }

        @Override public String toString() { return passed + " passed, " + failed + " failed, " + skipped + " skipped"; }
    }

    private final Engine engine = new Engine(new EngineConfig().epochInterruption(true));
    /** For code an epoch Engine refuses (no epoch sites, or POLL): it runs, but cannot be interrupted. */
    private final Engine plainEngine = new Engine();
    private final PrintStream out;
    private final CompileOptions options;
    private Duration timeout = DEFAULT_TIMEOUT;
    private ExecutorService worker = newWorker();
    /** Calls abandoned after a timeout that are still running (they close their Store when they end). */
    private final AtomicInteger abandonedRunning = new AtomicInteger();

    public RunTests(PrintStream out) {
        this(out, CompileOptions.defaults());
    }

    /** Runs with the given compile options, e.g. with every kind of site inserted. */
    public RunTests(PrintStream out, CompileOptions options) {
        this.out = out;
        this.options = options;
    }

    /** Sets how long each run line may take; returns this. */
    public RunTests timeout(Duration t) {
        if (t == null || t.isNegative() || t.isZero()) throw new IllegalArgumentException("timeout must be positive: " + t);
        this.timeout = t;
        return this;
    }

    /** Calls abandoned after a timeout that are still running. */
    public int abandonedCalls() { return abandonedRunning.get(); }

    private static ExecutorService newWorker() {
        ThreadPoolExecutor w = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            // Guest code runs on this thread's stack: as large as the CLI's main thread (see Main).
            Thread t = new Thread(null, r, "patchbay-run-line", Main.MAIN_STACK_BYTES);
            t.setDaemon(true);
            return t;
        });
        w.allowCoreThreadTimeOut(true); // an idle RunTests holds no thread
        return w;
    }

    /** Stops the worker; closes the Engine unless an abandoned call still runs in one of its Stores. */
    @Override public void close() {
        worker.shutdown();
        if (abandonedRunning.get() == 0) {
            try {
                engine.close();
                plainEngine.close();
            } catch (IllegalStateException stillOpen) {
                // a Store an abandoned call closes when it ends; the Engine goes with the process
            }
        }
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
        return runFiles(expand(inputs));
    }

    /** Runs these files (no directories), in order. */
    public Counts runFiles(List<Path> files) {
        Counts total = new Counts();
        for (Path file : files) {
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
        boolean interruptible = module.patchSites.stream().anyMatch(ps -> ps.kind == SiteKind.EPOCH)
            && options.epochMode() != EpochMode.POLL;
        Instance inst = null;
        boolean cannotInstantiate = false;
        try {
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
                    if (cannotInstantiate) {
                        c.failed++; // reported once, below
                        continue;
                    }
                    if (inst == null) {
                        try {
                            inst = instantiate(module);
                        } catch (RuntimeException ex) {
                            out.println(file + ": error: cannot instantiate: " + ex.getMessage());
                            cannotInstantiate = true;
                            c.failed++;
                            continue;
                        }
                    }
                    Outcome o = runOne(clif, inst, r, interruptible);
                    if (o.abandoned) inst = null; // its Store belongs to the abandoned call now
                    String failure = o.failure;
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
        } finally {
            if (inst != null) inst.store().close();
        }
        return c;
    }

    private Instance instantiate(CompiledModule module) {
        Engine eng = module.epochMode == EpochMode.NONE || module.epochMode == EpochMode.POLL ? plainEngine : engine;
        Store store = new Store(eng);
        try {
            store.setStackLimit(STACK_LIMIT);
            return store.instantiate(eng.load(module));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static int countRuns(ClifFile clif, boolean skipped) {
        int n = 0;
        for (ClifEntry e : clif.entries()) if (e.isSkipped() == skipped) n += e.runDirectives().size();
        return n;
    }

    /** A run line's result: failure is null on success, "skipped: reason", or a failure description. */
    private static final class Outcome {
        final String failure;
        /** The call could not be stopped: its thread and Store are left to it. */
        final boolean abandoned;

        Outcome(String failure, boolean abandoned) {
            this.failure = failure;
            this.abandoned = abandoned;
        }
    }

    /** One call on the worker; whoever is last (the call ending, or the waiter abandoning it) decides who closes the Store. */
    private final class Call implements Callable<long[]> {
        private final Func f;
        private final long[] args;
        private final Store store;
        private boolean finished, abandoned;

        Call(Func f, long[] args, Store store) {
            this.f = f;
            this.args = args;
            this.store = store;
        }

        @Override public long[] call() {
            try {
                return f.call(args);
            } finally {
                boolean close;
                synchronized (this) {
                    finished = true;
                    close = abandoned;
                }
                if (close) {
                    try {
                        store.close();
                    } catch (RuntimeException ignored) {
                        // nothing more can be done for it
                    }
                    abandonedRunning.decrementAndGet();
                }
            }
        }

        /** Hands the Store to the call; false if it has already finished (then nothing is abandoned). */
        synchronized boolean abandon() {
            if (finished) return false;
            abandoned = true;
            abandonedRunning.incrementAndGet();
            return true;
        }
    }

    private Outcome runOne(ClifFile clif, Instance inst, RunDirective r, boolean interruptible) {
        String name = r.function();
        for (ClifEntry e : clif.entries()) {
            if (e.isSkipped() && e.name().equals(name)) return new Outcome("skipped: " + e.skippedFunction().reason(), false);
        }
        Function fn = clif.function(name);
        if (fn == null) return new Outcome("run line names %" + name + ", which is not defined in this file", false);
        Signature sig = fn.signature;
        long[] args = r.args();
        String call = "%" + name + "(" + String.join(", ", r.argTexts()) + ")";
        if (args.length != sig.params.size()) {
            return new Outcome(call + ": %" + name + " takes " + sig.params.size() + " arguments, the run line gives " + args.length, false);
        }
        Store store = inst.store();
        Call task = new Call(inst.func(name), args, store);
        Future<long[]> future = worker.submit(task);
        long[] got;
        boolean interrupted = false;
        try {
            try {
                got = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException late) {
                if (interruptible) {
                    long end = System.nanoTime() + GRACE.toNanos();
                    while (!future.isDone() && System.nanoTime() < end) {
                        // false only if the call has not claimed the Store yet or has just ended: ask again
                        if (!interrupted) interrupted = store.interrupt();
                        try {
                            future.get(20, TimeUnit.MILLISECONDS);
                        } catch (TimeoutException stillRunning) {
                            // keep waiting
                        }
                    }
                }
                if (!future.isDone() && task.abandon()) {
                    worker.shutdown(); // ends the thread if the call ever returns
                    worker = newWorker();
                    String why = interruptible
                        ? "was interrupted but did not stop within " + Values.format(GRACE)
                        : "cannot be interrupted (compiled without epoch sites, or in poll mode)";
                    return new Outcome(call + ": timed out after " + Values.format(timeout) + " and " + why
                        + "; its thread is left running", true);
                }
                got = future.get();
            }
        } catch (ExecutionException ex) {
            Throwable t = ex.getCause();
            if (t instanceof Trap) {
                Trap trap = (Trap) t;
                if (interrupted && trap.code() == TrapCode.INTERRUPT) {
                    return new Outcome(call + ": timed out after " + Values.format(timeout) + " (interrupted)\n"
                        + trap.formatBacktrace().stripTrailing(), false);
                }
                return new Outcome(call + ": trapped with " + trap.code() + "\n" + trap.formatBacktrace().stripTrailing(), false);
            }
            return new Outcome(call + ": internal error: " + t, false);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a run line", ex);
        }
        return new Outcome(check(r, sig, call, got), false);
    }

    /** Compares a call's results with the run line; null if they match. */
    private static String check(RunDirective r, Signature sig, String call, long[] got) {
        String name = r.function();
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
