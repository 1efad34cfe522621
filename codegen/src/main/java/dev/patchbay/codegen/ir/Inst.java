/*
 * One instruction. A single mutable class with a field for every operand kind keeps the
 * IR small: which fields are meaningful follows from the opcode's format (see
 * InstFormat). Values, blocks, stack slots, function and signature references are dense
 * int indices into the owning Function.
 */
package dev.patchbay.codegen.ir;

/**
 * One IR instruction. Which of its operand fields are meaningful follows from its opcode's {@link
 * InstFormat}; values, blocks and other entities are indices into the owning function.
 */
public final class Inst {
    /** The empty operand or result list, shared (an empty array cannot be written into). */
    public static final int[] NO_VALUES = new int[0];

    /** What the instruction does; its format says which fields below are meaningful. */
    public final Opcode op;
    /** The controlling type, or null for opcodes without one. */
    public Type type;
    /**
     * The value operands, in CLIF order (for stores: the value, then the address; for
     * {@code call_indirect}: the callee, then the arguments).
     */
    public int[] args = NO_VALUES;
    /** The values the instruction defines, in order. */
    public int[] results = NO_VALUES;
    /** The immediate: iconst's value, f32const's and f64const's bit pattern, an {@code _imm} op's right-hand side, icmp_imm's right-hand side. */
    public long imm;
    /** Byte offset of loads, stores and stack slot accesses. */
    public int offset;
    /** The condition of icmp and icmp_imm; null otherwise. */
    public IntCC cond;
    /** The condition of fcmp; null otherwise. */
    public FloatCC fcond;
    /** What trap, trapz, trapnz and uadd_overflow_trap report; null otherwise. */
    public TrapCode trapCode;
    /** Function ref (call, func_addr), signature ref (call_indirect) or stack slot; -1 for none. */
    public int ref = -1;
    /**
     * Branch targets: jump [dest]; brif [then, else]; br_table [default, entries...]; null for
     * other opcodes.
     */
    public BlockCall[] targets;
    /** The memory flags of loads and stores; {@link MemFlags#NONE} otherwise. */
    public MemFlags flags = MemFlags.NONE;
    /** Where the instruction is in CLIF text, or {@link SourceLoc#NONE}. */
    public SourceLoc loc = SourceLoc.NONE;

    /**
     * An instruction with no operands set yet.
     *
     * @param op its opcode
     */
    public Inst(Opcode op) { this.op = op; }

    /**
     * A value operand.
     *
     * @param i its position in {@link #args}
     * @return the value
     */
    public int arg(int i) { return args[i]; }

    /**
     * The first (for most opcodes the only) result.
     *
     * @return the value
     * @throws ArrayIndexOutOfBoundsException if the instruction has no results
     */
    public int result() { return results[0]; }
}
