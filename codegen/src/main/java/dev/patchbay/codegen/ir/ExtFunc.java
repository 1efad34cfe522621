/*
 * A function reference declared in a function's preamble (CLIF `fnN = [colocated]
 * [patchable] %name(sig)`). `patchable` marks the call sites of this callee as patch
 * sites: they ship as NOPs and must use the preserve_all ABI with no results.
 */
package dev.patchbay.codegen.ir;

/**
 * A callee declared in a function's preamble ({@code fnN = [colocated] [patchable] %name(sig)}); a
 * patchable callee makes its call sites patch sites.
 */
public final class ExtFunc {
    /** The callee's name without the sigil: "callee_i64" for %callee_i64, "u0:1" for u0:1. */
    public final String name;
    /** Index in {@link Function#sigRefs} of the callee's signature. */
    public final int sigRef;
    /** Whether the callee is in the same module (CLIF's {@code colocated}). */
    public final boolean colocated;
    /**
     * Whether calls to it are patch sites: they ship as NOPs, and the callee must use
     * {@link CallConv#PRESERVE_ALL} and return nothing.
     */
    public final boolean patchable;
    /** Where the declaration was written, so the verifier can point at a bad patchable callee. */
    public SourceLoc loc = SourceLoc.NONE;

    /**
     * A callee declaration.
     *
     * @param name the callee's name, without the sigil
     * @param sigRef index of its signature in the function's {@link Function#sigRefs}
     * @param colocated whether it is in the same module
     * @param patchable whether its call sites are patch sites
     */
    public ExtFunc(String name, int sigRef, boolean colocated, boolean patchable) {
        this.name = name;
        this.sigRef = sigRef;
        this.colocated = colocated;
        this.patchable = patchable;
    }
}
