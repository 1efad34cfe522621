/*
 * The one strict parser for every value the CLI takes from its arguments: durations
 * (--timeout, --tick, --sample), sizes (--stack-limit), counts (--epoch-deadline,
 * --loop-align, --metrics-port) and the integer arguments of --invoke. Each parse is exact
 * (BigDecimal / BigInteger, so nothing overflows or rounds through a double) and checked
 * against the option's range; every problem is an IllegalArgumentException whose message
 * names the option and is ready to print after "patchbay: ".
 *
 * Grammar:
 *   duration  NUMBER UNIT, NUMBER = digits with an optional fraction (1.5s, .5ms), UNIT
 *             one of ns us (or µs, μs) ms s m h d (case-insensitive); no sign, no exponent;
 *             rounded to whole nanoseconds, then checked against the option's range
 *   size      digits with an optional K, M or G (binary: 1K = 1024), optionally KiB/MiB/GiB
 *   integer   an optional sign, then decimal digits or 0x and hex digits, with `_`
 *             between digits (CLIF's literal syntax); true and false are 1 and 0
 */
package dev.patchbay.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class Values {
    private Values() {}

    private static final Pattern DURATION = Pattern.compile("([0-9]*\\.?[0-9]+)\\s*(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*(?:([kmg])(?:ib)?)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?(?:0[xX][0-9a-fA-F]+(?:_+[0-9a-fA-F]+)*|[0-9]+(?:_+[0-9]+)*)");

    /** Parses a duration for {@code option} and checks min <= d <= max. */
    static Duration duration(String option, String text, Duration min, Duration max) {
        if (text == null) throw new IllegalArgumentException(option + " needs a value");
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            if (t.startsWith("-")) throw new IllegalArgumentException(option + " must be positive, got '" + text + "'");
            throw new IllegalArgumentException(option + ": not a duration: '" + text + "' (use a number and a unit: ns, us, ms, s, m, h, d; e.g. 250us, 1.5s)");
        }
        long unit = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        BigInteger nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
        if (nanos.compareTo(BigInteger.valueOf(min.toNanos())) < 0) {
            throw new IllegalArgumentException(option + "=" + text + " is below the minimum of " + format(min));
        }
        if (nanos.compareTo(BigInteger.valueOf(max.toNanos())) > 0) {
            throw new IllegalArgumentException(option + "=" + text + " is above the maximum of " + format(max));
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** Parses a size in bytes for {@code option} and checks min <= size <= max. */
    static long size(String option, String text, long min, long max) {
        if (text == null) throw new IllegalArgumentException(option + " needs a value");
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + ": not a size: '" + text + "' (use bytes or a number with K, M or G, e.g. 256K, 8M)");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            default -> 30;
        };
        BigInteger bytes = new BigInteger(m.group(1)).shiftLeft(shift);
        if (bytes.compareTo(BigInteger.valueOf(min)) < 0 || bytes.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(option + "=" + text + " is out of range (" + formatSize(min) + " to " + formatSize(max) + ")");
        }
        return bytes.longValueExact();
    }

    /** Checks a count that picocli has already parsed as a number. */
    static long count(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + "=" + value + " is out of range (" + min + " to " + max + ")");
        }
        return value;
    }

    /**
     * Parses an integer argument exactly as CLIF writes literals, in the 64-bit range: any
     * value from -2^63 to 2^64-1 (a value past 2^63-1 is an unsigned bit pattern). The
     * caller checks it against the parameter's type with {@link #fits}.
     */
    static BigInteger integer(String text) {
        String t = text.trim();
        if (t.equals("true")) return BigInteger.ONE;
        if (t.equals("false")) return BigInteger.ZERO;
        if (!INTEGER.matcher(t).matches()) throw new IllegalArgumentException("not an integer: '" + text + "'");
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) t = t.substring(1);
        t = t.replace("_", "");
        BigInteger v = t.startsWith("0x") || t.startsWith("0X") ? new BigInteger(t.substring(2), 16) : new BigInteger(t);
        if (neg) v = v.negate();
        if (!fits(v, 64)) throw new IllegalArgumentException("integer " + text.trim() + " does not fit in 64 bits");
        return v;
    }

    /** True if v is representable in {@code bits} bits, as a signed or an unsigned number. */
    static boolean fits(BigInteger v, int bits) {
        BigInteger min = BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }

    /** A duration in its largest exact unit: 10us, 1ms, 10s, 365d. */
    static String format(Duration d) {
        long n = d.toNanos();
        long[] units = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms", "us", "ns"};
        for (int i = 0; i < units.length; i++) {
            if (n != 0 && n % units[i] == 0) return (n / units[i]) + names[i];
        }
        return n + "ns";
    }

    static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) return (bytes >> 30) + "G";
        if (bytes != 0 && bytes % (1L << 20) == 0) return (bytes >> 20) + "M";
        if (bytes != 0 && bytes % (1L << 10) == 0) return (bytes >> 10) + "K";
        return Long.toString(bytes);
    }
}
