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
    public enum Ext {
        /** Passed as it is: bits above the type's width are undefined. */
        NONE,
        /** Passed zero-extended to the register's width. */
        UEXT,
        /** Passed sign-extended to the register's width. */
        SEXT
    }

    /** The value's type. */
    public final Type type;
    /** How a narrow value is widened when passed. */
    public final Ext ext;

    /**
     * A parameter or return value.
     *
     * @param type its type
     * @param ext how it is widened
     */
    public AbiParam(Type type, Ext ext) {
        this.type = type;
        this.ext = ext;
    }

    /**
     * A parameter or return value passed without extension.
     *
     * @param t its type
     * @return the parameter
     */
    public static AbiParam of(Type t) { return new AbiParam(t, Ext.NONE); }

    @Override public String toString() {
        return ext == Ext.NONE ? type.toString() : type + " " + ext.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override public boolean equals(Object o) {
        return o instanceof AbiParam && ((AbiParam) o).type == type && ((AbiParam) o).ext == ext;
    }

    @Override public int hashCode() { return type.hashCode() * 31 + ext.hashCode(); }
}
