/*
 * A place in the code the loader must fill in with an address it alone knows: an
 * external function (a hostcall) named by the IR. ABS64 is an 8-byte absolute address
 * (the immediate of a movabs).
 */
package dev.patchbay.codegen.machinst;

public final class Relocation {
    public enum Kind { ABS64 }

    public final int offset;
    public final Kind kind;
    public final String target;

    public Relocation(int offset, Kind kind, String target) {
        this.offset = offset;
        this.kind = kind;
        this.target = target;
    }
}
