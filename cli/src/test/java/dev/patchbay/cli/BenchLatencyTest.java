/*
 * `patchbay bench --suite latency` runs only the epoch suite's latencies, prints their
 * rows with the plain-Java floor beside each interrupt row, and writes the same figures
 * as JSON; an unknown suite is bad input. Checks structure, not timings.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class BenchLatencyTest {
    @Test
    void latencySuitePrintsAndWritesTheLatencies() throws Exception {
        Path json = Files.createTempFile("latency", ".json");
        try {
            String[] r = CliBadInputTest.run("bench", "--suite", "latency", "--quick", "--json", json.toString());
            String out = r[1];
            assertEquals("0", r[0], out + r[2]);
            assertTrue(out.matches("(?s).*interrupt -> Trap in Java\\s+p50\\s+[0-9.]+ us\\s+p99\\s+[0-9.]+ us.*"), out);
            assertTrue(out.matches("(?s).*the same, after 20 ms run\\s+p50.*"), out);
            assertEquals(2, out.split("Java loop polling a flag", -1).length - 1, "a floor row under each interrupt row:\n" + out);
            assertTrue(out.contains("deadline -> callback runs"), out);
            String doc = Files.readString(json);
            for (String k : new String[] {"\"suite\": \"latency\"", "\"interrupt_latency_us\"", "\"interrupt_latency_after_20ms_us\"",
                "\"callback_latency_us\"", "\"java-poll\""}) {
                assertTrue(doc.replaceAll("\"\\s*:\\s*", "\": ").contains(k), k + " in\n" + doc);
            }
        } finally {
            Files.deleteIfExists(json);
        }
    }

    @Test
    void unknownSuiteIsBadInput() throws Exception {
        String[] r = CliBadInputTest.run("bench", "--suite", "nope");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown suite 'nope' (expected epoch, latency, sites, calls, sampler, peers or all)"), r[2]);
    }
}
