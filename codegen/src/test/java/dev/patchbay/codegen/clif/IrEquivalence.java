/*
 * Structural comparison of two Functions for the print/parse round trip. Values and blocks
 * are compared by their display names, not ids: a reparse may number entities in a
 * different order, and the names are what the text carries. Returns a description of the
 * first difference, or null when the functions are equivalent.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.StackSlot;

import java.util.Objects;

public final class IrEquivalence {
    private IrEquivalence() {}

    public static String difference(Function a, Function b) {
        if (!a.name.equals(b.name)) return "name " + a.name + " vs " + b.name;
        if (!a.signature.equals(b.signature)) return "signature " + a.signature + " vs " + b.signature;
        if (a.stackSlots.size() != b.stackSlots.size()) return "stack slot count";
        for (int i = 0; i < a.stackSlots.size(); i++) {
            StackSlot x = a.stackSlots.get(i), y = b.stackSlots.get(i);
            if (x.size != y.size || x.align != y.align) return "ss" + i;
        }
        if (!a.sigRefs.equals(b.sigRefs)) return "signature refs " + a.sigRefs + " vs " + b.sigRefs;
        if (a.extFuncs.size() != b.extFuncs.size()) return "function ref count";
        for (int i = 0; i < a.extFuncs.size(); i++) {
            ExtFunc x = a.extFuncs.get(i), y = b.extFuncs.get(i);
            if (!x.name.equals(y.name) || x.sigRef != y.sigRef || x.colocated != y.colocated || x.patchable != y.patchable) {
                return "fn" + i;
            }
        }
        if (a.layout.size() != b.layout.size()) return "block count";
        for (int i = 0; i < a.layout.size(); i++) {
            Block x = a.layout.get(i), y = b.layout.get(i);
            String where = x.name + ": ";
            if (!x.name.equals(y.name) || x.cold != y.cold) return where + "header";
            String p = values(a, x.params, b, y.params);
            if (p != null) return where + "params " + p;
            if (x.insts.size() != y.insts.size()) return where + "instruction count";
            for (int k = 0; k < x.insts.size(); k++) {
                String d = inst(a, x.insts.get(k), b, y.insts.get(k));
                if (d != null) return where + "inst " + k + ": " + d;
            }
        }
        return null;
    }

    private static String inst(Function fa, Inst a, Function fb, Inst b) {
        if (a.op != b.op) return "opcode " + a.op + " vs " + b.op;
        if (a.type != b.type) return "type " + a.type + " vs " + b.type;
        if (a.imm != b.imm) return "imm " + a.imm + " vs " + b.imm;
        if (a.offset != b.offset) return "offset";
        if (a.cond != b.cond) return "cond";
        if (a.fcond != b.fcond) return "float cond";
        if (!Objects.equals(a.trapCode, b.trapCode)) return "trap code";
        if (a.ref != b.ref) return "ref";
        if (a.flags.bits != b.flags.bits) return "flags";
        String d = values(fa, a.args, fb, b.args);
        if (d != null) return "args " + d;
        d = values(fa, a.results, fb, b.results);
        if (d != null) return "results " + d;
        if ((a.targets == null) != (b.targets == null)) return "targets";
        if (a.targets != null) {
            if (a.targets.length != b.targets.length) return "target count";
            for (int i = 0; i < a.targets.length; i++) {
                BlockCall x = a.targets[i], y = b.targets[i];
                if (!fa.block(x.block).name.equals(fb.block(y.block).name)) return "target " + i;
                d = values(fa, x.args, fb, y.args);
                if (d != null) return "target " + i + " args " + d;
            }
        }
        return null;
    }

    private static String values(Function fa, int[] a, Function fb, int[] b) {
        if (a.length != b.length) return "count " + a.length + " vs " + b.length;
        for (int i = 0; i < a.length; i++) {
            if (!fa.valueName(a[i]).equals(fb.valueName(b[i]))) return fa.valueName(a[i]) + " vs " + fb.valueName(b[i]);
            if (fa.valueType(a[i]) != fb.valueType(b[i])) return "type of " + fa.valueName(a[i]);
        }
        return null;
    }
}
