/*
 * Parallel moves: a set of copies that must behave as if all sources were read before any
 * destination is written (block arguments, call arguments, returns, entry parameters).
 *
 * Locations are registers (the allocator's numbers: GPRs 0..15, xmmN as 16 + N) or
 * RBP-relative stack words, encoded in a long. Copies whose destination is no longer
 * needed as a source are emitted first; what remains forms cycles, each broken by parking
 * one source in a scratch register of its class: R10, or XMM15 for an XMM register.
 * Memory-to-memory copies go through R11, so the scratch registers never collide. A copy
 * between the classes is a movq (a bitcast); a float moves to and from its 8-byte stack
 * word with movsd. Constants (a jump's constant
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

    static long xmm(Xmm x) { return Abi.xmmReg(x); }

    /** A register by the allocator's number (see Abi.XMM_BASE). */
    static long regNum(int r) { return r; }

    private static boolean isXmm(long loc) { return !isMem(loc) && loc >= Abi.XMM_BASE; }

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
                long tmp = isXmm(m[1]) ? xmm(Abi.XSCRATCH2) : reg(Abi.SCRATCH2);
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

    private static void copyXmm(Assembler asm, long dst, long src) {
        if (isXmm(dst) && isXmm(src)) {
            asm.movaps(Abi.xmm((int) dst), Abi.xmm((int) src));
        } else if (isXmm(dst)) {
            if (isMem(src)) asm.movsLoad(false, Abi.xmm((int) dst), mem(src));
            else asm.movToXmm(8, Abi.xmm((int) dst), Emit.gpr((int) src));
        } else if (isMem(dst)) {
            asm.movsStore(false, mem(dst), Abi.xmm((int) src));
        } else {
            asm.movFromXmm(8, Emit.gpr((int) dst), Abi.xmm((int) src));
        }
    }

    static void copy(Assembler asm, long dst, long src) {
        if (dst == src) return;
        boolean dm = isMem(dst), sm = isMem(src);
        if (isXmm(dst) || isXmm(src)) {
            copyXmm(asm, dst, src);
            return;
        }
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
