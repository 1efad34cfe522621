/*
 * The calling conventions, as register sets and argument locations. Generated code pins
 * the vmctx pointer in R15 (callee-saved in every convention, so host code preserves it
 * across hostcalls and the signal handler can read it from the ucontext) and keeps R10
 * and R11 as emission scratch registers, which the allocator never hands out.
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

    private Abi() {}

    static long bit(Gpr r) { return 1L << r.enc(); }

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

    /** Registers a call to a callee with this convention may clobber. */
    static long callClobbers(CallConv cc) {
        return 0xFFFFL & ~calleeSaved(cc) & ~mask(Gpr.RSP);
    }

    static int shadowSpace(CallConv cc) { return cc == CallConv.WINDOWS_FASTCALL ? 32 : 0; }

    /** Where each parameter of a signature lives at the call boundary. */
    static final class ArgLocs {
        /** Register per parameter, or null when it is on the stack. */
        final Gpr[] regs;
        /** Byte offset from the first stack argument (RSP at the call), valid when regs[i] is null. */
        final int[] stackOffsets;
        /** Register carrying the return-area pointer, or null. */
        final Gpr retArea;
        /** Bytes of stack arguments, including shadow space, rounded up to 16. */
        final int stackBytes;
        /** Bytes of return area needed (returns beyond the two register returns). */
        final int retAreaBytes;

        ArgLocs(Gpr[] regs, int[] stackOffsets, Gpr retArea, int stackBytes, int retAreaBytes) {
            this.regs = regs;
            this.stackOffsets = stackOffsets;
            this.retArea = retArea;
            this.stackBytes = stackBytes;
            this.retAreaBytes = retAreaBytes;
        }
    }

    static ArgLocs argLocs(Signature sig) {
        CallConv cc = sig.callConv;
        Gpr[] avail = argRegs(cc);
        int n = sig.params.size();
        Gpr[] regs = new Gpr[n];
        int[] offs = new int[n];
        int next = 0;
        Gpr retArea = null;
        int extraRets = Math.max(0, sig.returns.size() - RETS.length);
        if (extraRets > 0) retArea = avail[next++];
        int shadow = shadowSpace(cc);
        int stack = shadow;
        for (int i = 0; i < n; i++) {
            if (next < avail.length) {
                regs[i] = avail[next++];
            } else {
                offs[i] = stack;
                stack += 8;
            }
        }
        int stackBytes = stack == 0 ? 0 : (stack + 15) & ~15;
        return new ArgLocs(regs, offs, retArea, stackBytes, extraRets * 8);
    }
}
