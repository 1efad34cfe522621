/*
 * The value types of Wasm 2.0 without SIMD: four numeric types and two reference types.
 * v128 (0x7B) is not accepted: this decoder does not implement SIMD.
 */
package dev.patchbay.wasm;

/** A Wasm value type. */
public enum ValType {
    /** 32-bit integer. */ I32(0x7F),
    /** 64-bit integer. */ I64(0x7E),
    /** 32-bit float. */ F32(0x7D),
    /** 64-bit float. */ F64(0x7C),
    /** Function reference. */ FUNCREF(0x70),
    /** External reference. */ EXTERNREF(0x6F);

    private final int code;

    ValType(int code) { this.code = code; }

    /** @return the binary encoding */
    public int code() { return code; }

    /** @return true for funcref and externref */
    public boolean isRef() { return this == FUNCREF || this == EXTERNREF; }

    /** @return true for i32, i64, f32, f64 */
    public boolean isNum() { return !isRef(); }

    /**
     * @param code a byte
     * @return the value type it encodes, or null
     */
    public static ValType ofCode(int code) {
        for (ValType t : values()) if (t.code == code) return t;
        return null;
    }

    @Override public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
}
