/*
 * The front door of codegen: verify, instrument, and compile a set of functions into one
 * module for the host ISA (x86-64). Functions that fail the verifier are reported with all
 * their errors; nothing half-compiled escapes.
 */
package dev.patchbay.codegen;

import dev.patchbay.codegen.instrument.Instrumenter;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.isa.x64.X64Backend;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.verify.Verifier;

import java.util.List;

/**
 * Turns a set of IR functions into one x86-64 module: verifies them, inserts the planned patch
 * sites and compiles. Functions that fail verification are reported with all their errors, and
 * nothing half-compiled is returned.
 */
public final class Compiler {
    private Compiler() {}

    public static CompiledModule compile(List<Function> functions, CompileOptions opts) {
        for (Function f : functions) Verifier.verifyOrThrow(f);
        for (Function f : functions) Instrumenter.instrument(f, opts.plan());
        return X64Backend.compile(functions, opts);
    }
}
