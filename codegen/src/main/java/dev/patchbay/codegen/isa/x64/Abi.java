/*
 * The calling conventions, as register sets and argument locations. Generated code pins
 * the vmctx pointer in R15 (callee-saved in every convention, so host code preserves it
 * across hostcalls and the signal handler can read it from the ucontext) and keeps R10
 * and R11 as scratch registers (the Rewrite's, and emission's temporaries), which the allocator
 * never hands out.
 *
 * More than two return values use an implicit return area: the caller passes its address
 * as a hidden first argument and the callee stores returns 2.. there, 8 bytes each.
 */
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.Signature;

/**
 * The guest calling conventions. Only the vmctx register is visible outside codegen: the
 * signal-handler module's generated stubs read it.
 */
public final class Abi {
    /** The register generated code pins the vmctx pointer in. */
    public static final Gpr VMCTX = Gpr.R15;
    static final Gpr SCRATCH = Gpr.R11;
    static final Gpr SCRATCH2 = Gpr.R10;

    /** Registers the allocator may assign, in preference order (caller-saved first). */
    static final Gpr[] ALLOCATABLE = {
        Gpr.RAX, Gpr.RCX, Gpr.RDX, Gpr.RSI, Gpr.RDI, Gpr.R8, Gpr.R9,
        Gpr.RBX, Gpr.R12, Gpr.R13, Gpr.R14,
    };

    private static final Gpr[] SYSV_ARGS = {Gpr.RDI, Gpr.RSI, Gpr.RDX, Gpr.RCX, Gpr.R8, Gpr.R9};
    private static final Gpr[] WIN_ARGS = {Gpr.RCX, Gpr.RDX, Gpr.R8, Gpr.R9};
    static final Gpr[] RETS = {Gpr.RAX, Gpr.RDX};
    /** Float returns, the first two of them: in xmm0 and xmm1 (as Cranelift does for System V). */
    static final Xmm[] FLOAT_RETS = {Xmm.XMM0, Xmm.XMM1};
    static final int FLOAT_ARG_REGS = 8, WIN_FLOAT_ARG_REGS = 4;

    /**
     * Emission's XMM scratch registers, never allocated: XMM14 for single instructions,
     * XMM15 for breaking parallel-move cycles of the float class (as R10 does for GPRs).
     */
    static final Xmm XSCRATCH = Xmm.XMM14, XSCRATCH2 = Xmm.XMM15;

    /**
     * The allocator's register numbers: a GPR is its encoding (0..15), xmmN is 16 + N.
     * Clobber masks use the same bits.
     */
    static final int XMM_BASE = 16;

    static int xmmReg(Xmm x) { return XMM_BASE + x.enc(); }

    static boolean isXmmReg(int r) { return r >= XMM_BASE; }

    static Xmm xmm(int r) { return Xmm.fromEnc(r - XMM_BASE); }

    /** XMM registers the allocator may assign, in preference order. */
    static final Xmm[] ALLOCATABLE_XMM = {
        Xmm.XMM0, Xmm.XMM1, Xmm.XMM2, Xmm.XMM3, Xmm.XMM4, Xmm.XMM5, Xmm.XMM6, Xmm.XMM7,
        Xmm.XMM8, Xmm.XMM9, Xmm.XMM10, Xmm.XMM11, Xmm.XMM12, Xmm.XMM13,
    };

    /** Every XMM register, as a clobber mask. */
    static final long ALL_XMM = 0xFFFFL << XMM_BASE;

    private Abi() {}

    static long bit(Gpr r) { return 1L << r.enc(); }

    static long bit(Xmm x) { return 1L << xmmReg(x); }

    static long mask(Gpr... rs) {
        long m = 0;
        for (Gpr r : rs) m |= bit(r);
        return m;
    }

    static final long ALLOCATABLE_MASK = mask(ALLOCATABLE);

    static Gpr[] argRegs(CallConv cc) { return cc == CallConv.WINDOWS_FASTCALL ? WIN_ARGS : SYSV_ARGS; }

    /** Registers a function with this convention must preserve. */
    static long calleeSaved(CallConv cc) {
        long m = mask(Gpr.RBX, Gpr.RBP, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15);
        if (cc == CallConv.WINDOWS_FASTCALL) m |= mask(Gpr.RSI, Gpr.RDI);
        if (cc == CallConv.PRESERVE_ALL) m = ~0L & 0xFFFF;
        return m;
    }

    /**
     * Registers a call to a callee with this convention may clobber. Every XMM register, in
     * every convention: no guest function saves one (windows_fastcall's callee-saved
     * xmm6-15 are not kept, which only this module's own callers could tell, and they
     * assume the clobber), and a hostcall runs Java.
     */
    static long callClobbers(CallConv cc) {
        return (0xFFFFL & ~calleeSaved(cc) & ~mask(Gpr.RSP)) | ALL_XMM;
    }

    static int shadowSpace(CallConv cc) { return cc == CallConv.WINDOWS_FASTCALL ? 32 : 0; }

    /** Where each parameter of a signature lives at the call boundary. */
    static final class ArgLocs {
        /** GPR per integer parameter in a register, else null (a float one, or on the stack). */
        final Gpr[] regs;
        /** XMM register per float parameter in a register, else null. */
        final Xmm[] xmms;
        /** Byte offset from the first stack argument (RSP at the call), valid when the parameter is on the stack. */
        final int[] stackOffsets;
        /** Register carrying the return-area pointer, or null. */
        final Gpr retArea;
        /** Bytes of stack arguments, including shadow space, rounded up to 16. */
        final int stackBytes;
        /** Bytes of return area needed (returns beyond the register returns). */
        final int retAreaBytes;
        /** Per return value: its register (allocator number, see XMM_BASE), or -1 for the return area. */
        final int[] retRegs;
        /** Per return value in the return area: its byte offset there. */
        final int[] retOffsets;

        ArgLocs(Gpr[] regs, Xmm[] xmms, int[] stackOffsets, Gpr retArea, int stackBytes, int retAreaBytes, int[] retRegs,
                int[] retOffsets) {
            this.regs = regs;
            this.xmms = xmms;
            this.stackOffsets = stackOffsets;
            this.retArea = retArea;
            this.stackBytes = stackBytes;
            this.retAreaBytes = retAreaBytes;
            this.retRegs = retRegs;
            this.retOffsets = retOffsets;
        }

        /** True if parameter i is passed on the stack. */
        boolean onStack(int i) { return regs[i] == null && xmms[i] == null; }

        /** Parameter i's register as an allocator number (see XMM_BASE), or -1 on the stack. */
        int reg(int i) { return regs[i] != null ? regs[i].enc() : xmms[i] != null ? xmmReg(xmms[i]) : -1; }
    }

    /**
     * System V: integers in the six GPRs and floats in xmm0-7, each class counted on its
     * own; windows_fastcall: four positional slots, each a GPR or an XMM register by the
     * parameter's type. Returns: the first two integers in rax and rdx, the first two floats
     * in xmm0 and xmm1, the rest in the return area (8 bytes each, in order).
     */
    static ArgLocs argLocs(Signature sig) {
        CallConv cc = sig.callConv;
        boolean win = cc == CallConv.WINDOWS_FASTCALL;
        Gpr[] avail = argRegs(cc);
        int n = sig.params.size();
        Gpr[] regs = new Gpr[n];
        Xmm[] xmms = new Xmm[n];
        int[] offs = new int[n];
        int nr = sig.returns.size();
        int[] retRegs = new int[nr];
        int[] retOffsets = new int[nr];
        int ints = 0, floats = 0, extra = 0;
        for (int i = 0; i < nr; i++) {
            boolean fl = sig.returns.get(i).type.isFloat();
            if (fl && floats < FLOAT_RETS.length) retRegs[i] = xmmReg(FLOAT_RETS[floats++]);
            else if (!fl && ints < RETS.length) retRegs[i] = RETS[ints++].enc();
            else {
                retRegs[i] = -1;
                retOffsets[i] = 8 * extra++;
            }
        }
        int next = 0, nextX = 0;
        Gpr retArea = null;
        if (extra > 0) retArea = avail[next++];
        if (win) nextX = next;
        int shadow = shadowSpace(cc);
        int stack = shadow;
        for (int i = 0; i < n; i++) {
            boolean fl = sig.params.get(i).type.isFloat();
            if (win) {
                int slot = Math.max(next, nextX);
                if (slot < WIN_FLOAT_ARG_REGS) {
                    if (fl) xmms[i] = Xmm.fromEnc(slot);
                    else regs[i] = avail[slot];
                    next = nextX = slot + 1;
                    continue;
                }
            } else if (fl && nextX < FLOAT_ARG_REGS) {
                xmms[i] = Xmm.fromEnc(nextX++);
                continue;
            } else if (!fl && next < avail.length) {
                regs[i] = avail[next++];
                continue;
            }
            offs[i] = stack;
            stack += 8;
        }
        int stackBytes = stack == 0 ? 0 : (stack + 15) & ~15;
        return new ArgLocs(regs, xmms, offs, retArea, stackBytes, extra * 8, retRegs, retOffsets);
    }
}
