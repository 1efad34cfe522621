/*
 * A malformed CLIF file. Bad input must never crash the host (DESIGN.md invariant 8), and
 * users need to find the mistake in their editor, so every parse failure carries the file,
 * a 1-based line and column, and a specific message, and prints in the conventional
 * compiler form `file:line:col: error: message` that editors and CI logs link to.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

/**
 * Malformed CLIF input, located by file, line and column, and printed as {@code file:line:col:
 * error: message} so editors and CI logs link to it.
 */
public final class ClifParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String fileName;
    private final int line;
    private final int col;
    private final String reason;

    public ClifParseException(String fileName, int line, int col, String reason) {
        super(Diagnostics.error(fileName, new SourceLoc(line, col), reason));
        this.fileName = fileName;
        this.line = line;
        this.col = col;
        this.reason = reason;
    }

    public String fileName() { return fileName; }

    public int line() { return line; }

    public int col() { return col; }

    public SourceLoc loc() { return new SourceLoc(line, col); }

    /** The message without the `file:line:col: error:` prefix. */
    public String reason() { return reason; }
}
