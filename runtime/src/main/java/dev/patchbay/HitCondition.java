/*
 * A breakpoint's hit condition in the forms VS Code's JavaScript debugger takes: `N` and
 * `==N` (the Nth hit only), `>=N`, `>N`, `<N`, `<=N`, and `%N` (every Nth). The count it is
 * tested against is the number of hits at which the breakpoint's condition held.
 *
 * Invariant: parse() accepts exactly those forms (spaces around the operator allowed) with
 * N a non-negative decimal that fits in a long, and `%0` not at all; anything else is an
 * IllegalArgumentException naming the column of the first character it could not take.
 * Tests: DebuggerConditionsTest.
 */
package dev.patchbay;

import java.util.function.LongPredicate;

final class HitCondition {
    private final String text;
    private final LongPredicate test;

    private HitCondition(String text, LongPredicate test) {
        this.text = text;
        this.test = test;
    }

    static HitCondition parse(String text) {
        int pos = 0;
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
        String op = "==";
        for (String o : new String[] {"===", "==", ">=", "<=", "=", ">", "<", "%"}) {
            if (text.startsWith(o, pos)) {
                op = o.startsWith("=") ? "==" : o;
                pos += o.length();
                break;
            }
        }
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        int end = pos;
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
        if (start == end || pos < text.length()) {
            int at = start == end ? start : pos;
            throw new IllegalArgumentException("hit condition `" + text + "`: at column " + (at + 1)
                + ", expected N, ==N, >=N, >N, <N, <=N or %N with N a whole number");
        }
        long n;
        try {
            n = Long.parseLong(text.substring(start, end));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hit condition `" + text + "`: at column " + (start + 1) + ", the number is too large");
        }
        switch (op) {
            case ">=": return new HitCondition(text, h -> h >= n);
            case "<=": return new HitCondition(text, h -> h <= n);
            case ">": return new HitCondition(text, h -> h > n);
            case "<": return new HitCondition(text, h -> h < n);
            case "%":
                if (n == 0) throw new IllegalArgumentException("hit condition `" + text + "`: at column " + (start + 1) + ", %0 is never (every 0th hit)");
                return new HitCondition(text, h -> h % n == 0);
            default: return new HitCondition(text, h -> h == n);
        }
    }

    /** Whether the hit numbered `count` (from 1) stops. */
    boolean test(long count) { return test.test(count); }

    @Override public String toString() { return text; }
}
