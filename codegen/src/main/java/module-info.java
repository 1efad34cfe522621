/*
 * codegen's module descriptor. codegen needs nothing but java.base.
 *
 * Exported to everyone, the API: what a frontend needs to build or parse IR, compile it and
 * read the result (Compiler.compile's input, options, output and errors). These packages
 * are what the javadoc jar documents.
 *
 * Exported only to the Patchbay modules that use them, the internals they share with the
 * runtime: the generated stubs (isa.x64) and the layouts of the memory that generated code
 * and the runtime both read (vm). Those modules are automatic modules today, named by the
 * Automatic-Module-Name in their manifests (module.name in their POMs), and a qualified
 * export to a module that is not there is ignored at run time. javac warns about such an
 * export (lint category "module") when it compiles this module alone, which it always does:
 * codegen is built first and depends on none of them. The @SuppressWarnings below silences
 * that warning here and nowhere else.
 *
 * Not exported at all: the passes and tools nothing outside this module calls (analysis,
 * regalloc, interp, disasm). The CLI, benchmarks and test suites use them from the class
 * path, where a module descriptor is ignored.
 */

/**
 * The Patchbay compiler: CLIF IR, its parser and verifier, the instrumentation pass that
 * inserts patch sites, and the x86-64 backend. Start at {@link dev.patchbay.codegen.Compiler}.
 */
@SuppressWarnings("module")
module dev.patchbay.codegen {
    exports dev.patchbay.codegen;
    exports dev.patchbay.codegen.clif;
    exports dev.patchbay.codegen.instrument;
    exports dev.patchbay.codegen.ir;
    exports dev.patchbay.codegen.machinst;
    exports dev.patchbay.codegen.verify;

    exports dev.patchbay.codegen.isa.x64 to
        dev.patchbay.runtime,
        dev.patchbay.signal,
        dev.patchbay.profiler;
    exports dev.patchbay.codegen.vm to
        dev.patchbay.runtime,
        dev.patchbay.signal,
        dev.patchbay.profiler;
}
