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

    /** The file's name. */
    private final String fileName;
    /** The line, from 1. */
    private final int line;
    /** The column, from 1. */
    private final int col;
    /** What is wrong. */
    private final String reason;

    /**
     * A parse error.
     *
     * @param fileName the file's name as given to the parser
     * @param line the line, from 1
     * @param col the column, from 1
     * @param reason what is wrong, without the location prefix
     */
    public ClifParseException(String fileName, int line, int col, String reason) {
        super(Diagnostics.error(fileName, new SourceLoc(line, col), reason));
        this.fileName = fileName;
        this.line = line;
        this.col = col;
        this.reason = reason;
    }

    /**
     * The file the error is in.
     *
     * @return the name given to the parser
     */
    public String fileName() { return fileName; }

    /**
     * The line of the error.
     *
     * @return the line, from 1
     */
    public int line() { return line; }

    /**
     * The column of the error.
     *
     * @return the column, from 1
     */
    public int col() { return col; }

    /**
     * The error's location.
     *
     * @return its line and column
     */
    public SourceLoc loc() { return new SourceLoc(line, col); }

    /**
     * The message without the {@code file:line:col: error:} prefix.
     *
     * @return what is wrong
     */
    public String reason() { return reason; }
}
