/*
 * One decoded instruction. What a, b, targets and types mean depends on op.imm() (see
 * Op.Imm); unused fields are 0, null or empty. offset is the instruction's byte offset in
 * the module binary, which traps and backtraces report later. f32/f64 constants are kept as
 * raw bits, so NaN payloads survive.
 */
package dev.patchbay.wasm;

import java.util.List;

/**
 * A decoded instruction.
 *
 * @param op the opcode
 * @param offset byte offset in the binary
 * @param a first immediate (index, constant bits, alignment exponent, default label)
 * @param b second immediate (memarg offset, table index)
 * @param blockType the block type of block, loop and if, else null
 * @param targets br_table's label depths (without the default), else empty
 * @param types select's value types, or ref.null's reference type, else empty
 */
public record Instruction(Op op, int offset, long a, long b, BlockType blockType,
                          List<Long> targets, List<ValType> types) {
    /** Copies the lists. */
    public Instruction {
        targets = List.copyOf(targets);
        types = List.copyOf(types);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(op.text());
        switch (op.imm()) {
            case NONE, MEMORY, MEMORY_COPY -> { }
            case BLOCK -> sb.append(' ').append(blockType);
            case BR_TABLE -> sb.append(' ').append(targets).append(' ').append(a);
            case CALL_INDIRECT, TABLE_INIT, TABLE_COPY -> sb.append(' ').append(a).append(' ').append(b);
            case MEMARG -> sb.append(" align=").append(1L << Math.min(a, 62)).append(" offset=").append(b);
            case SELECT_T, REF_TYPE -> sb.append(' ').append(types);
            case F32 -> sb.append(' ').append(Float.intBitsToFloat((int) a));
            case F64 -> sb.append(' ').append(Double.longBitsToDouble(a));
            default -> sb.append(' ').append(a);
        }
        return sb.toString();
    }
}
