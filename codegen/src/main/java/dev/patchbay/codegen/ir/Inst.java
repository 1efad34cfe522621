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
    public static final int[] NO_VALUES = new int[0];

    public final Opcode op;
    /** The controlling type, or null for opcodes without one. */
    public Type type;
    public int[] args = NO_VALUES;
    public int[] results = NO_VALUES;
    /** iconst value, `_imm` immediate, icmp_imm right-hand side. */
    public long imm;
    /** Byte offset of loads, stores and stack slot accesses. */
    public int offset;
    public IntCC cond;
    public TrapCode trapCode;
    /** Function ref (call, func_addr), signature ref (call_indirect) or stack slot. */
    public int ref = -1;
    /** jump: [dest]; brif: [then, else]; br_table: [default, entries...]. */
    public BlockCall[] targets;
    public MemFlags flags = MemFlags.NONE;
    public SourceLoc loc = SourceLoc.NONE;

    public Inst(Opcode op) { this.op = op; }

    public int arg(int i) { return args[i]; }

    public int result() { return results[0]; }
}
