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
    /** uadd_overflow_trap a, b, code. */
    INT_ADD_TRAP,
    JUMP,
    BRIF,
    BRANCH_TABLE,
    RETURN,
    CALL,
    CALL_INDIRECT,
    FUNC_ADDR,
    STACK_LOAD,
    STACK_STORE,
    /** stack_addr ss, offset. */
    STACK_ADDR,
    LOAD,
    STORE,
    TRAP,
    COND_TRAP,
}
