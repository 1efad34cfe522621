/*
 * Runs the `; run:` lines of a parsed CLIF file on the Interpreter instead of on compiled
 * code. Hand-written run tests use it to cross-check their expected values against the
 * reference semantics, independently of the backend they are meant to test.
 *
 * Comparison is at each result's declared type, like RunTests does for compiled code;
 * floats compare by bit pattern, as Cranelift's runtest does (DataValue::bitwise_eq), so
 * `== -NaN` means exactly that NaN and `== -0x0.0` is not met by +0.0. Functions the
 * backend skips (floats) are interpreted; run lines on functions that did not parse
 * (i128, vectors) are counted as skipped.
 */
package dev.patchbay.codegen.interp;

import dev.patchbay.codegen.clif.ClifEntry;
import dev.patchbay.codegen.clif.ClifFile;
import dev.patchbay.codegen.clif.RunDirective;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a CLIF file's {@code ; run:} lines on the reference interpreter instead of compiled code, to
 * check hand-written expectations independently of the backend.
 */
public final class InterpretedRuns {
    private int passed, skipped;
    private final List<String> failures = new ArrayList<>();

    private InterpretedRuns() {}

    public static InterpretedRuns check(ClifFile file) {
        InterpretedRuns r = new InterpretedRuns();
        Interpreter interp = new Interpreter(file.parsedFunctions());
        for (ClifEntry e : file.entries()) {
            for (RunDirective d : e.runDirectives()) {
                if (e.parsedFunction() == null || !d.integral()) {
                    r.skipped++;
                    continue;
                }
                String failure = runOne(interp, file.parsedFunction(d.function()), d);
                if (failure == null) r.passed++;
                else r.failures.add(file.fileName() + ":" + d.loc().line + ": " + failure);
            }
        }
        return r;
    }

    private static String runOne(Interpreter interp, Function fn, RunDirective d) {
        long[] got;
        try {
            got = interp.call(d.function(), d.args());
        } catch (InterpreterTrap t) {
            return d + ": trapped with " + t.code() + " in " + t.backtrace();
        } catch (StepLimitExceeded s) {
            return d + ": " + s.getMessage();
        }
        if (d.truthy()) {
            return got.length == 1 && fn.signature.returns.get(0).type.zeroExtend(got[0]) != 0 ? null
                : d + ": expected a true result, got " + Arrays.toString(got);
        }
        long[] want = d.expected();
        boolean equal = want.length == got.length;
        for (int i = 0; equal && i < got.length; i++) {
            Type t = fn.signature.returns.get(i).type;
            equal = t.zeroExtend(got[i]) == t.zeroExtend(want[i]);
        }
        boolean pass = d.comparison() == RunDirective.Comparison.EQ ? equal : !equal;
        return pass ? null : d + ": interpreter got " + Arrays.toString(got);
    }

    public int passed() { return passed; }

    public int skipped() { return skipped; }

    public List<String> failures() { return failures; }
}
