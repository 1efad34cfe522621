/*
 * Calling conventions the IR can name. system_v is the default on Linux; windows_fastcall
 * appears in Cranelift's run tests (a System V caller calling a fastcall callee);
 * preserve_all is the ABI of patchable call sites: the callee saves every register it
 * touches, including the flags, so the call site clobbers nothing.
 */
package dev.patchbay.codegen.ir;

/**
 * The calling conventions IR can name, including {@code preserve_all}, the ABI of patchable call
 * sites, whose callee saves every register and the flags.
 */
public enum CallConv {
    /** The System V AMD64 ABI, the default on Linux. */
    SYSTEM_V("system_v"),
    /**
     * The Windows x64 convention: four register arguments, 32 bytes of shadow space, RSI and RDI
     * callee-saved.
     */
    WINDOWS_FASTCALL("windows_fastcall"),
    /** Cranelift's fast convention; compiled as System V. */
    FAST("fast"),
    /** Cranelift's cold convention; compiled as System V. */
    COLD("cold"),
    /** Cranelift's tail-call convention; compiled as System V (Patchbay makes no tail calls). */
    TAIL("tail"),
    /**
     * The callee saves every register it touches, and the flags: the ABI of patchable callees,
     * so a site clobbers nothing.
     */
    PRESERVE_ALL("preserve_all");

    private final String clif;

    CallConv(String clif) { this.clif = clif; }

    /**
     * The convention's name in CLIF text.
     *
     * @return {@code "system_v"}, {@code "preserve_all"}, ...
     */
    public String clifName() { return clif; }

    /**
     * Parses a CLIF calling convention name.
     *
     * @param s a name such as {@code "system_v"}
     * @return the convention, or null if there is none of that name
     */
    public static CallConv parse(String s) {
        for (CallConv c : values()) if (c.clif.equals(s)) return c;
        return null;
    }
}
