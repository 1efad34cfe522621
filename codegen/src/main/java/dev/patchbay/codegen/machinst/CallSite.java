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
    /** Offset in the module's code just past the call instruction: its return address. */
    public final int returnOffset;
    /** The name of the function called, or null for an indirect call. */
    public final String callee;

    /**
     * A call's return address.
     *
     * @param returnOffset offset just past the call
     * @param callee the callee's name, or null if it is called indirectly
     */
    public CallSite(int returnOffset, String callee) {
        this.returnOffset = returnOffset;
        this.callee = callee;
    }
}
