/*
 * A lexical token of CLIF text with its position. Tokens never span lines, so the start
 * line and column plus the length are enough to resume lexing right after one.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

record Token(Kind kind, String text, int start, int end, int line, int col) {
    enum Kind {
        /** Words: keywords, opcodes, types, entity names such as v3, block1, ss0, fn2. */
        IDENT,
        /** Starts with a digit; validated when used (decimal, hex, `_` separators). */
        NUMBER,
        /** `%name`; the text excludes the sigil. */
        PERCENT_NAME,
        LPAREN, RPAREN, LBRACE, RBRACE, LBRACKET, RBRACKET,
        COMMA, COLON, EQUALS, PLUS, MINUS, DOT, ARROW,
        EOF,
    }

    SourceLoc loc() { return new SourceLoc(line, col); }

    boolean is(Kind k) { return kind == k; }

    boolean isIdent(String word) { return kind == Kind.IDENT && text.equals(word); }

    /** How the token is quoted in messages. */
    String describe() {
        switch (kind) {
            case EOF: return "end of file";
            case PERCENT_NAME: return "'%" + text + "'";
            default: return "'" + text + "'";
        }
    }
}
