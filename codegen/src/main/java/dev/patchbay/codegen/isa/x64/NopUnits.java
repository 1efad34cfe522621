// Problem: padding (alignment, patchable call sites) must execute as cheaply as possible, and a
// run of one-byte NOPs costs one decode slot per byte.
// Approach: publish Intel's recommended multi-byte NOP encodings (1..9 bytes, SDM Vol. 2B "NOP")
// and fill a gap greedily with the largest unit first, so a gap of n bytes costs ceil(n / 9)
// instructions. The 5-byte form doubles as the idle state of a patch site, because a 5-byte
// `call rel32` can later be written over it in place.
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.machinst.CodeBuffer;

/**
 * Intel's recommended multi-byte NOP encodings, used to fill padding with as few instructions as
 * possible; the 5-byte form is also the idle state of a patch site.
 */
public final class NopUnits {
    private NopUnits() {}

    /**
     * 5-byte NOP `nop DWORD PTR [rax+rax*1+0x0]`: same length as `call rel32`, so a site can flip.
     * Package-private: every off form the backend emits or records comes from here, so no caller
     * outside the backend may write into it.
     */
    static final byte[] PATCH_SITE_OFF = {0x0F, 0x1F, 0x44, 0x00, 0x00};

    /**
     * Entry i is the recommended NOP of length i + 1. Published for readers (patchers, tests);
     * emission uses a private copy so a caller writing into these arrays cannot corrupt code.
     */
    public static final byte[][] X64_NOP_UNITS = table();

    private static final byte[][] UNITS = table();

    /** Longest single NOP in the table. */
    public static final int MAX_UNIT = UNITS.length;

    private static byte[][] table() {
        return new byte[][] {
            {(byte) 0x90},
            {0x66, (byte) 0x90},
            {0x0F, 0x1F, 0x00},
            {0x0F, 0x1F, 0x40, 0x00},
            PATCH_SITE_OFF.clone(),
            {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
            {0x0F, 0x1F, (byte) 0x80, 0x00, 0x00, 0x00, 0x00},
            {0x0F, 0x1F, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
            {0x66, 0x0F, 0x1F, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
        };
    }

    /** Copy of the recommended NOP of exactly {@code len} bytes (1..9). */
    public static byte[] unit(int len) {
        if (len < 1 || len > MAX_UNIT) {
            throw new IllegalArgumentException("NOP unit length must be 1.." + MAX_UNIT + ", got " + len);
        }
        return UNITS[len - 1].clone();
    }

    /** Emits exactly {@code len} bytes of NOPs, largest unit first. */
    public static void fill(CodeBuffer buf, int len) {
        buf.putNop(len, UNITS);
    }

    /** Pads {@code buf} with NOPs up to the next multiple of {@code alignment} (a power of two). */
    public static void align(CodeBuffer buf, int alignment) {
        buf.alignTo(alignment, UNITS);
    }
}
