/*
 * Which words name types and float opcodes that the parser should recognise only to skip
 * the function that uses them (f32 and f64 and their opcodes are in the IR now; f16 and
 * f128 and the vector types are not). Separating "known to CLIF but unsupported here" from
 * "unknown" is what lets Cranelift's run tests load while typos still fail loudly.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.Type;

import java.util.Set;
import java.util.regex.Pattern;

final class TypeNames {
    private TypeNames() {}

    /** Scalar and vector types CLIF has but Patchbay does not lower: i128, f16..f128, i32x4, f64x2, i32x4xN. */
    private static final Pattern UNSUPPORTED = Pattern.compile(
        "(?:i(?:8|16|32|64|128)|f(?:16|32|64|128))(?:x[0-9]+(?:xN)?)?");

    private static final Set<String> FLOAT_OPCODES = Set.of(
        "f16const", "f32const", "f64const", "f128const",
        "fadd", "fsub", "fmul", "fdiv", "sqrt", "fma", "fneg", "fabs", "fcopysign",
        "fmin", "fmax", "ceil", "floor", "trunc", "nearest", "fcmp",
        "fpromote", "fdemote", "fcvt_to_uint", "fcvt_to_sint", "fcvt_to_uint_sat", "fcvt_to_sint_sat",
        "fcvt_from_uint", "fcvt_from_sint");

    /** True for type names CLIF knows that Patchbay cannot compile (never for i8..i64). */
    static boolean isKnownUnsupported(String word) {
        Type t = Type.parse(word);
        if (t != null) return !t.isSupported();
        return UNSUPPORTED.matcher(word).matches();
    }

    static boolean isFloatOpcode(String word) { return FLOAT_OPCODES.contains(word); }

    /** The type a float opcode works on when it is evident from the name (f32const), else null. */
    static String floatOpcodeType(String opcode) {
        return opcode.endsWith("const") ? opcode.substring(0, opcode.length() - "const".length()) : null;
    }
}
