/*
 * The scalar integer and float subset of CLIF's instruction set. Each opcode carries what the
 * parser, verifier and backend need to know generically: its operand format, how its
 * controlling type is found, what it returns, and whether it is a terminator, has side
 * effects, or touches memory (with the access width and extension of the narrow forms).
 */
package dev.patchbay.codegen.ir;

import java.util.HashMap;
import java.util.Map;

import static dev.patchbay.codegen.ir.InstFormat.*;

/**
 * The scalar integer and float subset of CLIF's instruction set, each opcode with what the parser, verifier
 * and backend need to know about it generically (format, typing, terminator, side effects, memory
 * access).
 */
public enum Opcode {
    /** Does nothing. */
    NOP("nop", NULLARY, Ctrl.NONE, Res.NONE),
    /** The current function's frame pointer (its saved-RBP chain link). */
    GET_FRAME_POINTER("get_frame_pointer", NULLARY, Ctrl.EXPLICIT, Res.CTRL),
    /** The stack pointer at this instruction. */
    GET_STACK_POINTER("get_stack_pointer", NULLARY, Ctrl.EXPLICIT, Res.CTRL),
    /** The address the current function returns to. */
    GET_RETURN_ADDRESS("get_return_address", NULLARY, Ctrl.EXPLICIT, Res.CTRL),

    /** An integer constant of the controlling type: {@link Inst#imm}, truncated to the type. */
    ICONST("iconst", UNARY_IMM, Ctrl.EXPLICIT, Res.CTRL),

    /** An f32 constant: {@link Inst#imm} holds its bit pattern. */
    F32CONST("f32const", UNARY_IEEE, Ctrl.NONE, Res.CTRL),
    /** An f64 constant: {@link Inst#imm} holds its bit pattern. */
    F64CONST("f64const", UNARY_IEEE, Ctrl.NONE, Res.CTRL),

    /** Two's-complement negation (wraps: the minimum value negates to itself). */
    INEG("ineg", UNARY),
    /** Absolute value, signed (wraps: the minimum value stays as it is). */
    IABS("iabs", UNARY),
    /** Bitwise not. */
    BNOT("bnot", UNARY),
    /** Number of leading zero bits (the type's width for 0). */
    CLZ("clz", UNARY),
    /** Number of trailing zero bits (the type's width for 0). */
    CTZ("ctz", UNARY),
    /** Number of leading bits after the sign bit that equal it. */
    CLS("cls", UNARY),
    /** Number of one bits. */
    POPCNT("popcnt", UNARY),
    /** The bits in reverse order. */
    BITREV("bitrev", UNARY),
    /** The bytes in reverse order. */
    BSWAP("bswap", UNARY),
    /** All ones in the controlling type if the operand is non-zero, else zero. */
    BMASK("bmask", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Zero-extends the operand to the wider controlling type. */
    UEXTEND("uextend", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Sign-extends the operand to the wider controlling type. */
    SEXTEND("sextend", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Truncates the operand to the narrower controlling type. */
    IREDUCE("ireduce", UNARY, Ctrl.EXPLICIT, Res.CTRL),

    /** Float negation: flips the sign bit, NaNs included. */
    FNEG("fneg", UNARY),
    /** Float absolute value: clears the sign bit, NaNs included. */
    FABS("fabs", UNARY),
    /** Square root, correctly rounded; a NaN result is the canonical NaN. */
    SQRT("sqrt", UNARY),
    /** Rounds toward +infinity to an integral value; a NaN result is the canonical NaN. */
    CEIL("ceil", UNARY),
    /** Rounds toward -infinity to an integral value; a NaN result is the canonical NaN. */
    FLOOR("floor", UNARY),
    /** Rounds toward zero to an integral value; a NaN result is the canonical NaN. */
    TRUNC("trunc", UNARY),
    /** Rounds to the nearest integral value, ties to even; a NaN result is the canonical NaN. */
    NEAREST("nearest", UNARY),
    /** Converts f32 to the wider f64 (exact); a NaN result is the canonical NaN. */
    FPROMOTE("fpromote", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Converts f64 to the narrower f32, rounding to nearest; a NaN result is the canonical NaN. */
    FDEMOTE("fdemote", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Float to unsigned integer, rounding toward zero; traps bad_toint on NaN and int_ovf out of range. */
    FCVT_TO_UINT("fcvt_to_uint", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Float to signed integer, rounding toward zero; traps bad_toint on NaN and int_ovf out of range. */
    FCVT_TO_SINT("fcvt_to_sint", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Float to unsigned integer, rounding toward zero, saturating; NaN gives 0. */
    FCVT_TO_UINT_SAT("fcvt_to_uint_sat", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Float to signed integer, rounding toward zero, saturating; NaN gives 0. */
    FCVT_TO_SINT_SAT("fcvt_to_sint_sat", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Unsigned integer to float, rounding to nearest. */
    FCVT_FROM_UINT("fcvt_from_uint", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Signed integer to float, rounding to nearest. */
    FCVT_FROM_SINT("fcvt_from_sint", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    /** Reinterprets the bits as another type of the same width ({@code bitcast.f32 v0}); may carry memory flags (endianness). */
    BITCAST("bitcast", UNARY, Ctrl.EXPLICIT, Res.CTRL),

    /** Float addition, IEEE round to nearest; a NaN result is the canonical NaN. */
    FADD("fadd", BINARY),
    /** Float subtraction; a NaN result is the canonical NaN. */
    FSUB("fsub", BINARY),
    /** Float multiplication; a NaN result is the canonical NaN. */
    FMUL("fmul", BINARY),
    /** Float division; a NaN result is the canonical NaN. */
    FDIV("fdiv", BINARY),
    /** The magnitude of the first operand with the sign bit of the second, NaNs included. */
    FCOPYSIGN("fcopysign", BINARY),
    /** Float minimum: the canonical NaN if either operand is NaN; -0.0 is less than +0.0. */
    FMIN("fmin", BINARY),
    /** Float maximum: the canonical NaN if either operand is NaN; +0.0 is greater than -0.0. */
    FMAX("fmax", BINARY),

    /** Wrapping addition. */
    IADD("iadd", BINARY),
    /** Wrapping subtraction. */
    ISUB("isub", BINARY),
    /** Wrapping multiplication (the low half of the product). */
    IMUL("imul", BINARY),
    /** High half of the unsigned double-width product. */
    UMULHI("umulhi", BINARY),
    /** High half of the signed double-width product. */
    SMULHI("smulhi", BINARY),
    /** Unsigned quotient; traps with int_divz on a zero divisor. */
    UDIV("udiv", BINARY),
    /** Signed quotient, rounded toward zero; traps with int_divz on zero and int_ovf on MIN / -1. */
    SDIV("sdiv", BINARY),
    /** Unsigned remainder; traps with int_divz on a zero divisor. */
    UREM("urem", BINARY),
    /** Signed remainder, with the dividend's sign; traps with int_divz on zero (MIN % -1 is 0). */
    SREM("srem", BINARY),
    /** Bitwise and. */
    BAND("band", BINARY),
    /** Bitwise or. */
    BOR("bor", BINARY),
    /** Bitwise exclusive or. */
    BXOR("bxor", BINARY),
    /** {@code a & ~b}. */
    BAND_NOT("band_not", BINARY),
    /** {@code a | ~b}. */
    BOR_NOT("bor_not", BINARY),
    /** {@code a ^ ~b}. */
    BXOR_NOT("bxor_not", BINARY),
    /** Shift left; the amount is taken modulo the type's width in bits. */
    ISHL("ishl", BINARY),
    /** Logical (zero-filling) shift right; the amount is taken modulo the width. */
    USHR("ushr", BINARY),
    /** Arithmetic (sign-filling) shift right; the amount is taken modulo the width. */
    SSHR("sshr", BINARY),
    /** Rotate left; the amount is taken modulo the width. */
    ROTL("rotl", BINARY),
    /** Rotate right; the amount is taken modulo the width. */
    ROTR("rotr", BINARY),
    /** Signed minimum. */
    SMIN("smin", BINARY),
    /** Signed maximum. */
    SMAX("smax", BINARY),
    /** Unsigned minimum. */
    UMIN("umin", BINARY),
    /** Unsigned maximum. */
    UMAX("umax", BINARY),
    /** Wrapping sum and an i8 flag, 1 if the unsigned sum overflowed. */
    UADD_OVERFLOW("uadd_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** Wrapping sum and an i8 flag, 1 if the signed sum overflowed. */
    SADD_OVERFLOW("sadd_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** Wrapping difference and an i8 flag, 1 if the unsigned difference borrowed. */
    USUB_OVERFLOW("usub_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** Wrapping difference and an i8 flag, 1 if the signed difference overflowed. */
    SSUB_OVERFLOW("ssub_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** Wrapping product and an i8 flag, 1 if the unsigned product overflowed. */
    UMUL_OVERFLOW("umul_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** Wrapping product and an i8 flag, 1 if the signed product overflowed. */
    SMUL_OVERFLOW("smul_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),

    /** {@link #IADD} with the immediate as right-hand side. */
    IADD_IMM("iadd_imm", BINARY_IMM),
    /** Reverse subtraction: the immediate minus the operand. */
    IRSUB_IMM("irsub_imm", BINARY_IMM),
    /** {@link #IMUL} by the immediate. */
    IMUL_IMM("imul_imm", BINARY_IMM),
    /** {@link #UDIV} by the immediate. */
    UDIV_IMM("udiv_imm", BINARY_IMM),
    /** {@link #SDIV} by the immediate. */
    SDIV_IMM("sdiv_imm", BINARY_IMM),
    /** {@link #UREM} by the immediate. */
    UREM_IMM("urem_imm", BINARY_IMM),
    /** {@link #SREM} by the immediate. */
    SREM_IMM("srem_imm", BINARY_IMM),
    /** {@link #BAND} with the immediate. */
    BAND_IMM("band_imm", BINARY_IMM),
    /** {@link #BOR} with the immediate. */
    BOR_IMM("bor_imm", BINARY_IMM),
    /** {@link #BXOR} with the immediate. */
    BXOR_IMM("bxor_imm", BINARY_IMM),
    /** {@link #ISHL} by the immediate. */
    ISHL_IMM("ishl_imm", BINARY_IMM),
    /** {@link #USHR} by the immediate. */
    USHR_IMM("ushr_imm", BINARY_IMM),
    /** {@link #SSHR} by the immediate. */
    SSHR_IMM("sshr_imm", BINARY_IMM),
    /** {@link #ROTL} by the immediate. */
    ROTL_IMM("rotl_imm", BINARY_IMM),
    /** {@link #ROTR} by the immediate. */
    ROTR_IMM("rotr_imm", BINARY_IMM),

    /** {@code select c, x, y}: x if c is non-zero, else y. */
    SELECT("select", TERNARY, Ctrl.ARG1, Res.CTRL),
    /** {@link #SELECT}, always emitted as a conditional move, never as a branch. */
    SELECT_SPECTRE_GUARD("select_spectre_guard", TERNARY, Ctrl.ARG1, Res.CTRL),
    /** {@code bitselect c, x, y}: the bits of x where c has ones, of y where it has zeros. */
    BITSELECT("bitselect", TERNARY),
    /** Fused multiply-add {@code a * b + c}, rounded once; a NaN result is the canonical NaN. */
    FMA("fma", TERNARY),
    /** {@code a + b + carry-in} and an i8 flag, 1 on unsigned carry out. */
    UADD_OVERFLOW_CIN("uadd_overflow_cin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** {@code a + b + carry-in} and an i8 flag, 1 on signed overflow. */
    SADD_OVERFLOW_CIN("sadd_overflow_cin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** {@code a - b - borrow-in} and an i8 flag, 1 on unsigned borrow out. */
    USUB_OVERFLOW_BIN("usub_overflow_bin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    /** {@code a - b - borrow-in} and an i8 flag, 1 on signed overflow. */
    SSUB_OVERFLOW_BIN("ssub_overflow_bin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),

    /** Compares two values by {@link Inst#cond}: an i8, 1 if the comparison holds, else 0. */
    ICMP("icmp", INT_COMPARE, Ctrl.ARG0, Res.FLAG),
    /** {@link #ICMP} against the immediate. */
    ICMP_IMM("icmp_imm", INT_COMPARE_IMM, Ctrl.ARG0, Res.FLAG),
    /** Compares two floats by {@link Inst#fcond}: an i8, 1 if the condition holds, else 0. */
    FCMP("fcmp", FLOAT_COMPARE, Ctrl.ARG0, Res.FLAG),
    /** Unsigned sum; traps with {@link Inst#trapCode} if it overflows. */
    UADD_OVERFLOW_TRAP("uadd_overflow_trap", INT_ADD_TRAP),

    /** Unconditional branch to {@code targets[0]}, passing its arguments. */
    JUMP("jump", InstFormat.JUMP, Ctrl.NONE, Res.NONE),
    /** Two-way branch: to {@code targets[0]} if the operand is non-zero, else to {@code targets[1]}. */
    BRIF("brif", InstFormat.BRIF, Ctrl.NONE, Res.NONE),
    /** Branch through a table: {@code targets[1 + index]}, or {@code targets[0]} if the index is out of range. */
    BR_TABLE("br_table", BRANCH_TABLE, Ctrl.NONE, Res.NONE),
    /** Returns the operands, which match the function's signature. */
    RETURN("return", InstFormat.RETURN, Ctrl.NONE, Res.NONE),

    /** Direct call of the function reference {@link Inst#ref}; a patchable callee makes it a patch site. */
    CALL("call", InstFormat.CALL, Ctrl.NONE, Res.SIGNATURE),
    /** Call through an address (the first operand) with the signature reference {@link Inst#ref}. */
    CALL_INDIRECT("call_indirect", InstFormat.CALL_INDIRECT, Ctrl.OPTIONAL, Res.SIGNATURE),
    /** The address of the function reference {@link Inst#ref}. */
    FUNC_ADDR("func_addr", InstFormat.FUNC_ADDR, Ctrl.EXPLICIT, Res.CTRL),

    /** Loads the controlling type from stack slot {@link Inst#ref} at {@link Inst#offset}. */
    STACK_LOAD("stack_load", InstFormat.STACK_LOAD, Ctrl.EXPLICIT, Res.CTRL),
    /** Stores the operand into stack slot {@link Inst#ref} at {@link Inst#offset}. */
    STACK_STORE("stack_store", InstFormat.STACK_STORE, Ctrl.OPTIONAL, Res.NONE),
    /** The address of stack slot {@link Inst#ref} plus {@link Inst#offset}. */
    STACK_ADDR("stack_addr", InstFormat.STACK_ADDR, Ctrl.EXPLICIT, Res.CTRL),

    /** Loads the controlling type from the address operand plus {@link Inst#offset}. */
    LOAD("load", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 0, false),
    /** Loads one byte and zero-extends it. */
    ULOAD8("uload8", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 1, false),
    /** Loads one byte and sign-extends it. */
    SLOAD8("sload8", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 1, true),
    /** Loads two bytes and zero-extends them. */
    ULOAD16("uload16", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 2, false),
    /** Loads two bytes and sign-extends them. */
    SLOAD16("sload16", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 2, true),
    /** Loads four bytes and zero-extends them. */
    ULOAD32("uload32", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 4, false),
    /** Loads four bytes and sign-extends them. */
    SLOAD32("sload32", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 4, true),
    /** Stores the value operand at the address operand plus {@link Inst#offset}. */
    STORE("store", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 0, false),
    /** Stores the low byte of the value. */
    ISTORE8("istore8", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 1, false),
    /** Stores the low two bytes of the value. */
    ISTORE16("istore16", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 2, false),
    /** Stores the low four bytes of the value. */
    ISTORE32("istore32", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 4, false),

    /** A breakpoint for debuggers: int3 on x86-64. Not a patch site: the trap handler chains it. */
    DEBUGTRAP("debugtrap", NULLARY, Ctrl.NONE, Res.NONE),
    /** Traps unconditionally with {@link Inst#trapCode}; a terminator. */
    TRAP("trap", InstFormat.TRAP, Ctrl.NONE, Res.NONE),
    /** Traps with {@link Inst#trapCode} if the operand is zero. */
    TRAPZ("trapz", COND_TRAP, Ctrl.NONE, Res.NONE),
    /** Traps with {@link Inst#trapCode} if the operand is non-zero. */
    TRAPNZ("trapnz", COND_TRAP, Ctrl.NONE, Res.NONE);

    /** How the controlling type variable is determined. */
    public enum Ctrl {
        /** No controlling type. */
        NONE,
        /** Must be written: `iconst.i32`. */
        EXPLICIT,
        /** Inferred from the first value operand, or written. */
        ARG0,
        /** Inferred from the second value operand (select's true value), or written. */
        ARG1,
        /** May be written; otherwise taken from the operands (stores, call_indirect). */
        OPTIONAL,
    }

    /** The result shape. */
    public enum Res {
        /** No result. */
        NONE,
        /** One result of the controlling type. */
        CTRL,
        /** One i8 flag. */
        FLAG,
        /** The controlling type and an i8 flag (the overflow ops). */
        CTRL_AND_FLAG,
        /** The callee signature's returns. */
        SIGNATURE,
    }

    private static final Map<String, Opcode> BY_NAME = new HashMap<>();

    static {
        for (Opcode o : values()) BY_NAME.put(o.clif, o);
    }

    /** The opcode's name in CLIF text, such as {@code "iadd_imm"}. */
    public final String clif;
    /** Its operand shape, which says which {@link Inst} fields it uses. */
    public final InstFormat format;
    /** How its controlling type is found. */
    public final Ctrl ctrl;
    /** What it returns. */
    public final Res res;
    /** For the narrow loads and stores: the access width in bytes; 0 means the controlling type's width. */
    public final int accessBytes;
    /** For the narrow loads: true if the loaded bytes are sign-extended, false if zero-extended. */
    public final boolean signedAccess;

    Opcode(String clif, InstFormat format) {
        this(clif, format, Ctrl.ARG0, Res.CTRL, 0, false);
    }

    Opcode(String clif, InstFormat format, Ctrl ctrl, Res res) {
        this(clif, format, ctrl, res, 0, false);
    }

    Opcode(String clif, InstFormat format, Ctrl ctrl, Res res, int accessBytes, boolean signedAccess) {
        this.clif = clif;
        this.format = format;
        this.ctrl = ctrl;
        this.res = res;
        this.accessBytes = accessBytes;
        this.signedAccess = signedAccess;
    }

    /**
     * Looks an opcode up by its CLIF name.
     *
     * @param name a CLIF opcode name, such as {@code "iadd"}
     * @return the opcode, or null if Patchbay does not know the name
     */
    public static Opcode byName(String name) { return BY_NAME.get(name); }

    /**
     * Whether the opcode ends a block: a branch, {@code return} or {@code trap}.
     *
     * @return true for the opcodes that may (and must) only be a block's last instruction
     */
    public boolean isTerminator() {
        return format == InstFormat.JUMP || format == InstFormat.BRIF || format == BRANCH_TABLE
            || format == InstFormat.RETURN || this == TRAP;
    }

    /**
     * Whether the opcode transfers control to other blocks.
     *
     * @return true for {@code jump}, {@code brif} and {@code br_table}
     */
    public boolean isBranch() {
        return format == InstFormat.JUMP || format == InstFormat.BRIF || format == BRANCH_TABLE;
    }

    /**
     * Whether the instruction must be kept even if its results are unused: it may trap, touches
     * memory, calls, or ends a block.
     *
     * @return true if removing an unused instance would change behaviour
     */
    public boolean hasSideEffects() { return SIDE_EFFECTS[ordinal()]; }

    /**
     * Per opcode, by ordinal: what hasSideEffects() says, decided once. The compiler asks it
     * of every instruction in several passes, and the switch it was took a third of a pass
     * over a 200k-instruction function.
     */
    private static final boolean[] SIDE_EFFECTS = new boolean[values().length];

    static {
        for (Opcode op : values()) SIDE_EFFECTS[op.ordinal()] = op.decideSideEffects();
    }

    private boolean decideSideEffects() {
        switch (this) {
            case UDIV: case SDIV: case UREM: case SREM:
            case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
            case UADD_OVERFLOW_TRAP:
            case FCVT_TO_UINT: case FCVT_TO_SINT:
            case CALL: case CALL_INDIRECT:
            case STACK_STORE:
            case STORE: case ISTORE8: case ISTORE16: case ISTORE32:
            case LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32:
            case TRAP: case TRAPZ: case TRAPNZ: case DEBUGTRAP:
                return true;
            default:
                return isTerminator();
        }
    }

    /**
     * Whether the opcode reads memory (a load or a stack load).
     *
     * @return true for the load formats
     */
    public boolean isLoad() { return format == InstFormat.LOAD || format == InstFormat.STACK_LOAD; }

    /**
     * Whether the opcode writes memory (a store or a stack store).
     *
     * @return true for the store formats
     */
    public boolean isStore() { return format == InstFormat.STORE || format == InstFormat.STACK_STORE; }

    @Override public String toString() { return clif; }
}
