/*
 * A logpoint's message: text with `{expr}` parts, each a DebugExpression replaced by its
 * value at the hit. `{{` and `}}` stand for literal braces.
 *
 * Invariants: parse() throws IllegalArgumentException naming the column of an unclosed `{`
 * or of the first error inside an expression (counted in the whole message). An
 * expression without a value at a hit is replaced by `<why>`, so the message still says
 * something true and the logpoint never stops for it.
 * Tests: DebuggerConditionsTest.
 */
package dev.patchbay;

import dev.patchbay.debug.Variable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

final class LogTemplate {
    /** Literal text (String) and expressions (DebugExpression), in order. */
    private final List<Object> parts;

    private LogTemplate(List<Object> parts) { this.parts = parts; }

    static LogTemplate parse(String text) {
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < text.length() && text.charAt(i + 1) == c) {
                lit.append(c);
                i += 2;
            } else if (c == '{') {
                int close = text.indexOf('}', i + 1);
                if (close < 0) throw new IllegalArgumentException("log message `" + text + "`: at column " + (i + 1) + ", '{' is never closed by '}'");
                if (lit.length() > 0) parts.add(lit.toString());
                lit.setLength(0);
                String expr = text.substring(i + 1, close);
                try {
                    parts.add(DebugExpression.parse("expression", expr));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("log message `" + text + "`: in {" + expr + "} at column " + (i + 2) + ": " + e.getMessage());
                }
                i = close + 1;
            } else {
                lit.append(c);
                i++;
            }
        }
        if (lit.length() > 0) parts.add(lit.toString());
        return new LogTemplate(parts);
    }

    String render(Function<String, Variable> names) {
        StringBuilder out = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof String) {
                out.append((String) p);
                continue;
            }
            try {
                out.append(((DebugExpression) p).eval(names));
            } catch (DebugExpression.Problem e) {
                out.append('<').append(e.getMessage()).append('>');
            }
        }
        return out.toString();
    }
}
