/*
 * The instrumentation pass: inserts patchable calls to well-known hooks, before lowering.
 *
 *   epoch          at function entry and at every loop header (target of a DFS back edge);
 *                  in FUEL mode at the start of every block instead, as fuel is charged per block
 *   profile-entry  at function entry
 *   profile-exit   before every return
 *
 * Each hook is declared once per function as `colocated patchable %__patchbay_<kind>()
 * preserve_all`. The call takes no arguments and returns nothing, so an idle site is a
 * pure NOP that needs no register and changes no register allocation: the code around an
 * idle site is the same code as without it. The pass mutates the function in place;
 * Compiler.compile runs it on a copy, so a caller's functions are never changed.
 */
package dev.patchbay.codegen.instrument;

import dev.patchbay.codegen.analysis.Cfg;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The instrumentation pass: inserts patchable calls to the well-known hooks (epoch sites at
 * function entry and loop headers, profile sites at entry and before returns) into IR, before
 * lowering.
 */
public final class Instrumenter {
    private Instrumenter() {}

    /**
     * Instruments f in place according to the plan. Compiler.compile instruments a copy
     * ({@link Function#copy()}); call this directly only on a function you own.
     *
     * @param f the function to change
     * @param plan which sites to insert
     * @return the number of sites inserted
     */
    public static int instrument(Function f, InstrumentationPlan plan) {
        if (plan.isEmpty()) return 0;
        Cfg cfg = new Cfg(f);
        Map<SiteKind, Integer> refs = new EnumMap<>(SiteKind.class);
        int inserted = 0;
        Block entry = f.entryBlock();
        boolean epoch = plan.includes(SiteKind.EPOCH) && plan.epochMode() != EpochMode.NONE;
        for (Block b : f.layout) {
            if (!cfg.isReachable(b.id)) continue;
            int at = 0;
            if (b == entry && plan.includes(SiteKind.PROFILE_ENTRY)) {
                b.insts.add(at++, site(f, refs, SiteKind.PROFILE_ENTRY, b));
                inserted++;
            }
            boolean wantEpoch = epoch && (plan.epochMode() == EpochMode.FUEL || b == entry || cfg.isLoopHeader(b.id));
            if (wantEpoch) {
                b.insts.add(at, site(f, refs, SiteKind.EPOCH, b));
                inserted++;
            }
            if (plan.includes(SiteKind.PROFILE_EXIT)) {
                for (int i = 0; i < b.insts.size(); i++) {
                    if (b.insts.get(i).op == Opcode.RETURN) {
                        b.insts.add(i, site(f, refs, SiteKind.PROFILE_EXIT, b));
                        i++;
                        inserted++;
                    }
                }
            }
        }
        return inserted;
    }

    private static Inst site(Function f, Map<SiteKind, Integer> refs, SiteKind kind, Block b) {
        int ref = refs.computeIfAbsent(kind, k -> {
            f.sigRefs.add(new Signature(List.of(), List.of(), CallConv.PRESERVE_ALL));
            f.extFuncs.add(new ExtFunc(k.hookName(), f.sigRefs.size() - 1, true, true));
            return f.extFuncs.size() - 1;
        });
        Inst call = new Inst(Opcode.CALL);
        call.ref = ref;
        call.loc = b.loc;
        return call;
    }
}
