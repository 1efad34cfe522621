/*
 * The epoch table's gcc -O2 part: a row per kernel with both times and the ratio with its
 * quartiles, the geomean, and when the suite had no gcc, one line saying why. Built from
 * the result shape EpochSuite writes, so it checks the printing without a minute of runs.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchGccTableTest {
    @Test
    void eachKernelGetsBothTimesAndTheRatioWithItsQuartiles() {
        Map<String, Object> gcc = new LinkedHashMap<>();
        gcc.put("compiler", "gcc (Debian 12.2.0-14+deb12u1) 12.2.0");
        gcc.put("command", "gcc -O2 -fPIC -shared -DPAD=N");
        gcc.put("pairs_per_kernel", 120);
        gcc.put("geomean_none_over_gcc", 1.25);
        gcc.put("geomean_p25", 1.2);
        gcc.put("geomean_p75", 1.3);
        String out = printed(result(gcc, kernel("fib", 2_100_000, 780_000, 2.7397, 2.6468, 2.7856)));
        assertTrue(out.contains("gcc -O2 -fPIC -shared -DPAD=N (gcc (Debian 12.2.0-14+deb12u1) 12.2.0)"), out);
        assertTrue(out.contains("median of 120 paired runs"), out);
        assertTrue(out.matches("(?s).*\\n  fib\\s+2\\.10 ms\\s+0\\.78 ms\\s+2\\.740x \\[2\\.647, 2\\.786\\]\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  geomean\\s+1\\.250x \\[1\\.200, 1\\.300\\]\\n.*"), out);
    }

    @Test
    void withoutGccOneLineSaysWhy() {
        String out = printed(result(Map.of("skipped", "gcc not found on PATH"), kernel("fib", 1, 1, 1, 1, 1)));
        assertEquals("No gcc -O2 baseline: gcc not found on PATH\n", out);
    }

    private static Map<String, Object> kernel(String name, long noneNs, long gccNs, double ratio, double p25, double p75) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("median_ns", gccNs);
        g.put("none_over_gcc", ratio);
        g.put("p25", p25);
        g.put("p75", p75);
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("name", name);
        k.put("modes", Map.of("none", Map.of("median_ns", noneNs)));
        k.put("gcc_o2", g);
        return k;
    }

    private static Map<String, Object> result(Map<String, Object> gcc, Map<String, Object> kernel) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kernels", List.of(kernel));
        r.put("gcc_o2", gcc);
        return r;
    }

    private static String printed(Map<String, Object> r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            BenchCommand.printGcc(r);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
