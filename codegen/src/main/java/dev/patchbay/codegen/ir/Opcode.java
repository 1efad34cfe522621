/*
 * The scalar integer subset of CLIF's instruction set. Each opcode carries what the
 * parser, verifier and backend need to know generically: its operand format, how its
 * controlling type is found, what it returns, and whether it is a terminator, has side
 * effects, or touches memory (with the access width and extension of the narrow forms).
 */
package dev.patchbay.codegen.ir;

import java.util.HashMap;
import java.util.Map;

import static dev.patchbay.codegen.ir.InstFormat.*;

/**
 * The scalar integer subset of CLIF's instruction set, each opcode with what the parser, verifier
 * and backend need to know about it generically (format, typing, terminator, side effects, memory
 * access).
 */
public enum Opcode {
    NOP("nop", NULLARY, Ctrl.NONE, Res.NONE),
    GET_FRAME_POINTER("get_frame_pointer", NULLARY, Ctrl.EXPLICIT, Res.CTRL),
    GET_STACK_POINTER("get_stack_pointer", NULLARY, Ctrl.EXPLICIT, Res.CTRL),
    GET_RETURN_ADDRESS("get_return_address", NULLARY, Ctrl.EXPLICIT, Res.CTRL),

    ICONST("iconst", UNARY_IMM, Ctrl.EXPLICIT, Res.CTRL),

    INEG("ineg", UNARY), IABS("iabs", UNARY), BNOT("bnot", UNARY),
    CLZ("clz", UNARY), CTZ("ctz", UNARY), CLS("cls", UNARY), POPCNT("popcnt", UNARY),
    BITREV("bitrev", UNARY), BSWAP("bswap", UNARY),
    BMASK("bmask", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    UEXTEND("uextend", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    SEXTEND("sextend", UNARY, Ctrl.EXPLICIT, Res.CTRL),
    IREDUCE("ireduce", UNARY, Ctrl.EXPLICIT, Res.CTRL),

    IADD("iadd", BINARY), ISUB("isub", BINARY), IMUL("imul", BINARY),
    UMULHI("umulhi", BINARY), SMULHI("smulhi", BINARY),
    UDIV("udiv", BINARY), SDIV("sdiv", BINARY), UREM("urem", BINARY), SREM("srem", BINARY),
    BAND("band", BINARY), BOR("bor", BINARY), BXOR("bxor", BINARY),
    BAND_NOT("band_not", BINARY), BOR_NOT("bor_not", BINARY), BXOR_NOT("bxor_not", BINARY),
    ISHL("ishl", BINARY), USHR("ushr", BINARY), SSHR("sshr", BINARY),
    ROTL("rotl", BINARY), ROTR("rotr", BINARY),
    SMIN("smin", BINARY), SMAX("smax", BINARY), UMIN("umin", BINARY), UMAX("umax", BINARY),
    UADD_OVERFLOW("uadd_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    SADD_OVERFLOW("sadd_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    USUB_OVERFLOW("usub_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    SSUB_OVERFLOW("ssub_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    UMUL_OVERFLOW("umul_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    SMUL_OVERFLOW("smul_overflow", BINARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),

    IADD_IMM("iadd_imm", BINARY_IMM), IRSUB_IMM("irsub_imm", BINARY_IMM), IMUL_IMM("imul_imm", BINARY_IMM),
    UDIV_IMM("udiv_imm", BINARY_IMM), SDIV_IMM("sdiv_imm", BINARY_IMM),
    UREM_IMM("urem_imm", BINARY_IMM), SREM_IMM("srem_imm", BINARY_IMM),
    BAND_IMM("band_imm", BINARY_IMM), BOR_IMM("bor_imm", BINARY_IMM), BXOR_IMM("bxor_imm", BINARY_IMM),
    ISHL_IMM("ishl_imm", BINARY_IMM), USHR_IMM("ushr_imm", BINARY_IMM), SSHR_IMM("sshr_imm", BINARY_IMM),
    ROTL_IMM("rotl_imm", BINARY_IMM), ROTR_IMM("rotr_imm", BINARY_IMM),

    SELECT("select", TERNARY, Ctrl.ARG1, Res.CTRL),
    SELECT_SPECTRE_GUARD("select_spectre_guard", TERNARY, Ctrl.ARG1, Res.CTRL),
    BITSELECT("bitselect", TERNARY),
    UADD_OVERFLOW_CIN("uadd_overflow_cin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    SADD_OVERFLOW_CIN("sadd_overflow_cin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    USUB_OVERFLOW_BIN("usub_overflow_bin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),
    SSUB_OVERFLOW_BIN("ssub_overflow_bin", TERNARY, Ctrl.ARG0, Res.CTRL_AND_FLAG),

    ICMP("icmp", INT_COMPARE, Ctrl.ARG0, Res.FLAG),
    ICMP_IMM("icmp_imm", INT_COMPARE_IMM, Ctrl.ARG0, Res.FLAG),
    UADD_OVERFLOW_TRAP("uadd_overflow_trap", INT_ADD_TRAP),

    JUMP("jump", InstFormat.JUMP, Ctrl.NONE, Res.NONE),
    BRIF("brif", InstFormat.BRIF, Ctrl.NONE, Res.NONE),
    BR_TABLE("br_table", BRANCH_TABLE, Ctrl.NONE, Res.NONE),
    RETURN("return", InstFormat.RETURN, Ctrl.NONE, Res.NONE),

    CALL("call", InstFormat.CALL, Ctrl.NONE, Res.SIGNATURE),
    CALL_INDIRECT("call_indirect", InstFormat.CALL_INDIRECT, Ctrl.OPTIONAL, Res.SIGNATURE),
    FUNC_ADDR("func_addr", InstFormat.FUNC_ADDR, Ctrl.EXPLICIT, Res.CTRL),

    STACK_LOAD("stack_load", InstFormat.STACK_LOAD, Ctrl.EXPLICIT, Res.CTRL),
    STACK_STORE("stack_store", InstFormat.STACK_STORE, Ctrl.OPTIONAL, Res.NONE),
    STACK_ADDR("stack_addr", InstFormat.STACK_ADDR, Ctrl.EXPLICIT, Res.CTRL),

    LOAD("load", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 0, false),
    ULOAD8("uload8", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 1, false),
    SLOAD8("sload8", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 1, true),
    ULOAD16("uload16", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 2, false),
    SLOAD16("sload16", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 2, true),
    ULOAD32("uload32", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 4, false),
    SLOAD32("sload32", InstFormat.LOAD, Ctrl.EXPLICIT, Res.CTRL, 4, true),
    STORE("store", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 0, false),
    ISTORE8("istore8", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 1, false),
    ISTORE16("istore16", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 2, false),
    ISTORE32("istore32", InstFormat.STORE, Ctrl.OPTIONAL, Res.NONE, 4, false),

    /** A breakpoint for debuggers: int3 on x86-64. Not a patch site: the trap handler chains it. */
    DEBUGTRAP("debugtrap", NULLARY, Ctrl.NONE, Res.NONE),
    TRAP("trap", InstFormat.TRAP, Ctrl.NONE, Res.NONE),
    TRAPZ("trapz", COND_TRAP, Ctrl.NONE, Res.NONE),
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

    public final String clif;
    public final InstFormat format;
    public final Ctrl ctrl;
    public final Res res;
    /** For the narrow loads and stores: the access width in bytes; 0 means the controlling type's width. */
    public final int accessBytes;
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

    public static Opcode byName(String name) { return BY_NAME.get(name); }

    public boolean isTerminator() {
        return format == InstFormat.JUMP || format == InstFormat.BRIF || format == BRANCH_TABLE
            || format == InstFormat.RETURN || this == TRAP;
    }

    public boolean isBranch() {
        return format == InstFormat.JUMP || format == InstFormat.BRIF || format == BRANCH_TABLE;
    }

    /** True when the instruction must be kept even if its results are unused. */
    public boolean hasSideEffects() {
        switch (this) {
            case UDIV: case SDIV: case UREM: case SREM:
            case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
            case UADD_OVERFLOW_TRAP:
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

    public boolean isLoad() { return format == InstFormat.LOAD || format == InstFormat.STACK_LOAD; }

    public boolean isStore() { return format == InstFormat.STORE || format == InstFormat.STACK_STORE; }

    @Override public String toString() { return clif; }
}
