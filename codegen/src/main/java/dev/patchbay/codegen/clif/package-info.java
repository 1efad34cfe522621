/**
 * Reading CLIF, Cranelift's textual IR, into {@link dev.patchbay.codegen.ir} functions:
 * {@link dev.patchbay.codegen.clif.ClifParser#parse} gives a
 * {@link dev.patchbay.codegen.clif.ClifFile} with its header, its functions (parsed, or skipped
 * for types Patchbay does not compile yet) and their {@code ; run:} directives. Errors carry a
 * file, line and column and print as {@code file:line:col: error: message}
 * ({@link dev.patchbay.codegen.clif.Diagnostics}).
 */
package dev.patchbay.codegen.clif;
