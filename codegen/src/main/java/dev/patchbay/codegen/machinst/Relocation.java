/*
 * A place in the code the loader must fill in with an address it alone knows, named by
 * a symbol. Today the one symbol is HOSTCALL_DISPATCH, the runtime's upcall entry that
 * every exit trampoline calls. ABS64 is an 8-byte absolute address (a movabs immediate).
 */
package dev.patchbay.codegen.machinst;

/** A place in the code that the loader fills with an address only it knows, named by a symbol. */
public final class Relocation {
    /** How the address is written into the code. */
    public enum Kind {
        /** An 8-byte little-endian absolute address (the immediate of a {@code movabs}). */
        ABS64
    }

    /** The runtime's hostcall dispatcher: dispatch(vmctx, importIndex, argsPtr, guestPc) -> status. */
    public static final String HOSTCALL_DISPATCH = "__patchbay_hostcall_dispatch";

    /** Offset in the module's code of the field to fill. */
    public final int offset;
    /** How the address is written into the field. */
    public final Kind kind;
    /** The symbol whose address goes there, such as {@link #HOSTCALL_DISPATCH}. */
    public final String target;

    /**
     * A relocation.
     *
     * @param offset where the field is
     * @param kind how the address is written
     * @param target the symbol
     */
    public Relocation(int offset, Kind kind, String target) {
        this.offset = offset;
        this.kind = kind;
        this.target = target;
    }
}
