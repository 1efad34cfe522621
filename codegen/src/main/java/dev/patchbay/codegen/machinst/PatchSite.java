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
    /**
     * Length in bytes of both forms: 5 for a NOP site (a 5-byte NOP or {@code call rel32}), 5 or 6
     * for a fused epoch site (the branch it is and its retargeted form).
     */
    public final int length;
    /** What the site is for; it says which hook trampoline the on form calls. */
    public final SiteKind kind;
    /** Index in {@link CompiledModule#functions} of the function the site is in. */
    public final int functionIndex;
    /** The hook the site calls when on: the kind's hook name, or a CUSTOM site's callee. */
    public final String callee;
    /** IR location: "block3:0" (block and instruction index) plus the CLIF source line:col if known. */
    public final String irLocation;
    private final byte[] onBytes;
    private final byte[] offBytes;

    /**
     * A patch site. The byte arrays are copied.
     *
     * @param id the site's id, its position in the module's list
     * @param offset offset of its first byte in the code
     * @param length its length in bytes
     * @param kind what it is for
     * @param functionIndex the index of the function it is in
     * @param callee what it calls when on
     * @param irLocation where it comes from in the IR (see {@link #irLocation})
     * @param onBytes the on form, {@code length} bytes
     * @param offBytes the off form, {@code length} bytes
     * @throws IllegalArgumentException if a form is not {@code length} bytes long
     */
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

    /**
     * A copy of the bytes of the on form: writing into it changes nothing in this site.
     *
     * @return the on form, {@link #length} bytes
     */
    public byte[] onBytes() { return onBytes.clone(); }

    /**
     * A copy of the bytes of the off form, the form the code ships with.
     *
     * @return the off form, {@link #length} bytes
     */
    public byte[] offBytes() { return offBytes.clone(); }

    /**
     * Return address of the call when the site is on: what a hook sees.
     *
     * @return the offset just past the site
     */
    public int returnOffset() { return offset + length; }
}
