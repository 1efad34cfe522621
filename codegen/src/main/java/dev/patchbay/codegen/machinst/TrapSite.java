/*
 * A code offset that can trap, with the trap code. For explicit checks this is the
 * branch to the trap island; for memory accesses it is the access itself (a fault there
 * maps to this code).
 */
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.ir.TrapCode;

/**
 * A code offset that can trap and the trap code a trap there reports: for an explicit check, the
 * branch to the trap island; for a memory access, the access itself.
 */
public final class TrapSite {
    /** Offset in the module's code of the instruction that traps. */
    public final int offset;
    /** What a trap there reports. */
    public final TrapCode code;

    /**
     * A trap site.
     *
     * @param offset where it is
     * @param code what a trap there reports
     */
    public TrapSite(int offset, TrapCode code) {
        this.offset = offset;
        this.code = code;
    }
}
