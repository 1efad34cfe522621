/*
 * The epoch benchmark's kernels: six CLIF programs (benchmarks/src/main/resources/kernels,
 * each with a comment saying what it computes) and a Java reference for each, so every
 * timed run is also checked for the right answer in every mode. Each has a C twin in
 * kernels/c, the same algorithm for the gcc -O2 baseline (GccBaseline).
 */
package dev.patchbay.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongUnaryOperator;

public final class Kernels {
    public static final class Kernel {
        public final String name;
        public final long quickArg, fullArg;
        public final LongUnaryOperator reference;

        Kernel(String name, long quickArg, long fullArg, LongUnaryOperator reference) {
            this.name = name;
            this.quickArg = quickArg;
            this.fullArg = fullArg;
            this.reference = reference;
        }

        public String source() {
            try (InputStream in = Kernels.class.getResourceAsStream("/kernels/" + name + ".clif")) {
                if (in == null) throw new IllegalStateException("kernel resource /kernels/" + name + ".clif is missing");
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Kernels() {}

    public static final List<Kernel> ALL = List.of(
        new Kernel("fib", 29, 32, Kernels::fib),
        new Kernel("nested", 2000, 4000, Kernels::nested),
        new Kernel("sieve", 200, 800, Kernels::sieve),
        new Kernel("bubble", 120, 500, Kernels::bubble),
        new Kernel("crc32", 600_000, 2_500_000, Kernels::crc32),
        new Kernel("collatz", 25_000, 100_000, Kernels::collatz));

    static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

    static long nested(long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) for (long j = 0; j < n; j++) sum += (i * j) ^ j;
        return sum;
    }

    static long sieve(long rounds) {
        long total = 0;
        for (long r = 0; r < rounds; r++) {
            boolean[] comp = new boolean[8192];
            for (int p = 2; p < 8192; p++) {
                if (comp[p]) continue;
                total++;
                for (long m = (long) p * p; m < 8192; m += p) comp[(int) m] = true;
            }
        }
        return total;
    }

    static long bubble(long rounds) {
        long sum = 0, lcg = 12345;
        int[] a = new int[256];
        for (long r = 0; r < rounds; r++) {
            for (int k = 0; k < 256; k++) {
                lcg = lcg * 6364136223846793005L + 1442695040888963407L;
                a[k] = (int) (lcg >>> 33);
            }
            for (int end = 255; end >= 1; end--) {
                for (int k = 0; k < end; k++) {
                    if (a[k] > a[k + 1]) {
                        int t = a[k];
                        a[k] = a[k + 1];
                        a[k + 1] = t;
                    }
                }
            }
            sum += a[0] + 3L * a[128] + 7L * a[255];
        }
        return sum;
    }

    static long crc32(long n) {
        int crc = -1;
        long lcg = 7;
        for (long i = 0; i < n; i++) {
            lcg = lcg * 6364136223846793005L + 1442695040888963407L;
            crc ^= (int) (lcg >>> 56);
            for (int b = 0; b < 8; b++) crc = (crc >>> 1) ^ (0xEDB88320 & -(crc & 1));
        }
        return Integer.toUnsignedLong(~crc);
    }

    static long collatz(long n) {
        long best = 0, bestStart = 0;
        for (long s = 1; s <= n; s++) {
            long x = s, steps = 0;
            while (x != 1) {
                x = (x & 1) != 0 ? 3 * x + 1 : x >>> 1;
                steps++;
            }
            if (steps > best) {
                best = steps;
                bestStart = s;
            }
        }
        return (best << 32) | bestStart;
    }
}
