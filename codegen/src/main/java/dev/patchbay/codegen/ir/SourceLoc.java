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
    public static final SourceLoc NONE = new SourceLoc(0, 0);

    public final int line;
    public final int col;

    public SourceLoc(int line, int col) {
        this.line = line;
        this.col = col;
    }

    public boolean isKnown() { return line > 0; }

    @Override public String toString() { return isKnown() ? line + ":" + col : "?"; }
}
