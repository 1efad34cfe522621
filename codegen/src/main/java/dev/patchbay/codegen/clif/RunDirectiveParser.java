/*
 * Reads run directives from raw comment text. They live in comments, which the lexer
 * drops, and they may sit next to skipped functions whose bodies are never tokenized, so
 * they are read line by line from the source instead. Only `; run` and `; run: ...`
 * comments are directives; every other comment (`; xyz:`, `;; run:`) is ignored.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.clif.RunDirective.Comparison;
import dev.patchbay.codegen.ir.SourceLoc;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

final class RunDirectiveParser {
    /** A literal as written; value is null when it is not a 64-bit integer. */
    record Literal(String text, Long value, SourceLoc loc) {}

    /** A directive before it is attached to a function; function is null for the bare form. */
    record Parsed(String function, SourceLoc nameLoc, List<Literal> args, Comparison comparison,
                  List<Literal> expected, boolean truthy, SourceLoc loc) {}

    private final String fileName;
    private final String s;
    private final int lineNo;
    private int i;

    private RunDirectiveParser(String fileName, String line, int lineNo) {
        this.fileName = fileName;
        this.s = line;
        this.lineNo = lineNo;
    }

    /** Parses the run directive in this source line, or returns null if it has none. */
    static Parsed parse(String fileName, String line, int lineNo) {
        int semi = line.indexOf(';');
        if (semi < 0) return null;
        RunDirectiveParser p = new RunDirectiveParser(fileName, line, lineNo);
        p.i = semi + 1;
        p.skipSpace();
        SourceLoc loc = new SourceLoc(lineNo, semi + 1);
        if (line.startsWith("run:", p.i)) {
            p.i += 4;
            return p.full(loc);
        }
        if (line.substring(p.i).strip().equals("run")) {
            return new Parsed(null, loc, List.of(), Comparison.NE, List.of(), true, loc);
        }
        return null;
    }

    private Parsed full(SourceLoc loc) {
        skipSpace();
        SourceLoc nameLoc = here();
        if (!peekIs('%')) throw error("expected '%name' after 'run:'");
        i++;
        int start = i;
        while (i < s.length() && isNameChar(s.charAt(i))) i++;
        if (i == start) throw error("expected a function name after '%'");
        String name = s.substring(start, i);
        skipSpace();
        if (!peekIs('(')) throw error("expected '(' after %" + name);
        i++;
        List<Literal> args = list(')');
        skipSpace();
        if (atEnd()) return new Parsed(name, nameLoc, args, Comparison.NE, List.of(), true, loc);
        Comparison cmp;
        if (s.startsWith("==", i)) cmp = Comparison.EQ;
        else if (s.startsWith("!=", i)) cmp = Comparison.NE;
        else throw error("expected '==' or '!=' after the call, found '" + rest() + "'");
        i += 2;
        skipSpace();
        List<Literal> expected;
        if (peekIs('[')) {
            i++;
            expected = list(']');
        } else {
            SourceLoc at = here();
            int st = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
            if (st == i) throw error("expected a value after '" + cmp.symbol + "'");
            expected = List.of(literal(s.substring(st, i), at));
        }
        skipSpace();
        if (!atEnd()) throw error("unexpected '" + rest() + "' after run directive");
        return new Parsed(name, nameLoc, args, cmp, expected, false, loc);
    }

    /** Comma-separated literals up to {@code close}, which is consumed. */
    private List<Literal> list(char close) {
        List<Literal> out = new ArrayList<>();
        skipSpace();
        if (peekIs(close)) {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            SourceLoc at = here();
            int st = i;
            while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != close && !Character.isWhitespace(s.charAt(i))) i++;
            if (st == i) throw error("expected a value, found " + describeHere());
            out.add(literal(s.substring(st, i), at));
            skipSpace();
            if (peekIs(',')) {
                i++;
            } else if (peekIs(close)) {
                i++;
                return out;
            } else {
                throw error("expected ',' or '" + close + "' after value, found " + describeHere());
            }
        }
    }

    private static Literal literal(String text, SourceLoc at) {
        BigInteger v = IntegerLiteral.parseSigned(text);
        Long value = v != null && IntegerLiteral.fits(v, 64) ? IntegerLiteral.toLong(v) : null;
        return new Literal(text, value, at);
    }

    private String describeHere() { return atEnd() ? "end of line" : "'" + s.charAt(i) + "'"; }

    private String rest() { return s.substring(i).strip(); }

    private boolean atEnd() { return i >= s.length(); }

    private boolean peekIs(char c) { return i < s.length() && s.charAt(i) == c; }

    private void skipSpace() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private SourceLoc here() { return new SourceLoc(lineNo, i + 1); }

    private ClifParseException error(String msg) {
        return new ClifParseException(fileName, lineNo, i + 1, msg);
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
