package dev.patchbay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** `patchbay run PROG.wasm [-- ARGS]`: WASI commands under the CLI, with their exit codes. */
class WasiRunCliTest {
    static final Path EXAMPLES = Path.of("..", "examples", "wasm");

    /** Exits with argc + the length of argv[2], so the arguments after -- are seen in order. */
    static final String ARGS = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func $strlen (param $p i32) (result i32) (local $n i32)
            (block $done (loop $next
              (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $next)))
            (local.get $n))
          (func (export "_start")
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (drop (call $get (i32.const 16) (i32.const 256)))
            (call $exit (i32.add (i32.load (i32.const 0)) (call $strlen (i32.load (i32.const 24)))))))
        """;

    static final String SPIN = """
        (module
          (memory (export "memory") 1)
          (func $spin (loop $l (br $l)))
          (func (export "_start") (call $spin)))
        """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"integers", "floats", "allocs", "demo"})
    void aCProgramPrintsWhatGccsBuildPrints(String name) throws Exception {
        String[] r = CliBadInputTest.run("run", EXAMPLES.resolve(name + ".wasm").toString());
        assertEquals("0", r[0], r[2]);
        assertEquals(Files.readString(EXAMPLES.resolve(name + ".expected")), r[1]);
    }

    @Test
    void argumentsAfterTheDoubleDashAreArgvAndProcExitIsTheExitCode(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("args.wasm");
        Files.write(f, Wat.wasm(ARGS));
        String[] r = CliBadInputTest.run("run", f.toString(), "--", "one", "seven77");
        assertEquals(String.valueOf(3 + 7), r[0], r[2]);
    }

    @Test
    void aRunawayCommandIsStoppedByTheTimeoutWithItsBacktrace(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("spin.wasm");
        Files.write(f, Wat.wasm(SPIN));
        String[] r = CliBadInputTest.run("run", "--timeout", "200ms", f.toString());
        assertEquals("3", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("interrupt") && r[2].contains("spin"), r[2]);
    }

    @Test
    void theTimeoutCountsFromTheGuestsStartNotFromBeforeItsCompilation() throws Exception {
        // Compiling demo.wasm's 160 kB takes far longer than 30 ms in a fresh JVM; its run
        // (sleep(0)) takes a few. A deadline set before compiling expired before _start.
        String[] r = CliBadInputTest.run("run", "--timeout", "30ms", EXAMPLES.resolve("demo.wasm").toString(), "--", "--sleep", "0");
        assertEquals("0", r[0], r[1] + r[2]);
        assertEquals("sleeping 0 s\nwoke up, 0 s left\n", r[1]);
    }

    @Test
    void aCommandBlockedInSleepIsInterruptedByTheTimeoutInsideTheHostcall() throws Exception {
        long t0 = System.nanoTime();
        String[] r = CliBadInputTest.run("run", "--timeout", "300ms", EXAMPLES.resolve("demo.wasm").toString(), "--", "--sleep", "600");
        assertEquals("3", r[0], r[1] + r[2]);
        assertTrue(System.nanoTime() - t0 < 120_000_000_000L, "woke long before the 600 s sleep ended");
        assertEquals("sleeping 600 s\n", r[1], "main ran, then slept in poll_oneoff");
        // The backtrace starts in the guest function that called the import, under main.
        assertTrue(r[2].contains("trap: interrupted (interrupt)") && r[2].contains("_main+") && r[2].contains("_sleep+"), r[2]);
    }

    @Test
    void aCommandIsProfiledLiveAndDrawnAsAFlameGraph(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("flame.html");
        // demo.wasm runs its guest for over 100 ms, so a 1 ms sampler takes many samples on any
        // machine. recursion.wasm, used here before, ran in about 2 ms: on a fast machine its
        // run could end before the first sample, and the flame graph was empty.
        String[] r = CliBadInputTest.run("run", "--profile", "--flamegraph", html.toString(), EXAMPLES.resolve("demo.wasm").toString());
        assertEquals("0", r[0], r[2]);
        String expected = Files.readString(EXAMPLES.resolve("demo.expected"));
        assertTrue(r[1].startsWith(expected), "the program's own output comes first, unchanged:\n" + r[1]);
        // Then the table, which names the name section's functions (f<index>_<name>): the C's own.
        String table = r[1].substring(expected.length());
        assertTrue(table.contains("_count_primes") && table.contains("_collatz_len"), table);
        java.util.regex.Matcher samples = java.util.regex.Pattern.compile("samples: (\\d+) ").matcher(r[2]);
        assertTrue(samples.find() && Integer.parseInt(samples.group(1)) >= 10, "a 1 ms sampler over 100 ms of guest: " + r[2]);
        String page = Files.readString(html);
        // Every sampled stack starts in the command's entry, _start, under the C's main.
        assertTrue(page.contains("_start") && page.contains("_main"), "the flame graph shows the guest's functions");
    }

    @Test
    void anExportIsProfiledToo() {
        String[] r = CliBadInputTest.run("run", "--profile", "../benchmarks/src/main/resources/kernels/wasm/fib.wasm", "--invoke", "kernel(20)");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("6765\n"), r[1]);
        assertTrue(r[1].contains("21891") || r[1].contains("21,891"), "fib(20) makes 21,891 calls, each counted: " + r[1]);
    }

    @Test
    void aBadCommandIsBadInputWithTheByteOffsetOrTheMissingImport(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.wasm");
        Files.write(junk, new byte[] {0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60});
        String[] r = CliBadInputTest.run("run", junk.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].startsWith(junk + ": error:") && r[2].contains("offset"), r[2]);
        Path sock = dir.resolve("sock.wasm");
        Files.write(sock, Wat.wasm("""
            (module
              (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "_start")))
            """));
        String[] u = CliBadInputTest.run("run", sock.toString());
        assertEquals("2", u[0], u[2]);
        assertTrue(u[2].contains("sock_accept"), "names the import WASI does not provide: " + u[2]);
        Path noStart = dir.resolve("nostart.wasm");
        Files.write(noStart, Wat.wasm("(module (memory (export \"memory\") 1))"));
        String[] n = CliBadInputTest.run("run", noStart.toString());
        assertEquals("2", n[0], n[2]);
        assertTrue(n[2].contains("_start"), "says there is no _start: " + n[2]);
    }

    @Test
    void aClifFileStillNeedsInvoke() {
        String[] r = CliBadInputTest.run("run", "../examples/fib.clif");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--invoke is required for a CLIF file"), r[2]);
    }
}
