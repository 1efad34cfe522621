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
 *
 * At OptLevel.SPEED the copies are optimized before instrumentation: TailRecursion and
 * ByteFill on each function, then the Inliner across the module, which reads the callees
 * as those passes left them (so fib inlined into itself brings its loop) and writes each
 * result into a copy of its own. Instrumentation then sees the inlined code as the
 * caller's: loop-header epoch sites for its loops, no entry site for an inlined call.
 */
package dev.patchbay.codegen;

import dev.patchbay.codegen.instrument.Instrumenter;
import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.isa.x64.X64Backend;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.opt.ByteFill;
import dev.patchbay.codegen.opt.Inliner;
import dev.patchbay.codegen.opt.TailRecursion;
import dev.patchbay.codegen.verify.Verifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
                copies.add(c);
            }
            if (optimize) copies = inline(copies);
            if (!opts.plan().isEmpty()) for (Function c : copies) Instrumenter.instrument(c, opts.plan());
            work = copies;
        }
        return X64Backend.compile(work, opts);
    }

    /**
     * Inlines small callees into each function (Inliner). The bodies it copies are the
     * functions as TailRecursion and ByteFill left them, so fib inlined into fib brings its
     * loop; each function is inlined into a copy of its own, so every caller reads the same
     * bodies whatever the order. Before instrumentation: an inlined body brings no site.
     */
    private static List<Function> inline(List<Function> optimized) {
        Map<String, Function> bodies = new HashMap<>();
        for (Function c : optimized) bodies.putIfAbsent(c.name, c);
        List<Function> out = new ArrayList<>(optimized.size());
        for (Function c : optimized) {
            Function d = c.copy();
            if (Inliner.apply(d, bodies) > 0) {
                Verifier.verifyOrThrow(d);
                out.add(d);
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The refusal of a function that uses {@code fma} on a CPU without FMA3: the backend has
     * no software fused multiply-add, and an unfused one would round twice.
     */
    public static final String FMA_REFUSAL = "x86-64 backend: fma needs a CPU with FMA3 (vfmadd213ss/sd), which this one lacks";

    /**
     * Why the x86-64 backend cannot compile a function, or null if it can: the one statement
     * of what it cannot lower. The CLIF parser marks such a function as skipped with this
     * reason (its run lines count as skipped, never passed), and {@link #compile} refuses it.
     * Floats are lowered to SSE2/SSE4.1; {@code fma} needs FMA3 ({@link CpuFeatures}); a
     * {@code preserve_all} function may not use floats (its XMM registers are not saved).
     *
     * @param f a function
     * @return the reason, or null
     */
    public static String backendRefusal(Function f) {
        boolean floats = usesFloat(f.signature);
        // Only a CPU without FMA3 has anything to look for (a pass over a large function's
        // instructions is milliseconds).
        if (!CpuFeatures.hasFma()) {
            for (dev.patchbay.codegen.ir.Block b : f.layout) {
                for (dev.patchbay.codegen.ir.Inst i : b.insts) if (i.op == dev.patchbay.codegen.ir.Opcode.FMA) return FMA_REFUSAL;
            }
        }
        if (f.signature.callConv == dev.patchbay.codegen.ir.CallConv.PRESERVE_ALL) {
            for (int v = 0; v < f.numValues() && !floats; v++) floats = f.valueType(v) != null && f.valueType(v).isFloat();
            if (floats) return "x86-64 backend: a preserve_all function may not use f32/f64 (its XMM registers are not saved)";
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
