/*
 * Hostile input through the CLI (issue 13, "CLI bad input"): each case exits 2 with a
 * one-line message naming what is wrong, never a stack trace, and never runs out of
 * memory, hangs or wraps around:
 *  - inputs that are not regular files of at most 16 MiB (/dev/zero, a FIFO, a
 *    directory, a sparse 17 MiB file, a missing path), for compile, run and test;
 *  - every duration, size and count option through one strict parser with range checks;
 *  - --invoke arguments parsed like CLIF literals over the full 64-bit range, and checked
 *    against the parameter's type;
 *  - output files (flame graph, bench JSON) and standard output that cannot be written.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class CliHostileInputTest {
    @TempDir
    Path dir;

    static final String ID = "function %id(i64) -> i64 {\nblock0(v0: i64):\n    return v0\n}\n";
    static final String ID8 = "function %id8(i8) -> i8 {\nblock0(v0: i8):\n    return v0\n}\n";

    Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** Exit 2, exactly one line on stderr containing {@code mentions}, nothing that looks like a stack trace. */
    static void assertBadInput(String[] r, String mentions) {
        String all = r[1] + r[2];
        assertEquals("2", r[0], all);
        List<String> lines = new ArrayList<>();
        for (String l : r[2].split("\n")) if (!l.isBlank()) lines.add(l);
        assertEquals(1, lines.size(), "one line of message:\n" + r[2]);
        assertTrue(r[2].contains(mentions), "expected '" + mentions + "' in:\n" + r[2]);
        assertFalse(all.contains("\tat ") || all.contains("Exception") || all.contains("Error:"), "no stack trace:\n" + all);
    }

    static String[] run(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliBadInputTest.run(args), String.join(" ", args));
    }

    // ---------------------------------------------------------------- input files

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"compile", "test", "run"})
    void devZeroIsRefusedWithoutBeingRead(String cmd) {
        String[] r = cmd.equals("run") ? run("run", "/dev/zero", "--invoke", "f()") : run(cmd, "/dev/zero");
        assertBadInput(r, "/dev/zero: error: not a regular file");
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("never.clif");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        // Opening a FIFO with no writer blocks forever: the CLI must not open it at all.
        assertBadInput(run("compile", fifo.toString()), "not a regular file");
        assertBadInput(run("test", dir.toString()), "never.clif: error: not a regular file");
    }

    @Test
    void anInputOverTheSizeLimitIsRefused() throws Exception {
        Path big = dir.resolve("big.clif");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(ClifInput.MAX_INPUT_BYTES + 1L); // sparse: nothing is written
        }
        for (String cmd : new String[] {"compile", "test"}) assertBadInput(run(cmd, big.toString()), "larger than the 16 MiB input limit");
        assertBadInput(run("run", big.toString(), "--invoke", "f()"), "larger than the 16 MiB input limit");
    }

    @Test
    void aDirectoryOrAMissingPathIsBadInputForEveryCommand() throws Exception {
        assertBadInput(run("compile", dir.toString()), "is a directory");
        assertBadInput(run("run", dir.toString(), "--invoke", "f()"), "is a directory");
        assertBadInput(run("test", dir.toString()), "no .clif files in this directory");
        assertBadInput(run("test", dir.resolve("nope.clif").toString()), "no such file");
        assertBadInput(run("run", dir.resolve("nope.clif").toString(), "--invoke", "f()"), "no such file");
    }

    // ---------------------------------------------------------------- option values

    static Stream<Arguments> badOptionValues() {
        return Stream.of(
            Arguments.of(new String[] {"--tick=0ms", "--timeout=1s"}, "--tick=0ms is below the minimum of 10us"),
            Arguments.of(new String[] {"--tick=5us", "--timeout=1s"}, "--tick=5us is below the minimum"),
            Arguments.of(new String[] {"--tick=2h", "--timeout=3h"}, "--tick=2h is above the maximum of 1h"),
            Arguments.of(new String[] {"--timeout=1e30s"}, "--timeout: not a duration: '1e30s'"),
            Arguments.of(new String[] {"--timeout=999999999999999999m"}, "--timeout=999999999999999999m is above the maximum of 365d"),
            Arguments.of(new String[] {"--timeout=366d"}, "is above the maximum of 365d"),
            Arguments.of(new String[] {"--timeout=-1ms"}, "--timeout must be positive"),
            Arguments.of(new String[] {"--timeout=0ms"}, "--timeout=0ms is below the minimum of 1ms"),
            Arguments.of(new String[] {"--timeout=1.5"}, "not a duration"),
            Arguments.of(new String[] {"--timeout=ms"}, "not a duration"),
            Arguments.of(new String[] {"--timeout=1ms", "--tick=1s"}, "--timeout=1ms is shorter than one --tick (1s)"),
            Arguments.of(new String[] {"--timeout=1s", "--epoch-deadline=5"}, "give one of them"),
            Arguments.of(new String[] {"--epoch-deadline=-1"}, "--epoch-deadline=-1 is out of range"),
            Arguments.of(new String[] {"--epoch-deadline=9223372036854775807"}, "--epoch-deadline=9223372036854775807 is out of range"),
            Arguments.of(new String[] {"--stack-limit=9007199254740992K"}, "--stack-limit=9007199254740992K is out of range (4K to 16G)"),
            Arguments.of(new String[] {"--stack-limit=1K"}, "--stack-limit=1K is out of range"),
            Arguments.of(new String[] {"--stack-limit=17G"}, "--stack-limit=17G is out of range"),
            Arguments.of(new String[] {"--stack-limit=-8M"}, "not a size"),
            Arguments.of(new String[] {"--stack-limit=8T"}, "not a size"),
            Arguments.of(new String[] {"--sample=1ns"}, "--sample=1ns is below the minimum of 10us"),
            Arguments.of(new String[] {"--sample=2h"}, "--sample=2h is above the maximum of 1h"),
            Arguments.of(new String[] {"--sample=1e3ms"}, "not a duration"),
            Arguments.of(new String[] {"--metrics-port=65536"}, "--metrics-port=65536 is out of range (0 to 65535)"),
            Arguments.of(new String[] {"--metrics-port=-1"}, "--metrics-port=-1 is out of range"),
            Arguments.of(new String[] {"--timeout=50ms", "--epoch-mode=poll"}, "cannot interrupt --epoch-mode=poll code"),
            // Fractions and every unit parse; the range is what refuses these.
            Arguments.of(new String[] {"--sample=10ns"}, "--sample=10ns is below the minimum of 10us"),
            Arguments.of(new String[] {"--sample=9.5us"}, "--sample=9.5us is below the minimum of 10us"),
            Arguments.of(new String[] {"--tick=0.5us", "--timeout=1s"}, "--tick=0.5us is below the minimum of 10us"),
            Arguments.of(new String[] {"--timeout=0.5ms"}, "--timeout=0.5ms is below the minimum of 1ms"),
            Arguments.of(new String[] {"--timeout=1.5"}, "(use a number and a unit"),
            Arguments.of(new String[] {"--timeout=1.5.5s"}, "--timeout: not a duration: '1.5.5s'"),
            Arguments.of(new String[] {"--instrument=epoch,bogus"}, "--instrument: unknown site kind 'bogus'"),
            Arguments.of(new String[] {"--epoch-mode=bogus"}, "--epoch-mode: unknown epoch mode 'bogus'"),
            Arguments.of(new String[] {"--profile", "--instrument=epoch"}, "patchbay: --profile needs profile sites, and id.clif was compiled without them (--instrument=none); use --instrument=all"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badOptionValues")
    void everyDurationSizeAndCountIsParsedStrictlyWithARange(String[] options, String mentions) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", file("id.clif", ID).toString(), "--invoke", "id(1)"));
        args.addAll(List.of(options));
        assertBadInput(run(args.toArray(new String[0])), mentions);
    }

    @Test
    void goodDurationsAndSizesStillWork() throws Exception {
        String f = file("id.clif", ID).toString();
        for (String[] opts : new String[][] {{"--timeout=2s"}, {"--timeout=1.5s", "--tick=500us"}, {"--timeout=1m"}, {"--timeout=365d"},
                {"--timeout=0.25s", "--tick=250us"}, {"--timeout=1.5ms", "--tick=10us"}, {"--timeout=.5s", "--tick=10000ns"},
                {"--timeout=2.5S", "--tick=12.5US"}, {"--timeout=1s", "--tick=250\u00b5s"}, {"--timeout=1s", "--tick=250\u03bcs"},
                {"--sample=250us"}, {"--sample=1.5ms"}, {"--sample=10000ns"}, {"--sample=0.001s"},
                {"--stack-limit=8M"}, {"--stack-limit=64KiB"}, {"--stack-limit=4096"}, {"--epoch-deadline=1000000000000000"}}) {
            List<String> args = new ArrayList<>(List.of("run", f, "--invoke", "id(7)"));
            args.addAll(List.of(opts));
            String[] r = run(args.toArray(new String[0]));
            assertEquals("0", r[0], String.join(" ", opts) + "\n" + r[2]);
            assertEquals("7", r[1].trim());
        }
    }

    @Test
    void aMetricsPortThatCannotBeBoundNamesTheOptionNotTheFile() throws Exception {
        String f = file("id.clif", ID).toString();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String[] r = run("run", f, "--invoke", "id(1)", "--metrics-port=" + port);
            assertBadInput(r, "patchbay: --metrics-port=" + port + ": cannot serve metrics on 127.0.0.1:" + port + ": ");
            assertFalse(r[2].startsWith(f), "an option's problem is not the input file's:\n" + r[2]);
        }
    }

    @ParameterizedTest(name = "--loop-align={0}")
    @ValueSource(strings = {"3", "-1", "128", "2147483647"})
    void loopAlignIsRangeChecked(String v) throws Exception {
        assertBadInput(run("compile", "--loop-align=" + v, file("id.clif", ID).toString()), "--loop-align must be 0 or a power of two up to 64");
    }

    @Test
    void testTimeoutIsParsedStrictly() throws Exception {
        String f = file("id.clif", ID + "; run: %id(1) == 1\n").toString();
        assertBadInput(run("test", "--timeout=-1ms", f), "--timeout must be positive");
        assertBadInput(run("test", "--timeout=999999999999999999m", f), "above the maximum");
        assertBadInput(run("test", "--timeout=0s", f), "below the minimum");
    }

    // ---------------------------------------------------------------- --invoke arguments

    static Stream<Arguments> goodArguments() {
        return Stream.of(
            Arguments.of("id(-9223372036854775808)", "-9223372036854775808"),
            Arguments.of("id(9223372036854775807)", "9223372036854775807"),
            Arguments.of("id(0xFFFF_FFFF_FFFF_FFFF)", "-1"),
            Arguments.of("id(18446744073709551615)", "-1"),
            Arguments.of("id(-0x8000000000000000)", "-9223372036854775808"),
            Arguments.of("id(+5)", "5"),
            Arguments.of("id(1_000)", "1000"),
            Arguments.of("id( -5 )", "-5"),
            Arguments.of("id8(-128)", "-128"),
            Arguments.of("id8(255)", "-1"),
            Arguments.of("id8(0xff)", "-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodArguments")
    void integerArgumentsCoverTheFull64BitRange(String call, String printed) throws Exception {
        String[] r = run("run", file("ids.clif", ID + ID8).toString(), "--invoke", call);
        assertEquals("0", r[0], r[2]);
        assertEquals(printed, r[1].trim());
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
            Arguments.of("id(--5)", "not an integer: '--5'"),
            Arguments.of("id(+-5)", "not an integer"),
            Arguments.of("id(-9223372036854775809)", "does not fit in 64 bits"),
            Arguments.of("id(18446744073709551616)", "does not fit in 64 bits"),
            Arguments.of("id(-0xFFFFFFFFFFFFFFFF)", "does not fit in 64 bits"),
            Arguments.of("id(0x)", "not an integer"),
            Arguments.of("id(_1)", "not an integer"),
            Arguments.of("id(1_)", "not an integer"),
            Arguments.of("id(1e3)", "not an integer"),
            Arguments.of("id(1,)", "empty argument"),
            Arguments.of("id(,)", "empty argument"),
            Arguments.of("id(5 5)", "not an integer"),
            Arguments.of("id8(256)", "argument 1 of %id8, 256, does not fit in i8"),
            Arguments.of("id8(-129)", "does not fit in i8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void integerArgumentsAreParsedStrictly(String call, String mentions) throws Exception {
        assertBadInput(run("run", file("ids.clif", ID + ID8).toString(), "--invoke", call), mentions);
    }

    // ---------------------------------------------------------------- output

    @Test
    void aFlameGraphThatCannotBeWrittenExitsNonZero() throws Exception {
        String f = file("id.clif", ID).toString();
        // Found before the guest runs: a directory, a parent that is not a directory.
        String[] r = run("run", f, "--invoke", "id(3)", "--flamegraph", dir.toString());
        assertBadInput(r, "cannot write --flamegraph " + dir + ": is a directory");
        assertEquals("", r[1], "nothing ran");
        Path notDir = file("plain.txt", "x");
        assertBadInput(run("run", f, "--invoke", "id(3)", "--flamegraph", notDir.resolve("out.html").toString()), "no such directory");
        // Found when writing: /dev/full accepts the open and fails the write.
        r = run("run", f, "--invoke", "id(3)", "--flamegraph", "/dev/full");
        assertEquals("2", r[0], r[1] + r[2]);
        assertEquals("3", r[1].trim(), "the result is still printed");
        assertTrue(r[2].contains("patchbay: cannot write --flamegraph /dev/full: "), r[2]);
        assertFalse(r[2].contains("\tat "), r[2]);
    }

    @Test
    void benchJsonThatCannotBeWrittenExitsNonZero() throws Exception {
        assertBadInput(run("bench", "--suite", "calls", "--quick", "--json", dir.toString()), "cannot write --json " + dir + ": is a directory");
        assertBadInput(run("bench", "--suite", "epoch", "--quick", "--plot", dir.resolve("nodir").resolve("p.png").toString()), "no such directory");
    }

    @Test
    void standardOutputThatCannotBeWrittenExitsNonZero() throws Exception {
        Path f = file("id.clif", ID);
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(new OutputStream() {
                @Override public void write(int b) throws IOException {
                    throw new IOException("No space left on device");
                }
            }, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.execute("compile", f.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertEquals(2, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("patchbay: cannot write standard output"), err.toString(StandardCharsets.UTF_8));
    }
}
