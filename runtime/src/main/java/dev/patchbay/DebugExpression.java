/*
 * The expressions of breakpoint conditions and logpoint interpolations: C's integer and
 * boolean operators over the values a stop shows (BreakpointOptions says the language).
 *
 * Problem: a condition is typed by a user and evaluated on the owner thread, at a
 * breakpoint hit, while the guest waits. A typo must fail the edit with where it is, and a
 * condition that cannot be evaluated at a hit (a name the function does not have, a value
 * optimized out there, a division by zero) must say why instead of quietly answering.
 *
 * Invariants:
 *  1. parse() either returns a tree or throws IllegalArgumentException naming the column
 *     (from 1) of the first character it could not take; it never returns a partial tree.
 *  2. eval() reads only the names it reaches: `&&`, `||` and `?:` evaluate only the side
 *     they need (as in C), so `v2 != 0 && v9 / v2 > 1` is safe where v2 is 0.
 *  3. eval() either returns a value or throws Problem with a sentence for the user; no
 *     other exception escapes (arithmetic wraps as Java's long does; a shift count is
 *     taken modulo 64, as x86 does).
 * Tests: DebuggerConditionsTest.
 */
package dev.patchbay;

import dev.patchbay.debug.Variable;

import java.util.function.Function;

final class DebugExpression {
    /** Why an expression has no value at this hit. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String why) { super(why, null, false, false); }
    }

    /** A parsed node. */
    @FunctionalInterface
    private interface Node {
        long eval(Function<String, Variable> names);
    }

    private final String text;
    private final Node root;

    private DebugExpression(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /**
     * Parses an expression.
     *
     * @param what what it is, for messages ("condition")
     * @param text the expression
     * @throws IllegalArgumentException with the column of the first error
     */
    static DebugExpression parse(String what, String text) {
        Parser p = new Parser(what, text);
        Node n = p.ternary();
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("expected an operator or the end");
        return new DebugExpression(text, n);
    }

    /** The value; `names` answers null for a name that is not a value here. */
    long eval(Function<String, Variable> names) { return root.eval(names); }

    @Override public String toString() { return text; }

    /** A recursive-descent parser, one method per C precedence level. */
    private static final class Parser {
        final String what, s;
        int pos;

        Parser(String what, String s) {
            this.what = what;
            this.s = s;
        }

        IllegalArgumentException error(String expected) {
            String found = pos >= s.length() ? "the end" : "'" + s.charAt(pos) + "'";
            return new IllegalArgumentException(what + " `" + s + "`: at column " + (pos + 1) + ", " + expected + ", found " + found);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        /** Takes `op` if it comes next and is not the start of a longer operator in `not`. */
        boolean take(String op, String... not) {
            skipSpace();
            if (!s.startsWith(op, pos)) return false;
            for (String longer : not) if (s.startsWith(longer, pos)) return false;
            pos += op.length();
            return true;
        }

        Node ternary() {
            Node c = binary(0);
            if (!take("?")) return c;
            Node a = ternary();
            if (!take(":")) throw error("expected ':' of '?:'");
            Node b = ternary();
            return n -> c.eval(n) != 0 ? a.eval(n) : b.eval(n);
        }

        /** C's binary levels, loosest first; each entry's operators and what they must not begin. */
        private static final String[][] LEVELS = {
            {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}};

        Node binary(int level) {
            if (level == LEVELS.length) return unary();
            Node left = binary(level + 1);
            for (;;) {
                String op = null;
                for (String o : LEVELS[level]) {
                    if (take(o, notAfter(o))) {
                        op = o;
                        break;
                    }
                }
                if (op == null) return left;
                Node right = binary(level + 1);
                left = combine(op, left, right);
            }
        }

        /** The longer operators a shorter one must not be read out of. */
        private static String[] notAfter(String op) {
            switch (op) {
                case "|": return new String[] {"||"};
                case "&": return new String[] {"&&"};
                case "<": return new String[] {"<<", "<="};
                case ">": return new String[] {">>", ">="};
                default: return new String[0];
            }
        }

        private static Node combine(String op, Node l, Node r) {
            switch (op) {
                case "||": return n -> l.eval(n) != 0 || r.eval(n) != 0 ? 1 : 0;
                case "&&": return n -> l.eval(n) != 0 && r.eval(n) != 0 ? 1 : 0;
                case "|": return n -> l.eval(n) | r.eval(n);
                case "^": return n -> l.eval(n) ^ r.eval(n);
                case "&": return n -> l.eval(n) & r.eval(n);
                case "==": return n -> l.eval(n) == r.eval(n) ? 1 : 0;
                case "!=": return n -> l.eval(n) != r.eval(n) ? 1 : 0;
                case "<": return n -> l.eval(n) < r.eval(n) ? 1 : 0;
                case "<=": return n -> l.eval(n) <= r.eval(n) ? 1 : 0;
                case ">": return n -> l.eval(n) > r.eval(n) ? 1 : 0;
                case ">=": return n -> l.eval(n) >= r.eval(n) ? 1 : 0;
                case "<<": return n -> l.eval(n) << r.eval(n);
                case ">>": return n -> l.eval(n) >> r.eval(n);
                case "+": return n -> l.eval(n) + r.eval(n);
                case "-": return n -> l.eval(n) - r.eval(n);
                case "*": return n -> l.eval(n) * r.eval(n);
                case "/": return n -> {
                    long a = l.eval(n), b = r.eval(n);
                    if (b == 0) throw new Problem("division by zero");
                    return a / b;
                };
                case "%": return n -> {
                    long a = l.eval(n), b = r.eval(n);
                    if (b == 0) throw new Problem("remainder by zero");
                    return a % b;
                };
                default: throw new AssertionError(op);
            }
        }

        Node unary() {
            if (take("!", "!=")) {
                Node x = unary();
                return n -> x.eval(n) == 0 ? 1 : 0;
            }
            if (take("~")) {
                Node x = unary();
                return n -> ~x.eval(n);
            }
            if (take("-")) {
                Node x = unary();
                return n -> -x.eval(n);
            }
            if (take("+")) return unary();
            return primary();
        }

        Node primary() {
            skipSpace();
            if (take("(")) {
                Node x = ternary();
                if (!take(")")) throw error("expected ')'");
                return x;
            }
            if (pos < s.length() && Character.isDigit(s.charAt(pos))) return number();
            if (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == '_')) {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String name = s.substring(start, pos);
                if (name.equals("true")) return n -> 1;
                if (name.equals("false")) return n -> 0;
                return n -> value(n, name);
            }
            throw error("expected a value (a name, a number or '(')");
        }

        private Node number() {
            int start = pos;
            int radix = 10;
            if (s.startsWith("0x", pos) || s.startsWith("0X", pos)) {
                radix = 16;
                pos += 2;
            }
            int digits = pos;
            while (pos < s.length() && Character.digit(s.charAt(pos), radix) >= 0) pos++;
            if (pos == digits) throw error("expected a hexadecimal digit");
            if (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) throw error("expected the end of the number");
            long v;
            try {
                // Unsigned, so that -9223372036854775808 and 0xffffffffffffffff can be written.
                v = Long.parseUnsignedLong(s.substring(digits, pos), radix);
            } catch (NumberFormatException e) {
                pos = start;
                throw error("expected a number that fits in 64 bits");
            }
            return n -> v;
        }

        private static long value(Function<String, Variable> names, String name) {
            Variable v = names.apply(name);
            if (v == null) throw new Problem(name + " is not a value of this function");
            if (!v.available()) throw new Problem(name + " is " + v.where() + " here");
            return v.value();
        }
    }
}
