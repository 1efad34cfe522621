/*
 * A function signature: parameters, returns and calling convention. Immutable.
 */
package dev.patchbay.codegen.ir;

import java.util.ArrayList;
import java.util.List;

/** A function's parameters, returns and calling convention. Immutable. */
public final class Signature {
    /** The parameters, in order; unmodifiable. */
    public final List<AbiParam> params;
    /** The return values, in order; unmodifiable. */
    public final List<AbiParam> returns;
    /** The calling convention. */
    public final CallConv callConv;

    /**
     * A signature.
     *
     * @param params the parameters, copied
     * @param returns the return values, copied
     * @param callConv the calling convention
     */
    public Signature(List<AbiParam> params, List<AbiParam> returns, CallConv callConv) {
        this.params = List.copyOf(params);
        this.returns = List.copyOf(returns);
        this.callConv = callConv;
    }

    /**
     * A System V signature whose values are passed without extension.
     *
     * @param params the parameter types
     * @param returns the return types
     * @return the signature
     */
    public static Signature of(List<Type> params, List<Type> returns) {
        List<AbiParam> p = new ArrayList<>();
        for (Type t : params) p.add(AbiParam.of(t));
        List<AbiParam> r = new ArrayList<>();
        for (Type t : returns) r.add(AbiParam.of(t));
        return new Signature(p, r, CallConv.SYSTEM_V);
    }

    /**
     * The first type in this signature the backend cannot lower.
     *
     * @return that type, parameters before returns, or null if every type is supported
     */
    public Type firstUnsupportedType() {
        for (AbiParam p : params) if (!p.type.isSupported()) return p.type;
        for (AbiParam p : returns) if (!p.type.isSupported()) return p.type;
        return null;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(params.get(i));
        }
        sb.append(")");
        if (!returns.isEmpty()) {
            sb.append(" -> ");
            for (int i = 0; i < returns.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(returns.get(i));
            }
        }
        if (callConv != CallConv.SYSTEM_V) sb.append(' ').append(callConv.clifName());
        return sb.toString();
    }

    /** Same types, extensions and convention. */
    @Override public boolean equals(Object o) {
        if (!(o instanceof Signature)) return false;
        Signature s = (Signature) o;
        return params.equals(s.params) && returns.equals(s.returns) && callConv == s.callConv;
    }

    @Override public int hashCode() { return params.hashCode() * 31 + returns.hashCode() + callConv.hashCode(); }
}
