/*
 * Parallel moves: a set of copies that must behave as if all sources were read before any
 * destination is written (block arguments, call arguments, returns, entry parameters).
 *
 * Locations are registers (the allocator's numbers: GPRs 0..15, xmmN as 16 + N) or
 * RBP-relative stack words, encoded in a long. The result is a sequence of Edits (the
 * Rewrite places them; emission only encodes them). Copies whose destination is no longer
 * needed as a source are emitted first; what remains forms cycles, each broken by parking
 * one source in a scratch register of its class: R10, or XMM15 for an XMM register.
 * Memory-to-memory copies go through R11, so the scratch registers never collide.
 * Constants (a jump's constant
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

    /**
     * Sequences the moves into `out` as edits, in an order that reads every source before
     * it is overwritten; cycles go through R10 (XMM15 for the float class).
     */
    void sequence(List<Edit> out) {
        List<long[]> pending = new ArrayList<>(moves);
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (int i = 0; i < pending.size(); i++) {
                long[] m = pending.get(i);
                if (!isSource(pending, m[0], i)) {
                    copy(out, m[0], m[1]);
                    pending.remove(i);
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                long[] m = pending.get(0);
                long tmp = isXmm(m[1]) ? xmm(Abi.XSCRATCH2) : reg(Abi.SCRATCH2);
                copy(out, tmp, m[1]);
                m[1] = tmp;
            }
        }
        for (long[] c : consts) {
            if (!isMem(c[0])) {
                out.add(new Edit.LoadConst((int) c[0], c[1]));
            } else if (c[1] == (int) c[1]) {
                out.add(new Edit.StoreConst(mem(c[0]), (int) c[1]));
            } else {
                out.add(new Edit.LoadConst(Abi.SCRATCH.enc(), c[1]));
                out.add(new Edit.Spill(mem(c[0]), Abi.SCRATCH.enc()));
            }
        }
    }

    private static boolean isSource(List<long[]> pending, long loc, int except) {
        for (int i = 0; i < pending.size(); i++) if (i != except && pending.get(i)[1] == loc) return true;
        return false;
    }

    static Mem mem(long loc) { return Mem.base(Gpr.RBP, (int) loc); }

    /** One copy as edits: memory to memory goes through R11. */
    static void copy(List<Edit> out, long dst, long src) {
        if (dst == src) return;
        boolean dm = isMem(dst), sm = isMem(src);
        if (!dm && !sm) {
            out.add(new Edit.Move((int) dst, (int) src));
        } else if (!dm) {
            out.add(new Edit.Reload((int) dst, mem(src)));
        } else if (!sm) {
            out.add(new Edit.Spill(mem(dst), (int) src));
        } else {
            out.add(new Edit.Reload(Abi.SCRATCH.enc(), mem(src)));
            out.add(new Edit.Spill(mem(dst), Abi.SCRATCH.enc()));
        }
    }
}
