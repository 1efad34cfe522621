/*
 * Bad input through the CLI: each case exits with code 2 and prints exactly one
 * `file:line:col: error: message` diagnostic (plus nothing that looks like a Java stack
 * trace). Covers syntax errors, undefined values, type mismatches, a missing terminator,
 * a duplicate block, wrong argument counts, an unknown opcode, and non-UTF-8 input.
 */
package dev.patchbay.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliBadInputTest {
    @TempDir
    Path dir;

    /** Runs the CLI in-process, capturing stdout and stderr. */
    static String[] run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("syntax", "function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0 v0\n    return v1\n}\n", 3, "expected"),
            Arguments.of("undefined-value", "function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v9\n    return v1\n}\n", 3, "v9"),
            Arguments.of("type-mismatch", "function %f(i32, i64) -> i32 {\nblock0(v0: i32, v1: i64):\n    v2 = iadd v0, v1\n    return v2\n}\n", 3, "i64"),
            Arguments.of("missing-terminator", "function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n}\n", 2, "terminator"),
            Arguments.of("duplicate-block", "function %f(i32) -> i32 {\nblock0(v0: i32):\n    jump block1\nblock1:\n    return v0\nblock1:\n    return v0\n}\n", 6, "block1"),
            Arguments.of("wrong-arg-count", "function %g(i32) -> i32 {\nblock0(v0: i32):\n    return v0\n}\nfunction %f(i32) -> i32 {\n    fn0 = %g(i32) -> i32\nblock0(v0: i32):\n    v1 = call fn0(v0, v0)\n    return v1\n}\n", 8, "argument"),
            Arguments.of("unknown-opcode", "function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iaddd v0, v0\n    return v1\n}\n", 3, "iaddd"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGetsFileLineColErrorAndExit2(String name, String text, int line, String mentions) throws Exception {
        Path f = dir.resolve(name + ".clif");
        Files.writeString(f, text);
        for (String cmd : new String[] {"compile", "test"}) {
            String[] r = run(cmd, f.toString());
            String output = r[1] + r[2];
            if (cmd.equals("compile")) assertEquals("2", r[0], output);
            else assertEquals("1", r[0], output);
            assertTrue(output.contains(f + ":" + line + ":"), "expected " + f + ":" + line + ": in\n" + output);
            assertTrue(output.matches("(?s).*" + java.util.regex.Pattern.quote(f.toString()) + ":\\d+:\\d+: error: .*"), output);
            assertTrue(output.contains(mentions), "expected the message to mention '" + mentions + "':\n" + output);
            assertFalse(output.contains("\tat "), "no Java stack trace:\n" + output);
            assertFalse(output.contains("Exception"), "no exception names:\n" + output);
        }
    }

    @Test
    void notUtf8() throws Exception {
        Path f = dir.resolve("latin1.clif");
        Files.write(f, new byte[] {'f', 'u', 'n', '\n', 'x', (byte) 0xE9, 'y', '\n'});
        String[] r = run("compile", f.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains(f + ":2:2: error: file is not valid UTF-8"), r[2]);
    }

    /**
     * Regression (stress suite, bad input: the not-UTF-8 corpus): sequences whose lead
     * byte is plausible but which UTF-8 still forbids (surrogates, overlong forms, code
     * points past U+10FFFF) were reported at the last byte of the file instead of where
     * they are.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSequences")
    void notUtf8IsReportedWhereItIs(String name, byte[] bad) throws Exception {
        byte[] pre = "function %f() {\nblock0:\n    ret".getBytes(StandardCharsets.US_ASCII);
        byte[] post = "urn\n}\n; and more text after it\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[pre.length + bad.length + post.length];
        System.arraycopy(pre, 0, all, 0, pre.length);
        System.arraycopy(bad, 0, all, pre.length, bad.length);
        System.arraycopy(post, 0, all, pre.length + bad.length, post.length);
        Path f = dir.resolve(name + ".clif");
        Files.write(f, all);
        String[] r = run("compile", f.toString());
        assertEquals("2", r[0], r[2]);
        String want = String.format("%s:3:8: error: file is not valid UTF-8 (byte 0x%02x at offset %d)", f, bad[0] & 0xFF, pre.length);
        assertTrue(r[2].contains(want), "expected\n" + want + "\nin\n" + r[2]);
    }

    static Stream<Arguments> invalidSequences() {
        return Stream.of(
            Arguments.of("surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
            Arguments.of("overlong-3", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80}),
            Arguments.of("overlong-4", new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}),
            Arguments.of("past-10ffff", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
            Arguments.of("overlong-2", new byte[] {(byte) 0xC0, (byte) 0xAF}),
            Arguments.of("lone-continuation", new byte[] {(byte) 0x80}),
            Arguments.of("truncated", new byte[] {(byte) 0xE2, (byte) 0x82}));
    }

    @Test
    void missingFile() {
        String[] r = run("compile", dir.resolve("nope.clif").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("no such file"), r[2]);
    }

    @Test
    void runPrintsResultAndTrapExits3() throws Exception {
        Path f = dir.resolve("div.clif");
        Files.writeString(f, "function %div(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = sdiv v0, v1\n    return v2\n}\n");
        String[] ok = run("run", f.toString(), "--invoke", "div(7, 2)");
        assertEquals("0", ok[0], ok[2]);
        assertEquals("3", ok[1].trim());
        String[] trap = run("run", f.toString(), "--invoke", "div(7, 0)");
        assertEquals("3", trap[0], trap[1] + trap[2]);
        assertTrue(trap[2].contains("trap: int_divz"), trap[2]);
        assertTrue(trap[2].contains("#0 %div+0x"), trap[2]);
        String[] ovf = run("run", f.toString(), "--invoke", "div(-2147483648, -1)");
        assertEquals("3", ovf[0]);
        assertTrue(ovf[2].contains("trap: int_ovf"), ovf[2]);
    }

    @Test
    void compileJsonListsSites() throws Exception {
        Path f = dir.resolve("loop.clif");
        Files.writeString(f, "function %f(i64) -> i64 {\nblock0(v0: i64):\n    jump block1(v0)\nblock1(v1: i64):\n"
            + "    v2 = iadd_imm v1, -1\n    brif v2, block1(v2), block2\nblock2:\n    return v2\n}\n");
        String[] r = run("compile", "--json", "--instrument=epoch", f.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"kind\": \"epoch\""), r[1]);
        // Default (fused): the loop's back edge, a jmp rel32, is the site; on, it jumps to a stub.
        assertTrue(r[1].contains("\"off_bytes\": \"e9 "), r[1]);
        assertTrue(r[1].contains("\"on_bytes\": \"e9 "), r[1]);
        r = run("compile", "--json", "--instrument=epoch", "--epoch-mode=nop", f.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"off_bytes\": \"0f 1f 44 00 00\""), r[1]);
        assertTrue(r[1].contains("\"on_bytes\": \"e8 "), r[1]);
    }

    @Test
    void runTimeoutInterruptsARunawayLoop() throws Exception {
        Path f = dir.resolve("spin.clif");
        Files.writeString(f, "function %spin(i64) -> i64 {\nblock0(v0: i64):\n    jump block1(v0)\nblock1(v1: i64):\n"
            + "    v2 = iadd_imm v1, 1\n    brif v2, block1(v2), block2\nblock2:\n    return v2\n}\n");
        long t0 = System.nanoTime();
        String[] r = run("run", f.toString(), "--invoke", "spin(0)", "--timeout", "200ms");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("3", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("trap: interrupt"), r[2]);
        assertTrue(r[2].contains("#0 %spin+0x"), r[2]);
        assertTrue(ms >= 190, "not before the timeout: " + ms + " ms");
        String[] bad = run("run", f.toString(), "--invoke", "spin(0)", "--timeout", "soon");
        assertEquals("2", bad[0]);
        String[] noSites = run("run", f.toString(), "--invoke", "spin(0)", "--timeout", "50ms", "--instrument", "none");
        assertEquals("2", noSites[0]);
        assertTrue(noSites[2].contains("need epoch sites"), noSites[2]);
    }
}
