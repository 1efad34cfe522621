/*
 * Writes a Function back out as CLIF text. The output parses again with the CLIF parser,
 * which is how tests pin down what the instrumentation pass inserted. Float constants are
 * printed as Cranelift prints them (IeeeLiteral), so every bit pattern, NaN payloads and
 * -0.0 included, parses back to the same bits.
 */
package dev.patchbay.codegen.ir;

/** Writes a function back out as CLIF text that the parser reads again. */
public final class FunctionPrinter {
    private FunctionPrinter() {}

    /**
     * Prints a function as CLIF text.
     *
     * @param f the function
     * @return its text, which {@link dev.patchbay.codegen.clif.ClifParser} parses back to the same
     *     function
     */
    public static String print(Function f) {
        StringBuilder sb = new StringBuilder();
        sb.append("function ").append(f.name.contains(":") ? f.name : "%" + f.name).append(f.signature).append(" {\n");
        for (int i = 0; i < f.stackSlots.size(); i++) {
            StackSlot s = f.stackSlots.get(i);
            sb.append("    ss").append(i).append(" = explicit_slot ").append(s.size);
            if (s.align != 1) sb.append(", align = ").append(s.align);
            sb.append('\n');
        }
        for (int i = 0; i < f.sigRefs.size(); i++) {
            sb.append("    sig").append(i).append(" = ").append(f.sigRefs.get(i)).append('\n');
        }
        for (int i = 0; i < f.extFuncs.size(); i++) {
            ExtFunc e = f.extFuncs.get(i);
            sb.append("    fn").append(i).append(" = ");
            if (e.colocated) sb.append("colocated ");
            if (e.patchable) sb.append("patchable ");
            sb.append(e.name.contains(":") ? e.name : "%" + e.name).append(' ').append("sig").append(e.sigRef).append('\n');
        }
        boolean first = true;
        for (Block b : f.layout) {
            if (!first || !f.stackSlots.isEmpty() || !f.sigRefs.isEmpty()) sb.append('\n');
            first = false;
            sb.append(b.name);
            if (b.params.length > 0) {
                sb.append('(');
                for (int i = 0; i < b.params.length; i++) {
                    if (i > 0) sb.append(", ");
                    sb.append(f.valueName(b.params[i])).append(": ").append(f.valueType(b.params[i]));
                }
                sb.append(')');
            }
            if (b.cold) sb.append(" cold");
            sb.append(":\n");
            for (Inst inst : b.insts) sb.append("    ").append(printInst(f, inst)).append('\n');
        }
        sb.append("}\n");
        return sb.toString();
    }

    /**
     * Prints one instruction as CLIF text, without indentation or newline.
     *
     * @param f the function the instruction belongs to (for value names and references)
     * @param inst the instruction
     * @return its text, such as {@code v2 = iadd v0, v1}
     */
    public static String printInst(Function f, Inst inst) {
        StringBuilder sb = new StringBuilder();
        if (inst.results.length > 0) {
            for (int i = 0; i < inst.results.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(f.valueName(inst.results[i]));
            }
            sb.append(" = ");
        }
        sb.append(inst.op.clif);
        if (inst.type != null && needsTypeSuffix(f, inst)) sb.append('.').append(inst.type);
        switch (inst.op.format) {
            case NULLARY:
                break;
            case UNARY_IMM:
                sb.append(' ').append(inst.imm);
                break;
            case UNARY_IEEE:
                sb.append(' ').append(IeeeLiteral.format(inst.op == Opcode.F32CONST ? Type.F32 : Type.F64, inst.imm));
                break;
            case UNARY: case BINARY: case TERNARY:
                if (inst.op == Opcode.BITCAST) sb.append(flags(inst));
                sb.append(' ');
                values(f, sb, inst.args);
                break;
            case FLOAT_COMPARE:
                sb.append(' ').append(inst.fcond.clifName()).append(' ');
                values(f, sb, inst.args);
                break;
            case BINARY_IMM:
                sb.append(' ').append(f.valueName(inst.args[0])).append(", ").append(inst.imm);
                break;
            case INT_COMPARE:
                sb.append(' ').append(inst.cond.clifName()).append(' ');
                values(f, sb, inst.args);
                break;
            case INT_COMPARE_IMM:
                sb.append(' ').append(inst.cond.clifName()).append(' ').append(f.valueName(inst.args[0]))
                    .append(", ").append(inst.imm);
                break;
            case INT_ADD_TRAP:
                sb.append(' ');
                values(f, sb, inst.args);
                sb.append(", ").append(inst.trapCode);
                break;
            case JUMP:
                sb.append(' ');
                blockCall(f, sb, inst.targets[0]);
                break;
            case BRIF:
                sb.append(' ').append(f.valueName(inst.args[0])).append(", ");
                blockCall(f, sb, inst.targets[0]);
                sb.append(", ");
                blockCall(f, sb, inst.targets[1]);
                break;
            case BRANCH_TABLE:
                sb.append(' ').append(f.valueName(inst.args[0])).append(", ");
                blockCall(f, sb, inst.targets[0]);
                sb.append(", [");
                for (int i = 1; i < inst.targets.length; i++) {
                    if (i > 1) sb.append(", ");
                    blockCall(f, sb, inst.targets[i]);
                }
                sb.append(']');
                break;
            case RETURN:
                if (inst.args.length > 0) {
                    sb.append(' ');
                    values(f, sb, inst.args);
                }
                break;
            case CALL:
                sb.append(" fn").append(inst.ref).append('(');
                values(f, sb, inst.args);
                sb.append(')');
                break;
            case CALL_INDIRECT: {
                sb.append(" sig").append(inst.ref).append(", ").append(f.valueName(inst.args[0])).append('(');
                int[] rest = java.util.Arrays.copyOfRange(inst.args, 1, inst.args.length);
                values(f, sb, rest);
                sb.append(')');
                break;
            }
            case FUNC_ADDR:
                sb.append(" fn").append(inst.ref);
                break;
            case STACK_LOAD: case STACK_ADDR:
                sb.append(" ss").append(inst.ref).append(offset(inst.offset));
                break;
            case STACK_STORE:
                sb.append(' ').append(f.valueName(inst.args[0])).append(", ss").append(inst.ref).append(offset(inst.offset));
                break;
            case LOAD:
                sb.append(flags(inst)).append(' ').append(f.valueName(inst.args[0])).append(offset(inst.offset));
                break;
            case STORE:
                sb.append(flags(inst)).append(' ').append(f.valueName(inst.args[0])).append(", ")
                    .append(f.valueName(inst.args[1])).append(offset(inst.offset));
                break;
            case TRAP:
                sb.append(' ').append(inst.trapCode);
                break;
            case COND_TRAP:
                sb.append(' ').append(f.valueName(inst.args[0])).append(", ").append(inst.trapCode);
                break;
            default:
                throw new AssertionError(inst.op.format);
        }
        return sb.toString();
    }

    private static boolean needsTypeSuffix(Function f, Inst inst) {
        switch (inst.op.ctrl) {
            case EXPLICIT: return true;
            case ARG0: return inst.args.length == 0 || f.valueType(inst.args[0]) != inst.type;
            case ARG1: return inst.args.length < 2 || f.valueType(inst.args[1]) != inst.type;
            default: return false;
        }
    }

    private static String flags(Inst inst) {
        String s = inst.flags.toString();
        return s.isEmpty() ? "" : " " + s;
    }

    private static String offset(int off) {
        if (off == 0) return "";
        return off > 0 ? "+" + off : String.valueOf(off);
    }

    private static void values(Function f, StringBuilder sb, int[] vs) {
        for (int i = 0; i < vs.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(f.valueName(vs[i]));
        }
    }

    private static void blockCall(Function f, StringBuilder sb, BlockCall bc) {
        sb.append(f.block(bc.block).name);
        if (bc.args.length > 0) {
            sb.append('(');
            values(f, sb, bc.args);
            sb.append(')');
        }
    }
}
