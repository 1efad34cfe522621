/*
 * A callable guest function. Arguments and results are Java longs holding the value's
 * bits: narrow arguments are truncated to their type, narrow results come back
 * sign-extended from their type (use Type.zeroExtend for the unsigned view).
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.machinst.FunctionInfo;

public final class Func {
    private final Instance instance;
    private final FunctionInfo info;

    Func(Instance instance, FunctionInfo info) {
        this.instance = instance;
        this.info = info;
    }

    public String name() {
        instance.store().checkOpen();
        return info.name;
    }

    public Signature signature() {
        instance.store().checkOpen();
        return info.signature;
    }

    /** Calls the function; throws Trap if the guest traps. */
    public long[] call(long... args) {
        if (args == null) throw new IllegalArgumentException("args is null");
        Store store = instance.store();
        Signature sig = info.signature;
        if (args.length != sig.params.size()) {
            throw new IllegalArgumentException("%" + info.name + " takes " + sig.params.size() + " arguments, got " + args.length);
        }
        long[] a = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            AbiParam p = sig.params.get(i);
            a[i] = p.ext == AbiParam.Ext.UEXT ? p.type.zeroExtend(args[i]) : p.type.signExtend(args[i]);
        }
        long[] r = store.invoke(instance, info, a);
        if (r == null) throw store.takeTrap();
        for (int i = 0; i < r.length; i++) r[i] = sig.returns.get(i).type.signExtend(r[i]);
        return r;
    }
}
