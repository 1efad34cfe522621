/*
 * A call's return address as a code offset, so stack walks can tell guest return
 * addresses from anything else.
 */
package dev.patchbay.codegen.machinst;

/**
 * A call's return address as a code offset, so stack walks can tell guest return addresses from
 * anything else.
 */
public final class CallSite {
    public final int returnOffset;
    public final String callee;

    public CallSite(int returnOffset, String callee) {
        this.returnOffset = returnOffset;
        this.callee = callee;
    }
}
