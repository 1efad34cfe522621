/*
 * The front door of codegen: verify, instrument, and compile a set of functions into one
 * module for the host ISA (x86-64). Functions that fail the verifier are reported with all
 * their errors; nothing half-compiled escapes.
 *
 * compile does not change its input. The instrumentation pass inserts site calls and hook
 * declarations into the function it is given, so it gets a copy (Function.copy); the
 * verifier and the backend only read IR. A caller may compile the same functions again,
 * with other options, or print them afterwards, and sees what it built
 * (CompilerInputTest).
 */
package dev.patchbay.codegen;

import dev.patchbay.codegen.instrument.Instrumenter;
import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.isa.x64.X64Backend;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.opt.ByteFill;
import dev.patchbay.codegen.opt.TailRecursion;
import dev.patchbay.codegen.verify.Verifier;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a set of IR functions into one x86-64 module: verifies them, inserts the planned patch
 * sites and compiles. Functions that fail verification are reported with all their errors, and
 * nothing half-compiled is returned.
 */
public final class Compiler {
    private Compiler() {}

    /**
     * Compiles functions into one module. The functions are not changed: instrumentation works on
     * copies, so the same list can be compiled again, with these or other options, and gives the
     * same module as a fresh copy would.
     *
     * @param functions the module's functions; they may call each other by name, and a callee
     *     they call but do not define (and that is not patchable) becomes an import
     * @param opts the instrumentation plan, alignment and limits
     * @return the compiled module, every patch site in its off form
     * @throws dev.patchbay.codegen.verify.VerifierException if a function is not valid IR, with
     *     every error found
     * @throws CompileException if valid IR cannot be compiled (a duplicate name, a limit, an
     *     unsupported construct)
     */
    public static CompiledModule compile(List<Function> functions, CompileOptions opts) {
        for (Function f : functions) Verifier.verifyOrThrow(f);
        for (Function f : functions) {
            String refusal = backendRefusal(f);
            if (refusal != null) throw new CompileException("%" + f.name + ": " + refusal);
        }
        List<Function> work = functions;
        boolean optimize = opts.optLevel() == OptLevel.SPEED;
        if (!opts.plan().isEmpty() || optimize) {
            List<Function> copies = new ArrayList<>(functions.size());
            for (Function f : functions) {
                Function c = f.copy();
                // Before instrumentation, so a loop made from recursion gets its epoch site.
                if (optimize && (TailRecursion.apply(c) | ByteFill.apply(c) > 0)) Verifier.verifyOrThrow(c);
                if (!opts.plan().isEmpty()) Instrumenter.instrument(c, opts.plan());
                copies.add(c);
            }
            work = copies;
        }
        return X64Backend.compile(work, opts);
    }

    /** Why the backend refuses a function: the one statement of what it cannot lower yet. */
    public static final String FLOAT_REFUSAL = "x86-64 backend: f32/f64 not supported yet";

    /**
     * Why the x86-64 backend cannot compile a function, or null if it can. The IR, the verifier
     * and the interpreter handle f32 and f64; the backend does not yet, so a function with a
     * float anywhere (its signature, a signature it calls through, any value) is refused here,
     * before the backend sees it, and the CLIF parser marks it as skipped with this reason.
     *
     * @param f a function
     * @return {@link #FLOAT_REFUSAL} if it uses a float type, else null
     */
    public static String backendRefusal(Function f) {
        if (usesFloat(f.signature)) return FLOAT_REFUSAL;
        for (Signature s : f.sigRefs) if (usesFloat(s)) return FLOAT_REFUSAL;
        for (int v = 0; v < f.numValues(); v++) {
            if (f.valueType(v) != null && f.valueType(v).isFloat()) return FLOAT_REFUSAL;
        }
        for (dev.patchbay.codegen.ir.Block b : f.layout) {
            for (dev.patchbay.codegen.ir.Inst i : b.insts) if (i.type != null && i.type.isFloat()) return FLOAT_REFUSAL;
        }
        return null;
    }

    private static boolean usesFloat(Signature s) {
        if (s == null) return false;
        for (AbiParam p : s.params) if (p.type != null && p.type.isFloat()) return true;
        for (AbiParam p : s.returns) if (p.type != null && p.type.isFloat()) return true;
        return false;
    }
}
