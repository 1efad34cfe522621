/*
 * Problem: decode one instruction at a time from a function body or a constant expression,
 * for two passes that must agree: the decoder's well-formedness pass (which keeps nothing)
 * and the validator's pass (and FunctionBody.instructions()), which decode the same bytes
 * again. Keeping bytes instead of instruction objects keeps a module's memory at the size
 * of its binary plus small per-function records.
 *
 * Invariants:
 * 1. next() either returns the instruction at pos() and moves past it, or throws
 *    WasmDecodeException; it never allocates more than the bytes it consumed allow
 *    (br_table and select counts go through Reader.count()).
 * 2. Opcodes outside Wasm 2.0 without SIMD (0xFD, 0xFE, unassigned bytes and 0xFC
 *    subopcodes) are "illegal opcode"; reserved memory-index bytes must be the single byte
 *    0x00 ("zero byte expected"). The reader notes the first memory.init or data.drop, for the
 *    decoder's "data count section required" rule.
 * 3. A block type is 0x40 (empty), a value type byte, or a non-negative s33 type index.
 */
package dev.patchbay.wasm.internal;

import dev.patchbay.wasm.BlockType;
import dev.patchbay.wasm.Instruction;
import dev.patchbay.wasm.Op;
import dev.patchbay.wasm.ValType;

import java.util.ArrayList;
import java.util.List;

/** Decodes instructions from a Reader. */
public final class CodeReader {
    private final Reader r;
    private int firstDataIndexUse = -1;

    public CodeReader(Reader r) {
        this.r = r;
    }

    /** @return offset of the first memory.init or data.drop decoded, or -1 */
    public int firstDataIndexUse() { return firstDataIndexUse; }

    public Reader reader() { return r; }

    public static ValType valType(Reader r) {
        int at = r.pos();
        int b = r.u8();
        ValType t = ValType.ofCode(b);
        if (t == null) throw Reader.error(at, "malformed value type");
        return t;
    }

    public static ValType refType(Reader r) {
        int at = r.pos();
        int b = r.u8();
        if (b == 0x70) return ValType.FUNCREF;
        if (b == 0x6F) return ValType.EXTERNREF;
        throw Reader.error(at, "malformed reference type");
    }

    private void zero() {
        int at = r.pos();
        if (r.u8() != 0) throw Reader.error(at, "zero byte expected");
    }

    public Instruction next() {
        int at = r.pos();
        int b = r.u8();
        Op op;
        if (b == 0xFC) {
            op = Op.ofFc(r.u32());
        } else {
            op = Op.ofByte(b);
        }
        if (op == null) throw Reader.error(at, "illegal opcode");
        long a = 0;
        long bb = 0;
        BlockType bt = null;
        List<Long> targets = List.of();
        List<ValType> types = List.of();
        switch (op.imm()) {
            case NONE -> { }
            case BLOCK -> {
                int first = r.peek();
                if (first == 0x40) {
                    r.u8();
                    bt = BlockType.EMPTY;
                } else if (ValType.ofCode(first) != null) {
                    r.u8();
                    bt = new BlockType(ValType.ofCode(first), -1);
                } else {
                    int tat = r.pos();
                    long idx = r.s33();
                    if (idx < 0) throw Reader.error(tat, "malformed block type");
                    bt = new BlockType(null, idx);
                }
            }
            case LABEL, FUNC, LOCAL, GLOBAL, TABLE, DATA, ELEM -> a = r.u32();
            case BR_TABLE -> {
                int n = r.count();
                List<Long> ts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) ts.add(r.u32());
                targets = ts;
                a = r.u32();
            }
            case CALL_INDIRECT, TABLE_INIT, TABLE_COPY -> {
                a = r.u32();
                bb = r.u32();
            }
            case SELECT_T -> {
                int n = r.count();
                List<ValType> ts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) ts.add(valType(r));
                types = ts;
            }
            case MEMARG -> {
                a = r.u32();
                bb = r.u32();
            }
            case MEMORY -> zero();
            case I32 -> a = r.s32();
            case I64 -> a = r.s64();
            case F32 -> a = r.f32bits();
            case F64 -> a = r.f64bits();
            case REF_TYPE -> types = List.of(refType(r));
            case MEMORY_INIT -> {
                a = r.u32();
                zero();
            }
            case MEMORY_COPY -> {
                zero();
                zero();
            }
        }
        if ((op == Op.MEMORY_INIT || op == Op.DATA_DROP) && firstDataIndexUse < 0) firstDataIndexUse = at;
        return new Instruction(op, at, a, bb, bt, targets, types);
    }

    /**
     * Decodes an instruction sequence up to and including the end that closes it, checking
     * the nesting (an else only directly inside an if).
     *
     * @param sink receives each instruction, or null to keep nothing
     */
    public void sequence(List<Instruction> sink) {
        // Nesting kinds: 0 block/loop, 1 if (else allowed), 2 if after its else.
        byte[] kinds = new byte[16];
        int depth = 0;
        while (true) {
            Instruction in = next();
            if (sink != null) sink.add(in);
            switch (in.op()) {
                case BLOCK, LOOP, IF -> {
                    if (depth == kinds.length) kinds = java.util.Arrays.copyOf(kinds, depth * 2);
                    kinds[depth++] = (byte) (in.op() == Op.IF ? 1 : 0);
                }
                case ELSE -> {
                    if (depth == 0 || kinds[depth - 1] != 1) throw Reader.error(in.offset(), "END opcode expected");
                    kinds[depth - 1] = 2;
                }
                case END -> {
                    if (depth == 0) return;
                    depth--;
                }
                default -> { }
            }
        }
    }
}
