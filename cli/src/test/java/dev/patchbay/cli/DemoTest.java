/*
 * `patchbay demo --quick` runs end to end on the bundled C program and prints all seven
 * parts: the structure of each, and the sanity of its numbers (not exact times, which vary
 * by machine); it writes the flame graph and the JFR recording, which are read here too.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class DemoTest {
    /** Every ratio printed as "1.234x (1.100-1.300)" or "1.000x" in a section, quartiles included. */
    private static List<Double> ratios(String section) {
        List<Double> rs = new ArrayList<>();
        Matcher m = Pattern.compile("(\\d+\\.\\d{3})(?:x|-|\\))").matcher(section);
        while (m.find()) rs.add(Double.parseDouble(m.group(1)));
        return rs;
    }

    private static String part(String out, int n) {
        int a = out.indexOf("[" + n + "/7] ");
        int b = n == 7 ? out.indexOf("demo complete") : out.indexOf("[" + (n + 1) + "/7] ");
        assertTrue(a >= 0 && b > a, "part " + n + " is missing or out of order:\n" + out);
        return out.substring(a, b);
    }

    @Test
    void quickDemoShowsTheWholeStoryOnTheCProgram() throws Exception {
        Path flame = Paths.get("patchbay-flamegraph.html"), jfr = Paths.get("patchbay-demo.jfr");
        Files.deleteIfExists(flame);
        Files.deleteIfExists(jfr);
        try {
            String[] r = CliBadInputTest.run("demo", "--quick");
            String out = r[1];
            assertEquals("0", r[0], out + r[2]);
            assertTrue(out.contains("demo complete"), out);

            String p1 = part(out, 1);
            assertTrue(p1.matches("(?s).*[\\d,]+ bytes of Wasm, \\d+ functions.*compiled in \\d+ ms.*"), p1);
            assertTrue(p1.matches("(?s).*every site idle: [1-9]\\d* epoch sites, [1-9]\\d* profile-entry and [1-9]\\d* profile-exit sites.*"), p1);
            assertTrue(p1.contains("| work(3) checksum: 237ac5de70748ed8") && p1.contains("exactly what its native build"), p1);
            // The hot loop's back edge is its fused epoch site; its entry has a profile NOP.
            assertTrue(p1.matches("(?s).*j[a-z]+ 0x[0-9a-f]+   ; patch site #\\d+ epoch \\(on: (e9|0f 8[0-9a-f]) .*loop back edge.*"), p1);
            assertTrue(p1.contains("0f 1f 44 00 00") && p1.contains("profile-entry"), p1);

            String p2 = part(out, 2);
            for (String row : new String[] {"no sites ", "no sites, again (A/A)", "Patchbay epoch sites (fused), idle", "every Patchbay site", "Wasmtime-style epoch check"}) {
                assertTrue(p2.contains("  " + row), "idle-cost row " + row + ":\n" + p2);
            }
            List<Double> idle = ratios(p2);
            assertTrue(idle.size() >= 5 * 3 - 2, "a ratio and its quartiles per variant:\n" + p2);
            for (double x : idle) assertTrue(x > 0.5 && x < 3, "a sane ratio: " + x + "\n" + p2);

            String p3 = part(out, 3);
            for (String rt : new String[] {"wasmtime ", "wasmtime-epoch ", "patchbay-none ", "patchbay ", "chicory "}) {
                assertTrue(p3.matches("(?s).*\\n  " + rt + "\\s.*\\d+\\.\\d\\d ms  \\d+\\.\\d{3}x.*"), "peers row " + rt + ":\n" + p3);
            }
            assertTrue(p3.matches("(?s).*Patchbay's fused sites [-+]\\d+\\.\\d% .*Wasmtime's epochs [-+]\\d+\\.\\d%.*"), p3);

            String p4 = part(out, 4);
            Matcher lat = Pattern.compile("interrupted 100 ms in: Trap on the guest thread ([0-9.]+) us after interrupt\\(\\)").matcher(p4);
            for (int i = 0; i < 2; i++) {
                assertTrue(lat.find(), "two interrupts with their latency:\n" + p4);
                double us = Double.parseDouble(lat.group(1));
                assertTrue(us > 0 && us < 5_000_000, "a latency under 5 s: " + us);
            }
            // The interrupt stops the guest at whichever armed site it reaches first: almost
            // always the back edge of collatz_len's loop, but now and then count_steps' own
            // loop between two calls (a fresh-clone CI run on a loaded machine, 2026-12-05:
            // "#0 %f10_count_steps+0x4e (@0x2ed)  #1 %f85_count_steps_command_export").
            // Either way the backtrace names the guest frames down to the export.
            assertTrue(p4.matches("(?s).*#0 %f\\d+_collatz_len\\+0x[0-9a-f]+ \\(@0x[0-9a-f]+\\)\\s+#1 %f\\d+_count_steps\\+.*")
                || p4.matches("(?s).*#0 %f\\d+_count_steps\\+0x[0-9a-f]+ \\(@0x[0-9a-f]+\\)\\s+#1 %f\\d+_count_steps_command_export\\+.*"),
                "Wasm backtrace:\n" + p4);
            // At OptLevel.SPEED wasi-libc's sleep, small and loop-free, is inlined into main: the frame
            // below poll_oneoff is clock_nanosleep's (or sleep's, if a build keeps it).
            assertTrue(p4.matches("(?s).*_poll_oneoff\\+.*_(clock_nano|nano)?sleep\\+.*_main\\+.*"), "the sleeping hostcall's backtrace:\n" + p4);
            assertTrue(p4.contains("| sleeping 600 s"), p4);

            String p5 = part(out, 5);
            assertTrue(p5.matches("(?s).*\\n  %f\\d+_collatz_len\\s+[0-9,]+\\s.*"), "profile table:\n" + p5);
            assertTrue(p5.matches("(?s).*[0-9,]+ site samples .* and [1-9][0-9,]* signal samples at 1 ms.*"), p5);
            assertTrue(Files.size(flame) > 1000, "flame graph written");
            assertTrue(Files.readString(flame).contains("collatz_len"), "the flame graph shows the program's functions");

            String p6 = part(out, 6);
            Matcher lp = Pattern.compile("([0-9,]+) hits = ([0-9,]+) steps, the program's own count \\(call by call: exact\\)").matcher(p6);
            assertTrue(lp.find(), "the logpoint counted exactly:\n" + p6);
            assertEquals(lp.group(2), lp.group(1));
            assertNotEquals("0", lp.group(1), "over at least one whole call");
            assertTrue(p6.matches("(?s).*frame %f\\d+_collatz_len\\+0x[0-9a-f]+ \\(@0x[0-9a-f]+\\).*values: v\\d+ = .*"), "the stop and its values:\n" + p6);
            assertTrue(p6.contains("what a Java implementation computes"), p6);

            String p7 = part(out, 7);
            assertTrue(p7.contains("HTTP 200") && p7.matches("(?s).*patchbay_function_calls_total\\{function=\"f\\d+_collatz_len\".*\\} [1-9][0-9.E]*\\n.*"), p7);
            Matcher jf = Pattern.compile("read back: ([0-9,]+) dev.patchbay.SitePatchBatch, ([0-9,]+) dev.patchbay.Trap, ([0-9,]+) dev.patchbay.EpochInterrupt, ([0-9,]+) dev.patchbay.GuestSample").matcher(p7);
            assertTrue(jf.find(), p7);
            assertNotEquals("0", jf.group(1), "site patch batches were recorded");
            assertEquals("2", jf.group(3), "the two interrupts of part 4");
            assertTrue(Files.size(jfr) > 1000, "the JFR recording is written");
        } finally {
            Files.deleteIfExists(flame);
            Files.deleteIfExists(jfr);
        }
    }
}
