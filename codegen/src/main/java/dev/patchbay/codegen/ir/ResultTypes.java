/*
 * Computes the result types of an instruction from its opcode's result rule, its
 * controlling type and (for calls) the callee signature. Shared by the parser, the
 * builder and the verifier so there is one definition of what an instruction returns.
 */
package dev.patchbay.codegen.ir;

final class ResultTypes {
    private static final Type[] NONE = new Type[0];

    private ResultTypes() {}

    static Type[] of(Function f, Inst inst) {
        switch (inst.op.res) {
            case NONE:
                return NONE;
            case CTRL:
                return new Type[] {requireType(inst)};
            case FLAG:
                return new Type[] {Type.I8};
            case CTRL_AND_FLAG:
                return new Type[] {requireType(inst), Type.I8};
            case SIGNATURE: {
                Signature s = f.calleeSignature(inst);
                Type[] r = new Type[s.returns.size()];
                for (int i = 0; i < r.length; i++) r[i] = s.returns.get(i).type;
                return r;
            }
            default:
                throw new AssertionError(inst.op.res);
        }
    }

    private static Type requireType(Inst inst) {
        if (inst.type == null) throw new IllegalStateException(inst.op + " needs a controlling type");
        return inst.type;
    }
}
