/**
 * The compiler's front door: {@link dev.patchbay.codegen.Compiler#compile} turns a list of IR
 * functions into one x86-64 {@link dev.patchbay.codegen.machinst.CompiledModule}, with the patch
 * sites that {@link dev.patchbay.codegen.CompileOptions} asks for, and reports IR it cannot compile
 * with a {@link dev.patchbay.codegen.CompileException}.
 *
 * <p>Get IR from CLIF text ({@link dev.patchbay.codegen.clif.ClifParser}) or build it in Java
 * ({@link dev.patchbay.codegen.ir.FunctionBuilder}). Compiling never changes its input, so the
 * same functions can be compiled again with other options, and the module it returns is
 * immutable: nothing read from it is a live view of what the runtime loads.
 *
 * <p>This javadoc covers the packages the module exports to everyone. The backend, register
 * allocator, interpreter and the layouts shared with the runtime are internal and not documented
 * here.
 */
package dev.patchbay.codegen;
