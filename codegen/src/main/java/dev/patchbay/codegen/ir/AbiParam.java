/*
 * One parameter or return value of a signature: its type and an optional extension
 * attribute (CLIF's `uext`/`sext`), which says the narrow value is passed widened.
 */
package dev.patchbay.codegen.ir;

/**
 * One parameter or return value of a signature: its type and whether a narrow value is passed zero-
 * or sign-extended.
 */
public final class AbiParam {
    /** CLIF's extension attribute: none, {@code uext} or {@code sext}. */
    public enum Ext { NONE, UEXT, SEXT }

    public final Type type;
    public final Ext ext;

    public AbiParam(Type type, Ext ext) {
        this.type = type;
        this.ext = ext;
    }

    public static AbiParam of(Type t) { return new AbiParam(t, Ext.NONE); }

    @Override public String toString() {
        return ext == Ext.NONE ? type.toString() : type + " " + ext.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override public boolean equals(Object o) {
        return o instanceof AbiParam && ((AbiParam) o).type == type && ((AbiParam) o).ext == ext;
    }

    @Override public int hashCode() { return type.hashCode() * 31 + ext.hashCode(); }
}
