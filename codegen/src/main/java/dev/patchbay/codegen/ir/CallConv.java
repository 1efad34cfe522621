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
    SYSTEM_V("system_v"),
    WINDOWS_FASTCALL("windows_fastcall"),
    FAST("fast"),
    COLD("cold"),
    TAIL("tail"),
    PRESERVE_ALL("preserve_all");

    private final String clif;

    CallConv(String clif) { this.clif = clif; }

    public String clifName() { return clif; }

    public static CallConv parse(String s) {
        for (CallConv c : values()) if (c.clif.equals(s)) return c;
        return null;
    }
}
