/*
 * Every instruction of Wasm 2.0 without SIMD: its opcode (0xFC-prefixed ones as
 * 0xFC00 | subopcode), the shape of its immediates, and for the plain numeric, memory and
 * bulk-memory instructions their stack signature ("ii>i": two i32 in, one i32 out; i i32, l
 * i64, f f32, d f64), which the validator applies directly. Memory instructions also carry
 * their natural alignment (log2 of the access size); an alignment immediate above it is
 * invalid. Generated once from the spec's opcode tables; codes are unique (OpTest).
 */
package dev.patchbay.wasm;

/** A Wasm instruction opcode. */
public enum Op {
    UNREACHABLE(0x0, Imm.NONE, null, -1),
    NOP(0x1, Imm.NONE, null, -1),
    BLOCK(0x2, Imm.BLOCK, null, -1),
    LOOP(0x3, Imm.BLOCK, null, -1),
    IF(0x4, Imm.BLOCK, null, -1),
    ELSE(0x5, Imm.NONE, null, -1),
    END(0xB, Imm.NONE, null, -1),
    BR(0xC, Imm.LABEL, null, -1),
    BR_IF(0xD, Imm.LABEL, null, -1),
    BR_TABLE(0xE, Imm.BR_TABLE, null, -1),
    RETURN(0xF, Imm.NONE, null, -1),
    CALL(0x10, Imm.FUNC, null, -1),
    CALL_INDIRECT(0x11, Imm.CALL_INDIRECT, null, -1),
    DROP(0x1A, Imm.NONE, null, -1),
    SELECT(0x1B, Imm.NONE, null, -1),
    SELECT_T(0x1C, Imm.SELECT_T, null, -1),
    LOCAL_GET(0x20, Imm.LOCAL, null, -1),
    LOCAL_SET(0x21, Imm.LOCAL, null, -1),
    LOCAL_TEE(0x22, Imm.LOCAL, null, -1),
    GLOBAL_GET(0x23, Imm.GLOBAL, null, -1),
    GLOBAL_SET(0x24, Imm.GLOBAL, null, -1),
    TABLE_GET(0x25, Imm.TABLE, null, -1),
    TABLE_SET(0x26, Imm.TABLE, null, -1),
    I32_LOAD(0x28, Imm.MEMARG, "i>i", 2),
    I64_LOAD(0x29, Imm.MEMARG, "i>l", 3),
    F32_LOAD(0x2A, Imm.MEMARG, "i>f", 2),
    F64_LOAD(0x2B, Imm.MEMARG, "i>d", 3),
    I32_LOAD8_S(0x2C, Imm.MEMARG, "i>i", 0),
    I32_LOAD8_U(0x2D, Imm.MEMARG, "i>i", 0),
    I32_LOAD16_S(0x2E, Imm.MEMARG, "i>i", 1),
    I32_LOAD16_U(0x2F, Imm.MEMARG, "i>i", 1),
    I64_LOAD8_S(0x30, Imm.MEMARG, "i>l", 0),
    I64_LOAD8_U(0x31, Imm.MEMARG, "i>l", 0),
    I64_LOAD16_S(0x32, Imm.MEMARG, "i>l", 1),
    I64_LOAD16_U(0x33, Imm.MEMARG, "i>l", 1),
    I64_LOAD32_S(0x34, Imm.MEMARG, "i>l", 2),
    I64_LOAD32_U(0x35, Imm.MEMARG, "i>l", 2),
    I32_STORE(0x36, Imm.MEMARG, "ii>", 2),
    I64_STORE(0x37, Imm.MEMARG, "il>", 3),
    F32_STORE(0x38, Imm.MEMARG, "if>", 2),
    F64_STORE(0x39, Imm.MEMARG, "id>", 3),
    I32_STORE8(0x3A, Imm.MEMARG, "ii>", 0),
    I32_STORE16(0x3B, Imm.MEMARG, "ii>", 1),
    I64_STORE8(0x3C, Imm.MEMARG, "il>", 0),
    I64_STORE16(0x3D, Imm.MEMARG, "il>", 1),
    I64_STORE32(0x3E, Imm.MEMARG, "il>", 2),
    MEMORY_SIZE(0x3F, Imm.MEMORY, ">i", -1),
    MEMORY_GROW(0x40, Imm.MEMORY, "i>i", -1),
    I32_CONST(0x41, Imm.I32, ">i", -1),
    I64_CONST(0x42, Imm.I64, ">l", -1),
    F32_CONST(0x43, Imm.F32, ">f", -1),
    F64_CONST(0x44, Imm.F64, ">d", -1),
    I32_EQZ(0x45, Imm.NONE, "i>i", -1),
    I32_EQ(0x46, Imm.NONE, "ii>i", -1),
    I32_NE(0x47, Imm.NONE, "ii>i", -1),
    I32_LT_S(0x48, Imm.NONE, "ii>i", -1),
    I32_LT_U(0x49, Imm.NONE, "ii>i", -1),
    I32_GT_S(0x4A, Imm.NONE, "ii>i", -1),
    I32_GT_U(0x4B, Imm.NONE, "ii>i", -1),
    I32_LE_S(0x4C, Imm.NONE, "ii>i", -1),
    I32_LE_U(0x4D, Imm.NONE, "ii>i", -1),
    I32_GE_S(0x4E, Imm.NONE, "ii>i", -1),
    I32_GE_U(0x4F, Imm.NONE, "ii>i", -1),
    I64_EQZ(0x50, Imm.NONE, "l>i", -1),
    I64_EQ(0x51, Imm.NONE, "ll>i", -1),
    I64_NE(0x52, Imm.NONE, "ll>i", -1),
    I64_LT_S(0x53, Imm.NONE, "ll>i", -1),
    I64_LT_U(0x54, Imm.NONE, "ll>i", -1),
    I64_GT_S(0x55, Imm.NONE, "ll>i", -1),
    I64_GT_U(0x56, Imm.NONE, "ll>i", -1),
    I64_LE_S(0x57, Imm.NONE, "ll>i", -1),
    I64_LE_U(0x58, Imm.NONE, "ll>i", -1),
    I64_GE_S(0x59, Imm.NONE, "ll>i", -1),
    I64_GE_U(0x5A, Imm.NONE, "ll>i", -1),
    F32_EQ(0x5B, Imm.NONE, "ff>i", -1),
    F32_NE(0x5C, Imm.NONE, "ff>i", -1),
    F32_LT(0x5D, Imm.NONE, "ff>i", -1),
    F32_GT(0x5E, Imm.NONE, "ff>i", -1),
    F32_LE(0x5F, Imm.NONE, "ff>i", -1),
    F32_GE(0x60, Imm.NONE, "ff>i", -1),
    F64_EQ(0x61, Imm.NONE, "dd>i", -1),
    F64_NE(0x62, Imm.NONE, "dd>i", -1),
    F64_LT(0x63, Imm.NONE, "dd>i", -1),
    F64_GT(0x64, Imm.NONE, "dd>i", -1),
    F64_LE(0x65, Imm.NONE, "dd>i", -1),
    F64_GE(0x66, Imm.NONE, "dd>i", -1),
    I32_CLZ(0x67, Imm.NONE, "i>i", -1),
    I32_CTZ(0x68, Imm.NONE, "i>i", -1),
    I32_POPCNT(0x69, Imm.NONE, "i>i", -1),
    I32_ADD(0x6A, Imm.NONE, "ii>i", -1),
    I32_SUB(0x6B, Imm.NONE, "ii>i", -1),
    I32_MUL(0x6C, Imm.NONE, "ii>i", -1),
    I32_DIV_S(0x6D, Imm.NONE, "ii>i", -1),
    I32_DIV_U(0x6E, Imm.NONE, "ii>i", -1),
    I32_REM_S(0x6F, Imm.NONE, "ii>i", -1),
    I32_REM_U(0x70, Imm.NONE, "ii>i", -1),
    I32_AND(0x71, Imm.NONE, "ii>i", -1),
    I32_OR(0x72, Imm.NONE, "ii>i", -1),
    I32_XOR(0x73, Imm.NONE, "ii>i", -1),
    I32_SHL(0x74, Imm.NONE, "ii>i", -1),
    I32_SHR_S(0x75, Imm.NONE, "ii>i", -1),
    I32_SHR_U(0x76, Imm.NONE, "ii>i", -1),
    I32_ROTL(0x77, Imm.NONE, "ii>i", -1),
    I32_ROTR(0x78, Imm.NONE, "ii>i", -1),
    I64_CLZ(0x79, Imm.NONE, "l>l", -1),
    I64_CTZ(0x7A, Imm.NONE, "l>l", -1),
    I64_POPCNT(0x7B, Imm.NONE, "l>l", -1),
    I64_ADD(0x7C, Imm.NONE, "ll>l", -1),
    I64_SUB(0x7D, Imm.NONE, "ll>l", -1),
    I64_MUL(0x7E, Imm.NONE, "ll>l", -1),
    I64_DIV_S(0x7F, Imm.NONE, "ll>l", -1),
    I64_DIV_U(0x80, Imm.NONE, "ll>l", -1),
    I64_REM_S(0x81, Imm.NONE, "ll>l", -1),
    I64_REM_U(0x82, Imm.NONE, "ll>l", -1),
    I64_AND(0x83, Imm.NONE, "ll>l", -1),
    I64_OR(0x84, Imm.NONE, "ll>l", -1),
    I64_XOR(0x85, Imm.NONE, "ll>l", -1),
    I64_SHL(0x86, Imm.NONE, "ll>l", -1),
    I64_SHR_S(0x87, Imm.NONE, "ll>l", -1),
    I64_SHR_U(0x88, Imm.NONE, "ll>l", -1),
    I64_ROTL(0x89, Imm.NONE, "ll>l", -1),
    I64_ROTR(0x8A, Imm.NONE, "ll>l", -1),
    F32_ABS(0x8B, Imm.NONE, "f>f", -1),
    F32_NEG(0x8C, Imm.NONE, "f>f", -1),
    F32_CEIL(0x8D, Imm.NONE, "f>f", -1),
    F32_FLOOR(0x8E, Imm.NONE, "f>f", -1),
    F32_TRUNC(0x8F, Imm.NONE, "f>f", -1),
    F32_NEAREST(0x90, Imm.NONE, "f>f", -1),
    F32_SQRT(0x91, Imm.NONE, "f>f", -1),
    F32_ADD(0x92, Imm.NONE, "ff>f", -1),
    F32_SUB(0x93, Imm.NONE, "ff>f", -1),
    F32_MUL(0x94, Imm.NONE, "ff>f", -1),
    F32_DIV(0x95, Imm.NONE, "ff>f", -1),
    F32_MIN(0x96, Imm.NONE, "ff>f", -1),
    F32_MAX(0x97, Imm.NONE, "ff>f", -1),
    F32_COPYSIGN(0x98, Imm.NONE, "ff>f", -1),
    F64_ABS(0x99, Imm.NONE, "d>d", -1),
    F64_NEG(0x9A, Imm.NONE, "d>d", -1),
    F64_CEIL(0x9B, Imm.NONE, "d>d", -1),
    F64_FLOOR(0x9C, Imm.NONE, "d>d", -1),
    F64_TRUNC(0x9D, Imm.NONE, "d>d", -1),
    F64_NEAREST(0x9E, Imm.NONE, "d>d", -1),
    F64_SQRT(0x9F, Imm.NONE, "d>d", -1),
    F64_ADD(0xA0, Imm.NONE, "dd>d", -1),
    F64_SUB(0xA1, Imm.NONE, "dd>d", -1),
    F64_MUL(0xA2, Imm.NONE, "dd>d", -1),
    F64_DIV(0xA3, Imm.NONE, "dd>d", -1),
    F64_MIN(0xA4, Imm.NONE, "dd>d", -1),
    F64_MAX(0xA5, Imm.NONE, "dd>d", -1),
    F64_COPYSIGN(0xA6, Imm.NONE, "dd>d", -1),
    I32_WRAP_I64(0xA7, Imm.NONE, "l>i", -1),
    I32_TRUNC_F32_S(0xA8, Imm.NONE, "f>i", -1),
    I32_TRUNC_F32_U(0xA9, Imm.NONE, "f>i", -1),
    I32_TRUNC_F64_S(0xAA, Imm.NONE, "d>i", -1),
    I32_TRUNC_F64_U(0xAB, Imm.NONE, "d>i", -1),
    I64_EXTEND_I32_S(0xAC, Imm.NONE, "i>l", -1),
    I64_EXTEND_I32_U(0xAD, Imm.NONE, "i>l", -1),
    I64_TRUNC_F32_S(0xAE, Imm.NONE, "f>l", -1),
    I64_TRUNC_F32_U(0xAF, Imm.NONE, "f>l", -1),
    I64_TRUNC_F64_S(0xB0, Imm.NONE, "d>l", -1),
    I64_TRUNC_F64_U(0xB1, Imm.NONE, "d>l", -1),
    F32_CONVERT_I32_S(0xB2, Imm.NONE, "i>f", -1),
    F32_CONVERT_I32_U(0xB3, Imm.NONE, "i>f", -1),
    F32_CONVERT_I64_S(0xB4, Imm.NONE, "l>f", -1),
    F32_CONVERT_I64_U(0xB5, Imm.NONE, "l>f", -1),
    F32_DEMOTE_F64(0xB6, Imm.NONE, "d>f", -1),
    F64_CONVERT_I32_S(0xB7, Imm.NONE, "i>d", -1),
    F64_CONVERT_I32_U(0xB8, Imm.NONE, "i>d", -1),
    F64_CONVERT_I64_S(0xB9, Imm.NONE, "l>d", -1),
    F64_CONVERT_I64_U(0xBA, Imm.NONE, "l>d", -1),
    F64_PROMOTE_F32(0xBB, Imm.NONE, "f>d", -1),
    I32_REINTERPRET_F32(0xBC, Imm.NONE, "f>i", -1),
    I64_REINTERPRET_F64(0xBD, Imm.NONE, "d>l", -1),
    F32_REINTERPRET_I32(0xBE, Imm.NONE, "i>f", -1),
    F64_REINTERPRET_I64(0xBF, Imm.NONE, "l>d", -1),
    I32_EXTEND8_S(0xC0, Imm.NONE, "i>i", -1),
    I32_EXTEND16_S(0xC1, Imm.NONE, "i>i", -1),
    I64_EXTEND8_S(0xC2, Imm.NONE, "l>l", -1),
    I64_EXTEND16_S(0xC3, Imm.NONE, "l>l", -1),
    I64_EXTEND32_S(0xC4, Imm.NONE, "l>l", -1),
    REF_NULL(0xD0, Imm.REF_TYPE, null, -1),
    REF_IS_NULL(0xD1, Imm.NONE, null, -1),
    REF_FUNC(0xD2, Imm.FUNC, null, -1),
    I32_TRUNC_SAT_F32_S(0xFC00, Imm.NONE, "f>i", -1),
    I32_TRUNC_SAT_F32_U(0xFC01, Imm.NONE, "f>i", -1),
    I32_TRUNC_SAT_F64_S(0xFC02, Imm.NONE, "d>i", -1),
    I32_TRUNC_SAT_F64_U(0xFC03, Imm.NONE, "d>i", -1),
    I64_TRUNC_SAT_F32_S(0xFC04, Imm.NONE, "f>l", -1),
    I64_TRUNC_SAT_F32_U(0xFC05, Imm.NONE, "f>l", -1),
    I64_TRUNC_SAT_F64_S(0xFC06, Imm.NONE, "d>l", -1),
    I64_TRUNC_SAT_F64_U(0xFC07, Imm.NONE, "d>l", -1),
    MEMORY_INIT(0xFC08, Imm.MEMORY_INIT, "iii>", -1),
    DATA_DROP(0xFC09, Imm.DATA, ">", -1),
    MEMORY_COPY(0xFC0A, Imm.MEMORY_COPY, "iii>", -1),
    MEMORY_FILL(0xFC0B, Imm.MEMORY, "iii>", -1),
    TABLE_INIT(0xFC0C, Imm.TABLE_INIT, null, -1),
    ELEM_DROP(0xFC0D, Imm.ELEM, null, -1),
    TABLE_COPY(0xFC0E, Imm.TABLE_COPY, null, -1),
    TABLE_GROW(0xFC0F, Imm.TABLE, null, -1),
    TABLE_SIZE(0xFC10, Imm.TABLE, null, -1),
    TABLE_FILL(0xFC11, Imm.TABLE, null, -1);

    /** The shape of an instruction's immediates, which fixes the meaning of {@link Instruction}'s fields. */
    public enum Imm {
        /** No immediate. */ NONE,
        /** A block type ({@link Instruction#blockType()}). */ BLOCK,
        /** A label depth (a). */ LABEL,
        /** Label depths (targets) and the default depth (a). */ BR_TABLE,
        /** A function index (a). */ FUNC,
        /** A type index (a) and a table index (b). */ CALL_INDIRECT,
        /** Value types (types); binary form of select with types. */ SELECT_T,
        /** A local index (a). */ LOCAL,
        /** A global index (a). */ GLOBAL,
        /** A table index (a). */ TABLE,
        /** Alignment exponent (a) and offset (b); memory 0. */ MEMARG,
        /** The reserved memory index 0. */ MEMORY,
        /** An i32 constant (a). */ I32,
        /** An i64 constant (a). */ I64,
        /** An f32 constant, its bits (a). */ F32,
        /** An f64 constant, its bits (a). */ F64,
        /** A reference type (types, one entry). */ REF_TYPE,
        /** A data index (a), memory 0. */ MEMORY_INIT,
        /** Memory 0 twice. */ MEMORY_COPY,
        /** A data index (a). */ DATA,
        /** An element index (a) and a table index (b). */ TABLE_INIT,
        /** An element index (a). */ ELEM,
        /** A destination table (a) and a source table (b). */ TABLE_COPY
    }

    private static final Op[] BY_BYTE = new Op[256];
    private static final Op[] BY_FC = new Op[18];

    static {
        for (Op op : values()) {
            if (op.code >= 0xFC00) BY_FC[op.code - 0xFC00] = op;
            else BY_BYTE[op.code] = op;
        }
    }

    private final int code;
    private final Imm imm;
    private final String signature;
    private final int naturalAlignment;

    Op(int code, Imm imm, String signature, int naturalAlignment) {
        this.code = code;
        this.imm = imm;
        this.signature = signature;
        this.naturalAlignment = naturalAlignment;
    }

    /** @return the opcode; 0xFC-prefixed ones as 0xFC00 | subopcode */
    public int code() { return code; }

    /** @return the shape of the immediates */
    public Imm imm() { return imm; }

    /** @return the stack signature ("ii>i"), or null where the validator has a rule of its own */
    public String signature() { return signature; }

    /** @return log2 of the access size for loads and stores, else -1 */
    public int naturalAlignment() { return naturalAlignment; }

    /**
     * @param b a single-byte opcode
     * @return the op, or null for an illegal opcode (0xFC is the prefix, not an op)
     */
    public static Op ofByte(int b) { return BY_BYTE[b & 0xFF]; }

    /**
     * @param sub the subopcode after 0xFC
     * @return the op, or null
     */
    public static Op ofFc(long sub) { return sub >= 0 && sub < BY_FC.length ? BY_FC[(int) sub] : null; }

    /** @return the text-format name, for example "i32.add" */
    public String text() {
        String n = name().toLowerCase(java.util.Locale.ROOT);
        if (this == SELECT_T) return "select";
        // Control instructions are single words with underscores; only typed and
        // namespaced ones (i32.add, local.get, memory.grow) have a dot.
        if (this == BR_IF || this == BR_TABLE || this == CALL_INDIRECT) return n;
        int u = n.indexOf('_');
        if (u < 0) return n;
        return n.substring(0, u) + "." + n.substring(u + 1);
    }
}
