/*
 * CLIF's float literal syntax, in both directions. Cranelift writes and reads floats in one
 * exact format (its Ieee32/Ieee64 immediates): hexadecimal significands with a binary
 * exponent (`0x1.8p3`, `-0x0.0`, `0x1.0` with the exponent left out), the decimal `0.0`
 * (the only decimal form), `Inf`, quiet NaNs with an optional payload (`NaN`, `-NaN:0x1`)
 * and signalling NaNs, which must have a non-zero payload (`+sNaN:0x1`). A literal is exact:
 * one with more significant bits than the type holds, or too large or too small for it, is
 * an error, never rounded. The printer writes every bit pattern so that parsing it gives
 * the same bits back (FloatLiteralTest checks every class of value).
 *
 * This is an implementation of the grammar as Cranelift documents and prints it, written
 * from its description; no code is shared.
 */
package dev.patchbay.codegen.ir;

import java.util.Locale;

/** Parses and prints CLIF float literals ({@code 0x1.8p3}, {@code -NaN:0x1}, {@code +Inf}) as exact bit patterns. */
public final class IeeeLiteral {
    private IeeeLiteral() {}

    /** Thrown for text that is not a float literal of the type, with the reason. */
    public static final class MalformedException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MalformedException(String reason) { super(reason); }
    }

    private static int expBits(Type t) { return t == Type.F32 ? 8 : 11; }

    private static int fracBits(Type t) { return t == Type.F32 ? 23 : 52; }

    /**
     * Prints a bit pattern as Cranelift prints it.
     *
     * @param t f32 or f64
     * @param bits the pattern, in the low bits
     * @return such as {@code 0x1.800000p3}, {@code -0.0}, {@code +NaN:0x1}, {@code -Inf}
     */
    public static String format(Type t, long bits) {
        int w = expBits(t), tb = fracBits(t);
        long maxE = (1L << w) - 1;
        long frac = bits & ((1L << tb) - 1);
        long e = (bits >>> tb) & maxE;
        boolean neg = ((bits >>> (w + tb)) & 1) != 0;
        int bias = (1 << (w - 1)) - 1;
        int digits = (tb + 3) / 4;
        long left = frac << (4 * digits - tb);
        StringBuilder sb = new StringBuilder();
        if (neg) sb.append('-');
        if (e == 0) {
            if (frac == 0) return sb.append("0.0").toString();
            return sb.append("0x0.").append(hex(left, digits)).append('p').append(1 - bias).toString();
        }
        if (e == maxE) {
            if (!neg) sb.append('+');
            if (frac == 0) return sb.append("Inf").toString();
            long quiet = 1L << (tb - 1);
            long payload = frac & (quiet - 1);
            if ((frac & quiet) != 0) {
                sb.append("NaN");
                if (payload != 0) sb.append(":0x").append(Long.toHexString(payload));
                return sb.toString();
            }
            return sb.append("sNaN:0x").append(Long.toHexString(payload)).toString();
        }
        return sb.append("0x1.").append(hex(left, digits)).append('p').append(e - bias).toString();
    }

    private static String hex(long v, int digits) {
        String h = Long.toHexString(v);
        StringBuilder sb = new StringBuilder();
        for (int i = h.length(); i < digits; i++) sb.append('0');
        return sb.append(h).toString().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a float literal exactly.
     *
     * @param t f32 or f64
     * @param s the literal, sign included
     * @return its bit pattern, in the low bits (zero-extended for f32)
     * @throws MalformedException if the text is not a literal of the type, saying why
     */
    public static long parse(Type t, String s) {
        int w = expBits(t), tb = fracBits(t);
        long signBit = 0;
        String body = s;
        if (body.startsWith("-")) {
            signBit = 1L << (tb + w);
            body = body.substring(1);
        } else if (body.startsWith("+")) {
            body = body.substring(1);
        }
        long maxEBits = ((1L << w) - 1) << tb;
        long quiet = 1L << (tb - 1);
        if (!body.startsWith("0x")) {
            if (body.equals("0.0")) return signBit;
            if (body.equals("Inf")) return signBit | maxEBits;
            if (body.equals("NaN")) return signBit | maxEBits | quiet;
            if (body.startsWith("NaN:0x")) {
                long payload = payload(body.substring(6));
                if (payload < 0 || payload >= quiet) throw new MalformedException("invalid NaN payload");
                return signBit | maxEBits | quiet | payload;
            }
            if (body.startsWith("sNaN:0x")) {
                long payload = payload(body.substring(7));
                if (payload <= 0 || payload >= quiet) throw new MalformedException("invalid sNaN payload (it must be non-zero and below the quiet bit)");
                return signBit | maxEBits | payload;
            }
            throw new MalformedException("a float must be hexadecimal (0x1.8p3), 0.0, Inf, NaN, NaN:0x.. or sNaN:0x..");
        }
        String h = body.substring(2);
        int digits = 0;
        int digitsBeforePoint = -1;
        long significand = 0;
        int exponent = 0;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c == '.') {
                if (digitsBeforePoint >= 0) throw new MalformedException("more than one radix point");
                digitsBeforePoint = digits;
            } else if (c == 'p') {
                exponent = exponent(h.substring(i + 1));
                break;
            } else {
                int d = Character.digit(c, 16);
                if (d < 0 || c > 0x7f) throw new MalformedException("invalid character '" + c + "'");
                digits++;
                if (digits > 16) throw new MalformedException("more than 16 hexadecimal digits");
                significand = (significand << 4) | d;
            }
        }
        if (digits == 0) throw new MalformedException("no digits");
        if (significand == 0) return signBit;
        if (digitsBeforePoint >= 0) exponent -= 4 * (digits - digitsBeforePoint);
        int significant = 64 - Long.numberOfLeadingZeros(significand);
        if (significant > tb + 1) {
            int adjust = significant - (tb + 1);
            if ((significand & ((1L << adjust) - 1)) != 0) {
                throw new MalformedException("more significant bits than " + t + " holds");
            }
            significand >>>= adjust;
            exponent += adjust;
        } else {
            int adjust = tb + 1 - significant;
            significand <<= adjust;
            exponent -= adjust;
        }
        long fracBits = significand & ((1L << tb) - 1);
        int maxExp = (1 << w) - 2;
        int bias = (1 << (w - 1)) - 1;
        exponent += bias + tb;
        if (exponent > maxExp) throw new MalformedException("magnitude too large for " + t);
        if (exponent > 0) return signBit | ((long) exponent << tb) | fracBits;
        int adjust = 1 - exponent;
        if (adjust > tb) throw new MalformedException("magnitude too small for " + t);
        if ((significand & ((1L << adjust) - 1)) != 0) throw new MalformedException("subnormal underflow: bits below " + t + "'s precision");
        return signBit | (significand >>> adjust);
    }

    private static long payload(String hex) {
        if (hex.isEmpty() || hex.length() > 16) throw new MalformedException("invalid NaN payload '" + hex + "'");
        long v = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0 || hex.charAt(i) > 0x7f) throw new MalformedException("invalid NaN payload '" + hex + "'");
            v = (v << 4) | d;
        }
        return hex.length() == 16 && v < 0 ? -1 : v;
    }

    private static int exponent(String text) {
        String digits = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
        if (digits.isEmpty() || digits.length() > 5) throw new MalformedException("bad exponent '" + text + "'");
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') throw new MalformedException("bad exponent '" + text + "'");
        }
        int v = Integer.parseInt(digits);
        v = text.startsWith("-") ? -v : v;
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) throw new MalformedException("bad exponent '" + text + "'");
        return v;
    }
}
