/*
 * `patchbay demo --quick` runs end to end and prints all five parts with their tables,
 * the interrupt's backtrace, the profile table, and real Prometheus lines; it writes the
 * flame graph. Checks structure, not timings (figures vary by machine).
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.*;

class DemoTest {
    @Test
    void quickDemoPrintsAllFiveParts() throws Exception {
        Path flame = Paths.get("patchbay-flamegraph.html");
        Files.deleteIfExists(flame);
        String[] r = CliBadInputTest.run("demo", "--quick");
        String out = r[1];
        assertEquals("0", r[0], out + r[2]);
        for (int i = 1; i <= 5; i++) assertTrue(out.contains("[" + i + "/5] "), "part " + i + ":\n" + out);
        assertTrue(out.matches("(?s).*%sum\\s+\\d+\\s+\\d+ B\\s+1\\s+1\\s+1.*"), "site counts per function (a fused epoch site on the back edge):\n" + out);
        assertTrue(out.contains("patch site #") && out.contains("0f 1f 44 00 00"), "idle profile sites:\n" + out);
        // The back edge is the loop's one conditional branch (jcc rel32, on: the same jcc to
        // the stub), or a jmp when the edge needs moves.
        assertTrue(out.matches("(?s).*j[a-z]+ 0x[0-9a-f]+   ; patch site #\\d+ epoch \\(on: (e9|0f 8[0-9a-f]) .*"), "the loop's back edge is its epoch site:\n" + out);
        for (String k : new String[] {"fib", "nested", "sieve", "bubble", "crc32", "collatz", "geomean"}) {
            assertTrue(out.matches("(?s).*\\n  " + k + "\\s.*x \\(.*"), "idle-cost row " + k + ":\n" + out);
        }
        assertTrue(out.matches("(?s).*interrupt\\(\\) -> Trap caught on the guest thread: [0-9.]+ us.*"), out);
        assertTrue(out.contains("#0 %spin+0x") && out.contains("#1 %main+0x"), out);
        assertTrue(out.matches("(?s).*\\n  hot\\s+hot-cold.clif\\s+[0-9,]+\\s.*"), "profile table:\n" + out);
        assertTrue(out.contains("samples at 1 ms"), out);
        assertTrue(out.contains("HTTP 200") && out.contains("patchbay_function_calls_total{"), out);
        assertTrue(out.contains("demo complete"), out);
        assertTrue(Files.size(flame) > 1000, "flame graph written");
        Files.deleteIfExists(flame);
    }
}
