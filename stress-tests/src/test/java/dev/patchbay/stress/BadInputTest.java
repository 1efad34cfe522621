/*
 * Suite 4, bad input. Every case runs with a hang guard (Cases) and must end in a clear
 * error (file:line:col parse errors, verifier errors, compile errors), or compile; code
 * that compiles is run, and must return or trap, never crash.
 *  - a mutated corpus: truncations, bit flips, byte replacements, deletions, duplications
 *    and splices of valid files (Cranelift's run tests, the suites' guests, generated
 *    programs), through the library and, for a sample, through `patchbay compile`;
 *  - generated programs that are valid (compiled in five variants that must agree) or
 *    well-formed but invalid IR (each defect must be refused);
 *  - files that are not UTF-8, through `patchbay compile`: exit 2 and the exact line,
 *    column, byte and offset, checked against an independent UTF-8 validator;
 *  - a function of 100,000 instructions, in three shapes, compiled and run in a child
 *    JVM with a 256 MiB heap, and refused with a clear error above a set limit.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.codegen.CompileException;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.EpochTicker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

@SuppressWarnings("try") // tickers run for the length of a try block without being referenced
class BadInputTest {
    @TempDir
    Path dir;

    /** Valid files to mutate: Cranelift's run tests (if ../shared is there), the suites' guests, generated programs. */
    static List<byte[]> seeds(SplittableRandom rnd) throws IOException {
        List<byte[]> out = new ArrayList<>();
        Path corpus = corpusDir();
        if (corpus != null) {
            try (Stream<Path> s = Files.list(corpus)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".clif")).sorted().collect(Collectors.toList())) out.add(Files.readAllBytes(p));
            }
        } else {
            System.out.println("[stress] shared/clif-runtests not found; mutating the suites' own programs only");
        }
        for (String t : new String[] {Guests.LOOPS, Guests.TRAPS, Guests.HOST}) out.add(t.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 20; i++) out.add(ClifGen.module(rnd).render().getBytes(StandardCharsets.UTF_8));
        return out;
    }

    static Path corpusDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolve("shared").resolve("clif-runtests");
            if (Files.isDirectory(c)) return c;
        }
        return null;
    }

    static final String[] TOKENS = {",", "(", ")", "[", "]", "{", "}", ":", "=", "->", " v", " block", "%", ".i8", ".i64", "\n", ";",
        " iconst", " call", " return", " jump", " brif", " fn0", " ss0", " 0x", "-", "99999999999999999999999", "\t", "\r\n", "\u00e9",
        "\u0000", "function %x() {\n", "\ufffd"};

    static byte[] mutate(byte[] src, SplittableRandom rnd, List<byte[]> others) {
        byte[] b = src.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(7)) {
                case 0:
                    b = java.util.Arrays.copyOf(b, at);                  // truncation
                    break;
                case 1:
                    b[at] ^= (byte) (1 << rnd.nextInt(8));               // bit flip
                    break;
                case 2:
                    b[at] = (byte) rnd.nextInt(256);                     // random byte
                    break;
                case 3: {                                                // deletion
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(20));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                    break;
                }
                case 4: {                                                // duplication
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(40));
                    b = insert(b, rnd.nextInt(b.length + 1), java.util.Arrays.copyOfRange(b, at, at + len));
                    break;
                }
                case 5: {                                                // splice with another file
                    byte[] o = others.get(rnd.nextInt(others.size()));
                    int from = rnd.nextInt(o.length + 1);
                    byte[] c = java.util.Arrays.copyOf(b, at + o.length - from);
                    System.arraycopy(o, from, c, at, o.length - from);
                    b = c;
                    break;
                }
                default:                                                 // a token
                    b = insert(b, at, TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
            }
        }
        return b;
    }

    static byte[] insert(byte[] b, int at, byte[] ins) {
        byte[] c = new byte[b.length + ins.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(ins, 0, c, at, ins.length);
        System.arraycopy(b, at, c, at + ins.length, b.length - at);
        return c;
    }

    static Engine runEngine() { return new Engine(new EngineConfig().epochInterruption(true)); }

    @Test
    void mutatedCorpusFailsCleanly() throws Exception {
        Run run = Run.start("BadInput.mutatedCorpus", Duration.ofSeconds(4), 0.05);
        SplittableRandom rnd = run.random(0);
        List<byte[]> seeds = seeds(run.random(1));
        long runs = 0, cases = 0;
        try (Cases cases0 = new Cases(run); Engine engine = runEngine(); EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Runner runner = new Runner(engine, run);
            while (run.timeLeft()) {
                int si = rnd.nextInt(seeds.size());
                byte[] m = mutate(seeds.get(si), rnd, seeds);
                String text = new String(m, StandardCharsets.UTF_8); // what an embedder holding bytes gets
                String what = "mutation " + cases + " of seed file " + si;
                Cases.Outcome o = cases0.compile("m.clif", text, what);
                if (o.kind == Cases.Kind.COMPILED) {
                    runs += cases0.guarded(what + " (running it)", () -> runner.runSurvivor(o.module, o.file.functions(), rnd));
                }
                cases++;
            }
            assertTrue(cases0.counts.containsKey("PARSE_ERROR") && cases0.counts.containsKey("COMPILED"),
                run.msg("mutations were varied: " + cases0.counts));
            Stats.engineDone(engine);
            Stats.GUEST_CALLS.add(runs);
            Stats.line(run.name, String.format("%,d cases from %d seed files: %s; %,d calls of compiled survivors", cases, seeds.size(),
                cases0.counts, runs));
        }
    }

    @Test
    void generatedInvalidIrIsRefusedAndValidIrAgreesAcrossVariants() throws Exception {
        Run run = Run.start("BadInput.generatedIr", Duration.ofSeconds(4), 0.05);
        SplittableRandom rnd = run.random(0);
        ClifGen.Defect[] defects = ClifGen.Defect.values();
        long cases = 0, calls = 0, skipped = 0, withStackSlots = 0;
        java.util.Map<String, String> perDefect = new java.util.TreeMap<>();
        try (Cases c = new Cases(run); Engine engine = runEngine(); EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Runner runner = new Runner(engine, run);
            while (run.timeLeft()) {
                ClifGen.Defect d = defects[(int) (cases % defects.length)];
                ClifGen g = ClifGen.module(rnd);
                String desc = g.inject(d);
                cases++;
                if (desc == null) {
                    skipped++;
                    continue;
                }
                String text = g.render();
                String what = "generated module with defect " + d + ": " + desc;
                Cases.Outcome o = c.compile("gen.clif", text, what);
                perDefect.merge(d.name(), o.kind.name(), (a, b) -> a.contains(b) ? a : a + "|" + b);
                if (d.invalid) {
                    c.check(o.kind != Cases.Kind.COMPILED, "invalid IR was accepted", what, text);
                } else if (d == ClifGen.Defect.NONE) {
                    c.check(o.kind == Cases.Kind.COMPILED, "a valid generated module was refused: " + o.message, what, text);
                    calls += c.guarded(what + " (running every variant)", () -> runner.differential("gen.clif", text, rnd));
                    if (text.contains("stack_store")) withStackSlots++;
                } else if (o.kind == Cases.Kind.COMPILED) {
                    calls += c.guarded(what + " (running it)", () -> runner.runSurvivor(o.module, o.file.functions(), rnd));
                }
            }
            assertTrue(withStackSlots > 0, run.msg("valid modules with stack_store and stack_load ran in every variant"));
            Stats.engineDone(engine);
            Stats.GUEST_CALLS.add(calls);
            Stats.line(run.name, String.format("%,d generated modules (%,d without a place for their defect), outcomes by defect %s; "
                + "%,d calls agreeing across no/idle/on/CHECK/FUEL sites, %,d of the valid modules with stack slots", cases, skipped,
                perDefect, calls, withStackSlots));
        }
    }

    // ---------------------------------------------------------------- through the CLI

    /** Runs `patchbay` in-process, capturing its output: {exit, stdout, stderr}. */
    static String[] cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = dev.patchbay.cli.Main.execute(args);
            return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** An independent UTF-8 validator (RFC 3629): the offset of the first byte that is not UTF-8, or -1. */
    static int firstInvalid(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int need, lo = 0x80, hi = 0xBF;
            if (c < 0x80) {
                i++;
                continue;
            } else if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) lo = 0xA0;       // no overlong forms
                if (c == 0xED) hi = 0x9F;       // no surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) lo = 0x90;       // no overlong forms
                if (c == 0xF4) hi = 0x8F;       // nothing past U+10FFFF
            } else {
                return i;
            }
            for (int k = 1; k <= need; k++) {
                if (i + k >= b.length) return i;
                int x = b[i + k] & 0xFF;
                if (x < (k == 1 ? lo : 0x80) || x > (k == 1 ? hi : 0xBF)) return i;
            }
            i += need + 1;
        }
        return -1;
    }

    static final byte[][] NOT_UTF8 = {
        {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xC1, (byte) 0x81}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFE},
        {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC3}, {(byte) 0xE9, 'x'}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
    };

    @Test
    void filesThatAreNotUtf8GetTheirExactLocation() throws Exception {
        Run run = Run.start("BadInput.notUtf8", Duration.ofMillis(1500), 0.02);
        SplittableRandom rnd = run.random(0);
        List<byte[]> seeds = seeds(run.random(1));
        long n = 0;
        try (Cases c = new Cases(run)) {
            while (run.timeLeft() || n < NOT_UTF8.length) {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                byte[] bad = NOT_UTF8[(int) (n % NOT_UTF8.length)];
                byte[] file = insert(seed, rnd.nextInt(seed.length + 1), bad);
                if (rnd.nextInt(4) == 0) file = insert(file, rnd.nextInt(file.length + 1), "é€😀".getBytes(StandardCharsets.UTF_8));
                int off = firstInvalid(file);
                assertTrue(off >= 0, run.msg("the validator sees the inserted bytes"));
                int line = 1, col = 1;
                for (int i = 0; i < off; i++) {
                    if (file[i] == '\n') {
                        line++;
                        col = 1;
                    } else if ((file[i] & 0xC0) != 0x80) {
                        col++;
                    }
                }
                Path p = dir.resolve("bad" + (n % 8) + ".clif");
                Files.write(p, file);
                String want = String.format("%s:%d:%d: error: file is not valid UTF-8 (byte 0x%x at offset %d)", p, line, col, file[off] & 0xFF, off);
                String what = "not UTF-8 (" + Guests.hex(bad) + ") at offset " + off;
                String[] r = c.guarded(what, () -> cli("compile", "--json", p.toString()));
                c.check(r[0].equals("2") && r[2].trim().equals(want), "expected exit 2 and\n" + want + "\ngot exit " + r[0] + " and\n" + r[2],
                    what, new String(file, StandardCharsets.ISO_8859_1));
                // An embedder that decodes leniently gets a parse error (or a clean outcome), never a crash.
                c.compile("lenient.clif", new String(file, StandardCharsets.UTF_8), what + " (decoded leniently)");
                n++;
                Stats.BAD_INPUT_CASES.increment();
                Stats.OPS.increment();
            }
            Stats.line(run.name, String.format("%,d files that are not UTF-8 (%d kinds of invalid sequence): exit 2 with the exact "
                + "line:col, byte and offset; leniently decoded: %s", n, NOT_UTF8.length, c.counts));
        }
    }

    @Test
    void mutatedFilesThroughTheCli() throws Exception {
        Run run = Run.start("BadInput.cli", Duration.ofSeconds(2), 0.03);
        SplittableRandom rnd = run.random(0);
        List<byte[]> seeds = seeds(run.random(1));
        long n = 0, ok = 0, bad = 0;
        try (Cases c = new Cases(run)) {
            while (run.timeLeft()) {
                byte[] m = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd, seeds);
                Path p = dir.resolve("m" + (n % 8) + ".clif");
                Files.write(p, m);
                String what = "CLI case " + n;
                String[] r = c.guarded(what, () -> cli("compile", "--json", p.toString()));
                String text = new String(m, StandardCharsets.ISO_8859_1);
                c.check(r[0].equals("0") || r[0].equals("2"), "exit " + r[0] + " (0 or 2 expected)\n" + r[2], what, text);
                c.check(!r[2].contains("internal error") && !r[2].contains("\tat ") && !r[2].contains("Exception"),
                    "a Java exception reached the user:\n" + r[2], what, text);
                if (r[0].equals("2")) {
                    c.check(r[2].lines().anyMatch(l -> l.startsWith(p + ":") && l.contains("error: ")),
                        "no file:line:col: error: line in\n" + r[2], what, text);
                    bad++;
                } else {
                    ok++;
                }
                n++;
                Stats.BAD_INPUT_CASES.increment();
                Stats.OPS.increment();
            }
        }
        Stats.line(run.name, String.format("%,d mutated files through `patchbay compile`: %,d compiled, %,d refused with exit 2", n, ok, bad));
    }

    // ---------------------------------------------------------------- a huge function

    @Test
    void hugeFunctionsCompileWithinBoundedMemory() throws Exception {
        Run run = Run.start("BadInput.huge", Duration.ofSeconds(1), 0.001);
        String[] shapes = {"chain", "blocks", "pressure"};
        ChildJvm.Result r = ChildJvm.run(ChildJvm.currentJava(), false, dir, Duration.ofSeconds(240), List.of("-Xmx256m", "-Xss8m"),
            HugeMain.class, String.join(",", shapes), "100000");
        assertFalse(r.timedOut, run.msg("compiled within the hang guard: " + r));
        assertTrue(r.hsErr.isEmpty(), run.msg("no hs_err: " + r));
        assertEquals(0, r.exit, run.msg("the child compiled and ran them within a 256 MiB heap: " + r));
        assertEquals("1", r.get("done"), run.msg(r.toString()));
        for (String shape : shapes) {
            String k = shape + ".";
            assertTrue(Integer.parseInt(r.get(k + "instructions")) >= 100_000, run.msg(r.toString()));
            assertEquals(r.get(k + "expected"), r.get(k + "result"), run.msg("the huge " + shape + " function computes its closed form: " + r));
            Stats.OPS.increment();
            Stats.BAD_INPUT_CASES.increment();
            Stats.line(run.name + "[" + shape + "]", String.format("%s instructions (%s KiB of CLIF) parsed in %s ms, compiled in %s ms to "
                    + "%s KiB, heap peak %s MiB of %s MiB, result correct", r.get(k + "instructions"),
                Integer.parseInt(r.get(k + "text-bytes")) / 1024, r.get(k + "parse-ms"), r.get(k + "compile-ms"),
                Integer.parseInt(r.get(k + "code-bytes")) / 1024, r.get(k + "heap-peak-mb"), r.get(k + "max-heap-mb")));
        }
    }

    @Test
    void functionsOverTheLimitAreRefusedWithAClearError() {
        String text = HugeMain.shape("chain", 100_000).text;
        CompileException e = assertThrows(CompileException.class, () -> Compiler.compile(ClifParser.parse("big.clif", text).functions(),
            CompileOptions.builder().maxInstsPerFunction(50_000).build()));
        assertTrue(e.getMessage().matches("function %big has \\d+ instructions, over the limit of 50000"), e.getMessage());
        Stats.OPS.increment();
        Stats.BAD_INPUT_CASES.increment();
    }
}
