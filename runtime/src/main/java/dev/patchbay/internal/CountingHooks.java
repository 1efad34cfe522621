/*
 * The default hook of every site kind: native code that counts hits in the vmctx
 * (VmctxLayout.HOOK_COUNTS) and returns. It costs one locked add per hit and no upcall,
 * and gives every turned-on site a visible effect. Generated once per process.
 */
package dev.patchbay.internal;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.isa.x64.AluOp;
import dev.patchbay.codegen.isa.x64.Assembler;
import dev.patchbay.codegen.isa.x64.Gpr;
import dev.patchbay.codegen.isa.x64.Mem;
import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.vm.VmctxLayout;
import dev.patchbay.internal.sys.CodeMemory;

/**
 * The default native hook for every site kind: it counts hits in the Store's vmctx and returns, so
 * a site that is on has a visible effect without any upcall into Java.
 */
public final class CountingHooks {
    private static final long[] ADDRESSES = new long[SiteKind.values().length];

    static {
        CodeMemory mem = CodeMemory.allocate(4096, "counting-hooks");
        int at = 0;
        for (SiteKind k : SiteKind.values()) {
            byte[] code = countingHook(k.ordinal());
            mem.write(at, code);
            ADDRESSES[k.ordinal()] = mem.execAddress(at);
            at += (code.length + 15) & ~15;
        }
        // Never closed: any Store's vmctx may point here for the life of the process.
    }

    private CountingHooks() {}

    /** A native hook that counts hits per site kind in the vmctx and returns 0. */
    private static byte[] countingHook(int kindOrdinal) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.lockAluImm(AluOp.ADD, 8, Mem.base(Gpr.RDI, VmctxLayout.hookCount(kindOrdinal)), 1);
        a.zero(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    public static long address(SiteKind kind) { return ADDRESSES[kind.ordinal()]; }
}
