/*
 * Runs one bad-input case with a hang guard, and checks that whatever went wrong went
 * wrong cleanly: a ClifParseException in `file:line:col: error: message` form pointing
 * inside the file, a VerifierException whose errors print as `file:line:col: error:`,
 * or a CompileException with a message. Anything else (a NullPointerException, an
 * IndexOutOfBounds, a StackOverflowError, an IllegalArgumentException from deep inside,
 * a case that does not finish within the guard) fails the test with the case's text.
 */
package dev.patchbay.stress;

import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.ClifParseException;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.clif.Diagnostics;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.verify.VerifierException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class Cases implements AutoCloseable {
    static final Duration CASE_GUARD = Duration.ofSeconds(20);

    enum Kind { PARSE_ERROR, VERIFIER_ERROR, COMPILE_ERROR, COMPILED }

    static final class Outcome {
        final Kind kind;
        final ClifFile file;
        final CompiledModule module;
        final String message;

        Outcome(Kind kind, ClifFile file, CompiledModule module, String message) {
            this.kind = kind;
            this.file = file;
            this.module = module;
            this.message = message;
        }
    }

    private final Run run;
    private ExecutorService exec = newExec();
    final Map<String, LongAdder> counts = new ConcurrentSkipListMap<>();

    Cases(Run run) { this.run = run; }

    private static ExecutorService newExec() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "bad-input-case", 64L << 20);
            t.setDaemon(true);
            return t;
        });
    }

    void count(String what) { counts.computeIfAbsent(what, k -> new LongAdder()).increment(); }

    /** Runs `task` on the case thread; fails with `what` if it throws or outlives the guard. */
    <T> T guarded(String what, Callable<T> task) {
        Future<T> f = exec.submit(task);
        try {
            return f.get(CASE_GUARD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            exec.shutdownNow();
            exec = newExec(); // the stuck thread is a daemon; carry on with a fresh one
            throw new AssertionError(run.msg("case did not finish within " + CASE_GUARD + ": " + what) + "\n" + Threads.dump());
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof AssertionError) throw (AssertionError) c;
            throw new AssertionError(run.msg("case failed with " + c + ": " + what), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(run.msg("interrupted"), e);
        }
    }

    /** Parses and compiles `text` (named `name`) and classifies the result. */
    Outcome compile(String name, String text, String what) {
        Outcome o = guarded(what, () -> classify(name, text, what));
        count(o.kind.name());
        Stats.BAD_INPUT_CASES.increment();
        Stats.OPS.increment();
        return o;
    }

    private static final Pattern LOC = Pattern.compile("(?s)(.*?):(\\d+):(\\d+): error: (\\S.*)");

    private Outcome classify(String name, String text, String what) {
        ClifFile file;
        try {
            file = ClifParser.parse(name, text);
        } catch (ClifParseException e) {
            Matcher m = LOC.matcher(e.getMessage());
            check(m.matches() && m.group(1).equals(name), "parse error not in file:line:col: error: form: " + e.getMessage(), what, text);
            int line = Integer.parseInt(m.group(2)), col = Integer.parseInt(m.group(3));
            long lines = text.chars().filter(c -> c == '\n').count() + 1;
            check(line == e.line() && col == e.col() && line >= 1 && col >= 1 && line <= lines,
                "parse error location " + line + ":" + col + " outside the file (" + lines + " lines): " + e.getMessage(), what, text);
            check(!e.reason().isBlank(), "empty parse error", what, text);
            return new Outcome(Kind.PARSE_ERROR, null, null, e.getMessage());
        }
        try {
            CompiledModule cm = Compiler.compile(file.functions(), CompileOptions.builder().plan(InstrumentationPlan.all()).build());
            return new Outcome(Kind.COMPILED, file, cm, null);
        } catch (VerifierException e) {
            check(!e.errors().isEmpty(), "a verifier exception without errors", what, text);
            for (String line : Diagnostics.format(name, e)) {
                check(line.startsWith(name + ":") && line.contains(" error: "), "verifier error not in file:line:col: error: form: " + line,
                    what, text);
            }
            return new Outcome(Kind.VERIFIER_ERROR, file, null, e.getMessage());
        } catch (CompileException e) {
            check(e.getMessage() != null && !e.getMessage().isBlank(), "a compile error without a message", what, text);
            return new Outcome(Kind.COMPILE_ERROR, file, null, e.getMessage());
        }
    }

    void check(boolean ok, String problem, String what, String text) {
        if (!ok) throw new AssertionError(run.msg(problem + "\ncase: " + what + "\n--- input ---\n" + excerpt(text)));
    }

    static String excerpt(String text) {
        return text.length() <= 6000 ? text : text.substring(0, 3000) + "\n[... " + (text.length() - 6000) + " chars ...]\n"
            + text.substring(text.length() - 3000);
    }

    @Override public void close() { exec.shutdownNow(); }
}
