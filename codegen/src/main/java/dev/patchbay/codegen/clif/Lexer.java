/*
 * Splits CLIF text into tokens on demand. Lexing lazily (with a small lookahead buffer)
 * rather than up front matters for skipped functions: a function that uses float or
 * vector types may contain literals such as `0x1.8p3` that we do not tokenize, so the
 * parser abandons token-level parsing there and asks the lexer to skip raw characters to
 * the function's closing brace. Comments (`;` to end of line) are dropped here; run
 * directives are read from the raw lines separately (see RunDirectiveParser).
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.clif.Token.Kind;

import java.util.ArrayList;
import java.util.List;

final class Lexer {
    private final String fileName;
    private final String text;
    private int pos;
    private int line = 1;
    private int col = 1;
    private final List<Token> ahead = new ArrayList<>();
    private Token last;

    Lexer(String fileName, String text) {
        this.fileName = fileName;
        this.text = text;
    }

    Token peek() { return peek(0); }

    Token peek(int k) {
        while (ahead.size() <= k) ahead.add(scan());
        return ahead.get(k);
    }

    Token next() {
        Token t = peek(0);
        ahead.remove(0);
        last = t;
        return t;
    }

    /** The most recently consumed token, or null at the start. */
    Token last() { return last; }

    /** True when the next token is on the same line as the last consumed one. */
    boolean nextOnSameLine() {
        Token t = peek();
        return t.kind() != Kind.EOF && last != null && t.line() == last.line();
    }

    /**
     * Returns the raw text from just after the last consumed token to the end of its line
     * (comment removed), and continues lexing on the next line. Header lines (`target x86_64
     * has_bmi1`) are word lists, so reading them raw is simpler than tokenizing them.
     */
    RawLine restOfLine() {
        rewindAfterLast();
        int startCol = col;
        int s = pos;
        while (pos < text.length() && text.charAt(pos) != '\n') advance();
        String raw = text.substring(s, pos);
        int semi = raw.indexOf(';');
        last = new Token(Kind.IDENT, raw, s, pos, line, startCol);
        if (semi >= 0) raw = raw.substring(0, semi);
        return new RawLine(raw, line, startCol);
    }

    record RawLine(String text, int line, int col) {}

    /**
     * Reads a float literal raw, after the last consumed token and on its line: a sign, then
     * letters, digits, '_', '.' and ':', and a sign right after an exponent's 'p'
     * (`-0x1.8p-3`, `+NaN:0x1`). Float literals do not split into tokens the way the rest of
     * CLIF does, so they are read like this. Returns a NUMBER token, empty if nothing is there.
     */
    Token rawLiteral() {
        rewindAfterLast();
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) advance();
        int s = pos, l = line, c = col;
        if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) advance();
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            char prev = text.charAt(pos - 1);
            boolean signAfterP = (ch == '+' || ch == '-') && (prev == 'p' || prev == 'P') && pos - 1 > s;
            if (!(isWordPart(ch) || ch == '.' || ch == ':' || signAfterP)) break;
            advance();
        }
        Token t = new Token(Kind.NUMBER, text.substring(s, pos), s, pos, l, c);
        last = t;
        return t;
    }

    /**
     * Skips raw characters after the last consumed token until the brace that closes a
     * function body. {@code depth} is how many braces are open already (0 when the skip
     * starts before the body's `{`). Returns false at end of file.
     */
    boolean skipToClosingBrace(int depth) {
        rewindAfterLast();
        boolean opened = depth > 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ';') {
                while (pos < text.length() && text.charAt(pos) != '\n') advance();
                continue;
            }
            advance();
            if (c == '{') {
                depth++;
                opened = true;
            } else if (c == '}' && opened) {
                depth--;
                if (depth == 0) {
                    last = new Token(Kind.RBRACE, "}", pos - 1, pos, line, col - 1);
                    return true;
                }
            }
        }
        return false;
    }

    private void rewindAfterLast() {
        ahead.clear();
        if (last == null) {
            pos = 0;
            line = 1;
            col = 1;
        } else {
            pos = last.end();
            line = last.line();
            col = last.col() + (last.end() - last.start());
        }
    }

    private void advance() {
        if (text.charAt(pos) == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        pos++;
    }

    private Token scan() {
        skipSpaceAndComments();
        int s = pos, l = line, c = col;
        if (pos >= text.length()) return new Token(Kind.EOF, "", s, s, l, c);
        char ch = text.charAt(pos);
        if (isWordStart(ch)) {
            while (pos < text.length() && isWordPart(text.charAt(pos))) advance();
            return new Token(Kind.IDENT, text.substring(s, pos), s, pos, l, c);
        }
        if (ch >= '0' && ch <= '9') {
            while (pos < text.length() && isWordPart(text.charAt(pos))) advance();
            return new Token(Kind.NUMBER, text.substring(s, pos), s, pos, l, c);
        }
        if (ch == '%') {
            advance();
            while (pos < text.length() && isWordPart(text.charAt(pos))) advance();
            if (pos == s + 1) throw new ClifParseException(fileName, l, c, "expected a name after '%'");
            return new Token(Kind.PERCENT_NAME, text.substring(s + 1, pos), s, pos, l, c);
        }
        if (ch == '-' && pos + 1 < text.length() && text.charAt(pos + 1) == '>') {
            advance();
            advance();
            return new Token(Kind.ARROW, "->", s, pos, l, c);
        }
        Kind k = punctuation(ch);
        if (k == null) {
            throw new ClifParseException(fileName, l, c, "unexpected character '" + printable(ch) + "'");
        }
        advance();
        return new Token(k, String.valueOf(ch), s, pos, l, c);
    }

    private void skipSpaceAndComments() {
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == ';') {
                while (pos < text.length() && text.charAt(pos) != '\n') advance();
            } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
                advance();
            } else {
                return;
            }
        }
    }

    private static Kind punctuation(char ch) {
        switch (ch) {
            case '(': return Kind.LPAREN;
            case ')': return Kind.RPAREN;
            case '{': return Kind.LBRACE;
            case '}': return Kind.RBRACE;
            case '[': return Kind.LBRACKET;
            case ']': return Kind.RBRACKET;
            case ',': return Kind.COMMA;
            case ':': return Kind.COLON;
            case '=': return Kind.EQUALS;
            case '+': return Kind.PLUS;
            case '-': return Kind.MINUS;
            case '.': return Kind.DOT;
            default: return null;
        }
    }

    private static String printable(char ch) {
        return ch >= 0x20 && ch < 0x7f ? String.valueOf(ch) : String.format("\\u%04x", (int) ch);
    }

    private static boolean isWordStart(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
    }

    private static boolean isWordPart(char ch) {
        return isWordStart(ch) || (ch >= '0' && ch <= '9');
    }
}
