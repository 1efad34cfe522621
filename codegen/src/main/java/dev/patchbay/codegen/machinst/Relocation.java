/*
 * A place in the code the loader must fill in with an address it alone knows, named by
 * a symbol. Today the one symbol is HOSTCALL_DISPATCH, the runtime's upcall entry that
 * every exit trampoline calls. ABS64 is an 8-byte absolute address (a movabs immediate).
 */
package dev.patchbay.codegen.machinst;

/** A place in the code that the loader fills with an address only it knows, named by a symbol. */
public final class Relocation {
    /** How the address is written: {@code ABS64} is an 8-byte absolute address. */
    public enum Kind { ABS64 }

    /** The runtime's hostcall dispatcher: dispatch(vmctx, importIndex, argsPtr, guestPc) -> status. */
    public static final String HOSTCALL_DISPATCH = "__patchbay_hostcall_dispatch";

    public final int offset;
    public final Kind kind;
    public final String target;

    public Relocation(int offset, Kind kind, String target) {
        this.offset = offset;
        this.kind = kind;
        this.target = target;
    }
}
