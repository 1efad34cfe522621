/*
 * A callable guest function. Arguments and results are Java longs holding the value's
 * bits: narrow arguments are truncated to their type, narrow integer results come back
 * sign-extended from their type (use Type.zeroExtend for the unsigned view), and an f32
 * result is exactly its 32 bits, zero-extended (the trampoline stores the whole low
 * quadword of its XMM register, whose upper half is not defined).
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.machinst.FunctionInfo;

/**
 * A guest function of an {@link Instance}, to call from Java.
 *
 * <p>Arguments and results are Java {@code long}s holding the values' bits: a narrow
 * argument (i8, i16, i32) is truncated to its type (zero-extended if its parameter is
 * {@code uext}), a narrow integer result comes back sign-extended from its type (use {@code
 * Type.zeroExtend} for the unsigned view), and an {@code f32} result is exactly its 32
 * bits, zero-extended ({@code Float.intBitsToFloat((int) r)}). The thread that calls becomes the Store's
 * owner for the call; a hostcall may call back into the guest on that thread.
 */
public final class Func {
    private final Instance instance;
    private final FunctionInfo info;

    Func(Instance instance, FunctionInfo info) {
        this.instance = instance;
        this.info = info;
    }

    /**
     * The function's name.
     *
     * @return the name, without the {@code %} sigil
     * @throws IllegalStateException if the Store is closed
     */
    public String name() {
        instance.store().checkOpen();
        return info.name;
    }

    /**
     * The function's signature: its parameter and result types.
     *
     * @return the signature
     * @throws IllegalStateException if the Store is closed
     */
    public Signature signature() {
        instance.store().checkOpen();
        return info.signature;
    }

    /**
     * Calls the function on this thread and waits for it to return.
     *
     * @param args one value per parameter, as described above
     * @return one value per result (an empty array for none)
     * @throws Trap if the guest traps, is interrupted, runs out of fuel, or a hostcall or
     *         callback it reached threw (the Trap's cause)
     * @throws IllegalArgumentException if args is null or has the wrong length
     * @throws IllegalStateException if the Store is closed, or another thread is running it
     */
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
        for (int i = 0; i < r.length; i++) r[i] = Hostcalls.bits(sig.returns.get(i).type, r[i]);
        return r;
    }
}
