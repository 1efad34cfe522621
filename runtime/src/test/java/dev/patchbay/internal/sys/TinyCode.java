/*
 * Problem: the native-access tests need a few x86-64 functions, and the encoder
 * lives in codegen, which the runtime module's tests must not depend on.
 * Approach: hand-assembled SysV functions, spelled as bytes, with each encoding
 * explained where it is built. Arguments arrive in rdi, rsi, rdx, rcx, r8, r9.
 */
package dev.patchbay.internal.sys;

import java.io.ByteArrayOutputStream;

/** Hand-assembled x86-64 test functions. */
final class TinyCode {
    static final byte RET = (byte) 0xC3;

    // mov rax, <arg i>: REX.W (0x48, plus REX.R=0x4 for r8/r9), opcode 89 /r,
    // ModRM = 11 reg(source) 000(rax).
    private static final byte[][] MOV_RAX_FROM_ARG = {
        {0x48, (byte) 0x89, (byte) 0xF8}, // mov rax, rdi
        {0x48, (byte) 0x89, (byte) 0xF0}, // mov rax, rsi
        {0x48, (byte) 0x89, (byte) 0xD0}, // mov rax, rdx
        {0x48, (byte) 0x89, (byte) 0xC8}, // mov rax, rcx
        {0x4C, (byte) 0x89, (byte) 0xC0}, // mov rax, r8
        {0x4C, (byte) 0x89, (byte) 0xC8}, // mov rax, r9
    };

    // add rax, <arg i>: opcode 01 /r with the same ModRM/REX scheme.
    private static final byte[][] ADD_RAX_ARG = {
        {0x48, 0x01, (byte) 0xF8}, // add rax, rdi
        {0x48, 0x01, (byte) 0xF0}, // add rax, rsi
        {0x48, 0x01, (byte) 0xD0}, // add rax, rdx
        {0x48, 0x01, (byte) 0xC8}, // add rax, rcx
        {0x4C, 0x01, (byte) 0xC0}, // add rax, r8
        {0x4C, 0x01, (byte) 0xC8}, // add rax, r9
    };

    private TinyCode() {}

    /** {@code mov eax, imm32; ret} (B8 id C3): returns {@code value} (zero-extended to 64 bits). */
    static byte[] returnConstant(int value) {
        return new byte[] {(byte) 0xB8, (byte) value, (byte) (value >>> 8), (byte) (value >>> 16),
            (byte) (value >>> 24), RET};
    }

    /** {@code mov rax, <arg i>; ret}: returns its i-th argument (0-based). */
    static byte[] returnArg(int i) {
        return concat(MOV_RAX_FROM_ARG[i], new byte[] {RET});
    }

    /** {@code xor eax, eax; add rax, <arg 0>; ...; ret}: the sum of its first n arguments. */
    static byte[] sumOfArgs(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x31); // xor eax, eax (31 /r, ModRM 11 000 000)
        out.write(0xC0);
        for (int i = 0; i < n; i++) {
            out.writeBytes(ADD_RAX_ARG[i]);
        }
        out.write(RET);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** "B8 2A 00 00 00 C3" → bytes. */
    static byte[] hex(String spaced) {
        String[] parts = spaced.trim().split("\\s+");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
