/**
 * Compiled code and its metadata: {@link dev.patchbay.codegen.machinst.CompiledModule}, what
 * {@link dev.patchbay.codegen.Compiler#compile} returns and the runtime loads, with its functions,
 * patch sites, trap sites, call sites, imports and relocations. These are immutable: accessors
 * return copies of arrays and unmodifiable lists, and constructors copy what they are given.
 *
 * <p>Also here, for the backend: {@link dev.patchbay.codegen.machinst.CodeBuffer}, a byte buffer
 * with labels and relative fixups, which knows nothing about any ISA.
 */
package dev.patchbay.codegen.machinst;
