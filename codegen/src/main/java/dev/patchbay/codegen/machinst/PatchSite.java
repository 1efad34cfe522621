/*
 * Metadata for one patch site: where it is, how long, what it calls when on, and the
 * exact bytes of its on and off forms. The runtime never derives bytes itself; it copies
 * these (Wasmtime keeps its breakpoint patches the same way).
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.instrument.SiteKind;

/**
 * One patch site: where it is, its length, what it calls when on, and the exact bytes of its on and
 * off forms, which the runtime copies rather than deriving.
 */
public final class PatchSite {
    /** Stable id, unique within a module, in code order. */
    public final int id;
    /** Offset of the site's first byte in the module's code. */
    public final int offset;
    public final int length;
    public final SiteKind kind;
    public final int functionIndex;
    public final String callee;
    /** IR location: "block3:0" (block and instruction index) plus the CLIF source line:col if known. */
    public final String irLocation;
    private final byte[] onBytes;
    private final byte[] offBytes;

    public PatchSite(int id, int offset, int length, SiteKind kind, int functionIndex, String callee,
                     String irLocation, byte[] onBytes, byte[] offBytes) {
        if (onBytes.length != length || offBytes.length != length) {
            throw new IllegalArgumentException("site " + id + ": on/off bytes must be " + length + " long, got "
                + onBytes.length + "/" + offBytes.length);
        }
        this.id = id;
        this.offset = offset;
        this.length = length;
        this.kind = kind;
        this.functionIndex = functionIndex;
        this.callee = callee;
        this.irLocation = irLocation;
        this.onBytes = onBytes.clone();
        this.offBytes = offBytes.clone();
    }

    /** A copy of the bytes of the on form: writing into it changes nothing in this site. */
    public byte[] onBytes() { return onBytes.clone(); }

    /** A copy of the bytes of the off form, the form the code ships with. */
    public byte[] offBytes() { return offBytes.clone(); }

    /** Return address of the call when the site is on: what a hook sees. */
    public int returnOffset() { return offset + length; }
}
