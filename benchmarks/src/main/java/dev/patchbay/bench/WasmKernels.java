/*
 * The peers suite's inputs: the six epoch kernels written again in WebAssembly text
 * (kernels/wasm/*.wat, the same algorithms as the CLIF kernels, with i32 addresses into
 * linear memory where the CLIF uses a stack slot), two float kernels, and a runaway loop
 * for interrupt latency. The .wasm files beside them are what every runtime loads; they
 * are built from the .wat with wabt 1.0.32, `wat2wasm NAME.wat -o NAME.wasm` (checked in,
 * so running the suite needs no wabt; WasmKernelsTest rebuilds them when wat2wasm is
 * present and fails if they differ). Every kernel exports `kernel(i64) -> i64`, and every
 * timed call is checked against a Java reference.
 */
package dev.patchbay.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.LongUnaryOperator;

/** The Wasm kernels of the peers suite, with their arguments and Java references. */
public final class WasmKernels {
    private WasmKernels() {}

    /** One kernel: its name (kernels/wasm/NAME.wasm), the argument of a quick and a full run, and the expected result. */
    public record Kernel(String name, long quickArg, long fullArg, LongUnaryOperator reference) {
        /** The module's bytes. */
        public byte[] wasm() { return resource("/kernels/wasm/" + name + ".wasm"); }
    }

    /** The six integer kernels (the epoch suite's, same references), then the two float ones. */
    public static final List<Kernel> ALL = List.of(
        fromEpochSuite("fib"), fromEpochSuite("nested"), fromEpochSuite("sieve"), fromEpochSuite("bubble"),
        fromEpochSuite("crc32"), fromEpochSuite("collatz"),
        new Kernel("mandel", 150, 400, WasmKernels::mandel),
        new Kernel("series32", 2_000_000, 8_000_000, WasmKernels::series32));

    /** An export `spin(i64 n) -> i64` that loops until n wraps to 0: -1 never returns in practice. */
    public static byte[] runaway() { return resource("/kernels/wasm/runaway.wasm"); }

    private static Kernel fromEpochSuite(String name) {
        for (Kernels.Kernel k : Kernels.ALL) {
            if (k.name.equals(name)) return new Kernel(name, k.quickArg, k.fullArg, k.reference);
        }
        throw new IllegalStateException("no epoch kernel " + name);
    }

    static byte[] resource(String path) {
        try (InputStream in = WasmKernels.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("resource " + path + " is missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** mandel.wat in Java: Java's double arithmetic is IEEE 754 with no fused operations, as Wasm's is. */
    static long mandel(long n) {
        long total = 0;
        double scale = 3.0 / n;
        for (long py = 0; py < n; py++) {
            double ci = py * scale - 1.5;
            for (long px = 0; px < n; px++) {
                double cr = px * scale - 2.0;
                double zr = 0, zi = 0;
                int it = 0;
                while (!(zr * zr + zi * zi > 4.0) && it < 200) {
                    double t = zr * zr - zi * zi + cr;
                    zi = 2.0 * zr * zi + ci;
                    zr = t;
                    it++;
                }
                total += it;
            }
        }
        return total;
    }

    /** series32.wat in Java: float arithmetic; a double square root rounded to float is the correctly rounded float one. */
    static long series32(long n) {
        float sum = 0;
        for (long i = 0; i < n; i++) {
            float x = (float) i * 0.001f;
            sum += (float) Math.sqrt(x * x + 1f) / (x + 1f);
        }
        return Integer.toUnsignedLong(Float.floatToRawIntBits(sum));
    }
}
