/*
 * Parallel moves: a set of copies that must behave as if all sources were read before any
 * destination is written (block arguments, call arguments, returns, entry parameters).
 *
 * Locations are registers or RBP-relative stack words, encoded in a long. Copies whose
 * destination is no longer needed as a source are emitted first; what remains forms
 * cycles, each broken by parking one source in R10. Memory-to-memory copies go through
 * R11, so the two scratch registers never collide. Constants (a jump's constant
 * arguments) are written last, when every register they overwrite has been read.
 */
package dev.patchbay.codegen.isa.x64;

import java.util.ArrayList;
import java.util.List;

final class ParallelMove {
    private static final long MEM = 1L << 32;

    private final List<long[]> moves = new ArrayList<>();
    /** Constants to write, {dst, value}: after every copy, since a destination may be another copy's source. */
    private final List<long[]> consts = new ArrayList<>();

    static long reg(Gpr r) { return r.enc(); }

    static long stack(int rbpOffset) { return MEM | (rbpOffset & 0xFFFFFFFFL); }

    static boolean isMem(long loc) { return (loc & MEM) != 0; }

    void add(long dst, long src) {
        if (dst != src) moves.add(new long[] {dst, src});
    }

    /** dst = imm. Clobbers flags (a zero is `xor`), which are dead wherever moves happen. */
    void addConst(long dst, long imm) {
        consts.add(new long[] {dst, imm});
    }

    boolean isEmpty() { return moves.isEmpty() && consts.isEmpty(); }

    void emit(Assembler asm) {
        List<long[]> pending = new ArrayList<>(moves);
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (int i = 0; i < pending.size(); i++) {
                long[] m = pending.get(i);
                if (!isSource(pending, m[0], i)) {
                    copy(asm, m[0], m[1]);
                    pending.remove(i);
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                long[] m = pending.get(0);
                long tmp = reg(Abi.SCRATCH2);
                copy(asm, tmp, m[1]);
                m[1] = tmp;
            }
        }
        for (long[] c : consts) {
            if (!isMem(c[0])) {
                if (c[1] == 0) asm.zero(Emit.gpr((int) c[0]));
                else asm.movImm(Emit.gpr((int) c[0]), c[1]);
            } else if (c[1] == (int) c[1]) {
                asm.storeImm(8, mem(c[0]), (int) c[1]);
            } else {
                asm.movImm(Abi.SCRATCH, c[1]);
                asm.store(8, mem(c[0]), Abi.SCRATCH);
            }
        }
    }

    private static boolean isSource(List<long[]> pending, long loc, int except) {
        for (int i = 0; i < pending.size(); i++) if (i != except && pending.get(i)[1] == loc) return true;
        return false;
    }

    static Mem mem(long loc) { return Mem.base(Gpr.RBP, (int) loc); }

    static void copy(Assembler asm, long dst, long src) {
        if (dst == src) return;
        boolean dm = isMem(dst), sm = isMem(src);
        if (!dm && !sm) {
            asm.mov(8, Emit.gpr((int) dst), Emit.gpr((int) src));
        } else if (!dm) {
            asm.load(8, Emit.gpr((int) dst), mem(src));
        } else if (!sm) {
            asm.store(8, mem(dst), Emit.gpr((int) src));
        } else {
            asm.load(8, Abi.SCRATCH, mem(src));
            asm.store(8, mem(dst), Abi.SCRATCH);
        }
    }
}
