/**
 * The IR: the scalar integer subset of Cranelift's CLIF, in SSA form. A
 * {@link dev.patchbay.codegen.ir.Function} holds blocks of {@link dev.patchbay.codegen.ir.Inst}
 * instructions over typed values; values, blocks, stack slots and references are dense int indices
 * into their function. {@link dev.patchbay.codegen.ir.FunctionBuilder} builds IR from Java and
 * {@link dev.patchbay.codegen.ir.FunctionPrinter} writes it back out as CLIF.
 *
 * <p>The IR classes are mutable, with public fields, as a compiler's IR usually is; the compiler
 * never changes a function it is given (it instruments a {@link
 * dev.patchbay.codegen.ir.Function#copy() copy}).
 */
package dev.patchbay.codegen.ir;
