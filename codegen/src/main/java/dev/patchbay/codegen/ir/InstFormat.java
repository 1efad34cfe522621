/*
 * The operand shapes of instructions, as in Cranelift's `InstructionFormat`. The parser,
 * the printer and the verifier switch on the format rather than on every opcode.
 */
package dev.patchbay.codegen.ir;

/**
 * The operand shapes of instructions, as in Cranelift's {@code InstructionFormat}, so the parser,
 * printer and verifier can switch on the shape instead of on every opcode.
 */
public enum InstFormat {
    /** No operands: nop, get_frame_pointer. */
    NULLARY,
    /** An immediate: iconst. */
    UNARY_IMM,
    /** An IEEE immediate, kept as its bit pattern in {@code Inst.imm}: f32const, f64const. */
    UNARY_IEEE,
    /** One value. */
    UNARY,
    /** Two values. */
    BINARY,
    /** A value and a 64-bit immediate: iadd_imm. */
    BINARY_IMM,
    /** Three values: select, bitselect, the carry-in overflow ops. */
    TERNARY,
    /** icmp cond, a, b. */
    INT_COMPARE,
    /** icmp_imm cond, a, imm. */
    INT_COMPARE_IMM,
    /** fcmp cond, a, b. */
    FLOAT_COMPARE,
    /** uadd_overflow_trap a, b, code. */
    INT_ADD_TRAP,
    /** jump block(args). */
    JUMP,
    /** brif c, block_then(args), block_else(args). */
    BRIF,
    /** br_table index, default(args), [entries]. */
    BRANCH_TABLE,
    /** return values. */
    RETURN,
    /** call fnN(args). */
    CALL,
    /** call_indirect sigN, callee(args). */
    CALL_INDIRECT,
    /** func_addr fnN. */
    FUNC_ADDR,
    /** stack_load.T ssN+offset. */
    STACK_LOAD,
    /** stack_store value, ssN+offset. */
    STACK_STORE,
    /** stack_addr.T ssN+offset. */
    STACK_ADDR,
    /** load.T flags address+offset. */
    LOAD,
    /** store flags value, address+offset. */
    STORE,
    /** trap code. */
    TRAP,
    /** trapz or trapnz value, code. */
    COND_TRAP,
}
