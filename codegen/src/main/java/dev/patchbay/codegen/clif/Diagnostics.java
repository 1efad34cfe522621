/*
 * One place that formats messages about CLIF input, so parse errors, parse warnings and
 * verifier errors all look alike to a user and to tools that link `file:line:col` back to
 * the source. IR built in Java has no source position; then the location is left out
 * rather than printed as a fake 0:0.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.verify.VerifierError;
import dev.patchbay.codegen.verify.VerifierException;

import java.util.ArrayList;
import java.util.List;

/**
 * Formats messages about CLIF input (parse errors and warnings, verifier errors) in one shape,
 * {@code file:line:col: kind: message}, leaving out the location for IR built in Java.
 */
public final class Diagnostics {
    private Diagnostics() {}

    /**
     * An error line.
     *
     * @param fileName the file's name
     * @param loc where; {@link SourceLoc#NONE} leaves the location out
     * @param message what is wrong
     * @return {@code file:line:col: error: message}
     */
    public static String error(String fileName, SourceLoc loc, String message) {
        return format(fileName, loc, "error", message);
    }

    /**
     * A warning line.
     *
     * @param fileName the file's name
     * @param loc where; {@link SourceLoc#NONE} leaves the location out
     * @param message the warning
     * @return {@code file:line:col: warning: message}
     */
    public static String warning(String fileName, SourceLoc loc, String message) {
        return format(fileName, loc, "warning", message);
    }

    /**
     * A verifier error as {@code file:line:col: error: message}.
     *
     * @param fileName the name of the file the function came from
     * @param e the error
     * @return the line
     */
    public static String format(String fileName, VerifierError e) {
        return error(fileName, e.loc(), e.message());
    }

    /**
     * Every error of a failed verification, one line each, in the order found.
     *
     * @param fileName the name of the file the functions came from
     * @param e the failed verification
     * @return the lines
     */
    public static List<String> format(String fileName, VerifierException e) {
        List<String> out = new ArrayList<>();
        for (VerifierError err : e.errors()) out.add(format(fileName, err));
        return out;
    }

    private static String format(String fileName, SourceLoc loc, String severity, String message) {
        StringBuilder sb = new StringBuilder(fileName);
        if (loc.isKnown()) sb.append(':').append(loc.line).append(':').append(loc.col);
        return sb.append(": ").append(severity).append(": ").append(message).toString();
    }
}
