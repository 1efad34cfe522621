/*
 * Where an entity came from in CLIF text (1-based line and column), so the verifier and
 * the patch-site metadata can point back at the source. NONE for IR built in Java.
 */
package dev.patchbay.codegen.ir;

/**
 * A 1-based line and column in CLIF text, so errors and patch-site metadata can point back at the
 * source; {@code NONE} for IR built in Java.
 */
public final class SourceLoc {
    /** No location: IR built in Java, or an entity the parser made itself. */
    public static final SourceLoc NONE = new SourceLoc(0, 0);

    /** The line, from 1; 0 for {@link #NONE}. */
    public final int line;
    /** The column, from 1; 0 for {@link #NONE}. */
    public final int col;

    /**
     * A location.
     *
     * @param line the line, from 1
     * @param col the column, from 1
     */
    public SourceLoc(int line, int col) {
        this.line = line;
        this.col = col;
    }

    /**
     * Whether this is a real location.
     *
     * @return false for {@link #NONE}
     */
    public boolean isKnown() { return line > 0; }

    @Override public String toString() { return isKnown() ? line + ":" + col : "?"; }
}
