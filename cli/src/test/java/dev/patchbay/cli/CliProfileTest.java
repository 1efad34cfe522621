/*
 * `patchbay run` with the profiling flags: --profile prints the table with exact call
 * counts, --sample/--flamegraph writes a flame graph that parses as XML, --metrics-port
 * serves on loopback, and bad flag combinations exit 2 with a message.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CliProfileTest {
    @TempDir
    Path dir;

    static final String FIB = String.join("\n",
        "function %fib(i64) -> i64 {",
        "    fn0 = colocated %fib(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = icmp_imm ult v0, 2",
        "    brif v1, block1, block2",
        "block1:",
        "    return v0",
        "block2:",
        "    v2 = iadd_imm v0, -1",
        "    v3 = call fn0(v2)",
        "    v4 = iadd_imm v0, -2",
        "    v5 = call fn0(v4)",
        "    v6 = iadd v3, v5",
        "    return v6",
        "}", "");

    Path fib() throws Exception {
        Path f = dir.resolve("fib.clif");
        Files.writeString(f, FIB);
        return f;
    }

    @Test
    void profilePrintsTheTable() throws Exception {
        String[] r = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(20)", "--profile");
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].split("\n");
        assertEquals("6765", lines[0]);
        assertTrue(r[1].matches("(?s).*function\\s+module\\s+calls\\s+total\\s+self\\s+mean.*"), r[1]);
        assertTrue(r[1].matches("(?s).*\\nfib\\s+fib\\.clif\\s+21,891\\s.*"), r[1]);
    }

    @Test
    void flameGraphFromSamples() throws Exception {
        Path out = dir.resolve("fib.html");
        String[] r = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(27)", "--sample", "1ms", "--flamegraph", out.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals("196418", r[1].trim());
        assertTrue(r[2].contains("samples: "), r[2]);
        assertTrue(Files.exists(out), r[2]);
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        assertEquals("html", f.newDocumentBuilder().parse(out.toFile()).getDocumentElement().getLocalName());
    }

    @Test
    void collapsedWritesBrendanGreggsFormat() throws Exception {
        Path out = dir.resolve("fib.collapsed");
        // fib(35), not fib(32): on a loaded 2-core machine the 20 ms of fib(32) could end before the sampler thread ran once.
        String[] r = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(35)", "--collapsed", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("wrote " + out), r[2]);
        long samples = Long.parseLong(r[2].replaceAll("(?s).*samples: (\\d+).*", "$1"));
        long sum = 0;
        for (String line : Files.readAllLines(out)) {
            // flamegraph.pl's input: frames outermost first, joined by ';', a space, a count.
            assertTrue(line.matches("fib(;fib)* [1-9][0-9]*"), line);
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(samples, sum, "every sample is in the file once");
        assertTrue(samples > 0, r[2]);
        String[] bad = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(3)", "--collapsed", dir.toString());
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("cannot write --collapsed " + dir + ": is a directory"), bad[2]);
    }

    @Test
    void signalSamplerWritesCollapsedStacks() throws Exception {
        Path out = dir.resolve("fib-signal.collapsed");
        // fib(35) for the reason collapsedWritesBrendanGreggsFormat gives.
        String[] r = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(35)", "--sampler", "signal", "--collapsed", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("(signal: at any instruction;"), r[2]);
        long samples = Long.parseLong(r[2].replaceAll("(?s).*samples: (\\d+).*", "$1"));
        long sum = 0;
        for (String line : Files.readAllLines(out)) {
            assertTrue(line.matches("fib(;fib)* [1-9][0-9]*"), line);
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(samples, sum, "every sample is in the file once");
        assertTrue(samples > 0, r[2]);
        String[] bad = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(3)", "--sampler", "timer", "--sample", "1ms");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("--sampler must be sites or signal"), bad[2]);
    }

    @Test
    void metricsPortServesOnLoopback() throws Exception {
        String[] r = CliBadInputTest.run("run", fib().toString(), "--invoke", "fib(10)", "--metrics-port", "0");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("metrics: http://127.0.0.1:"), r[2]);
    }

    @Test
    void badProfilingFlags() throws Exception {
        String f = fib().toString();
        String[] hold = CliBadInputTest.run("run", f, "--invoke", "fib(3)", "--hold");
        assertEquals("2", hold[0]);
        assertTrue(hold[2].contains("--hold needs --metrics-port"), hold[2]);
        String[] period = CliBadInputTest.run("run", f, "--invoke", "fib(3)", "--sample", "often");
        assertEquals("2", period[0]);
        assertTrue(period[2].contains("not a duration"), period[2]);
        String[] noSites = CliBadInputTest.run("run", f, "--invoke", "fib(3)", "--profile", "--instrument=epoch");
        assertEquals("2", noSites[0]);
        assertTrue(noSites[2].contains("profile-entry"), noSites[2]);
    }
}
