/*
 * CLIF integer literals: decimal or `0x` hex, with `_` digit separators and an optional
 * sign. The value is kept exact (BigInteger) until it is checked against the width it is
 * used at, because the same text is valid or not depending on that width: `0xff` fits i8
 * as a bit pattern, `300` does not, and `-1` fits every width.
 */
package dev.patchbay.codegen.clif;

import java.math.BigInteger;

final class IntegerLiteral {
    private IntegerLiteral() {}

    /**
     * Parses digits (no sign) as written after an optional sign; returns null if the text is
     * not a well-formed decimal or hex integer.
     */
    static BigInteger parseMagnitude(String digits) {
        int radix = 10;
        String body = digits;
        if (body.startsWith("0x") || body.startsWith("0X")) {
            radix = 16;
            body = body.substring(2);
        }
        if (body.isEmpty() || body.startsWith("_") || body.endsWith("_")) return null;
        StringBuilder clean = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '_') continue;
            if (Character.digit(c, radix) < 0) return null;
            clean.append(c);
        }
        return new BigInteger(clean.toString(), radix);
    }

    /** Parses an optionally signed literal such as `-0x8000_0000`; null if malformed. */
    static BigInteger parseSigned(String text) {
        boolean neg = false;
        String t = text;
        if (t.startsWith("-") || t.startsWith("+")) {
            neg = t.charAt(0) == '-';
            t = t.substring(1);
        }
        BigInteger m = parseMagnitude(t);
        if (m == null) return null;
        return neg ? m.negate() : m;
    }

    /** True if v is representable in {@code bits} bits as either a signed or an unsigned number. */
    static boolean fits(BigInteger v, int bits) {
        BigInteger min = BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }

    /** True if v is a signed {@code bits}-bit number. */
    static boolean fitsSigned(BigInteger v, int bits) {
        return v.bitLength() < bits;
    }

    /** The low 64 bits of v, two's complement (for values that fit() in 64 bits). */
    static long toLong(BigInteger v) { return v.longValue(); }
}
