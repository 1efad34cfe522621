// Problem: an encoder can only be trusted if its bytes mean what we think, and writing expected
// byte strings by hand just repeats the encoder's own assumptions.
// Approach: assemble a whole batch of instructions into one buffer while recording, per
// instruction, its start/end and the Intel-syntax text we expect; then let GNU objdump decode the
// buffer and require identical instruction boundaries and identical (whitespace-normalised) text.
// One objdump run per batch keeps thousands of checks cheap. Expected text may depend on where the
// instruction ended up or where a label was bound, so it is produced lazily at verify time.
package dev.patchbay.codegen.isa.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class ObjdumpHarness {
    /** Expected text of an instruction that occupies [start, end). */
    interface Text {
        String at(int start, int end);
    }

    private record Expect(int start, int end, Text text, int expectedLen, boolean nops) {}

    private record Decoded(int offset, int length, String text, String line) {}

    private static final Pattern LINE =
            Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )+)\\s*(?:\\t(.*))?$");

    /** Distinct instruction shapes (mnemonic + operand kinds) checked by any harness in this JVM. */
    static final Set<String> SHAPES = Collections.synchronizedSet(new LinkedHashSet<>());

    final CodeBuffer buf = new CodeBuffer();
    final Assembler asm = new Assembler(buf);
    /** Bound at offset 0, before any instruction: RIP-relative and branch targets behind the code. */
    final Label back = buf.newLabel();
    /** Bound after the last instruction, in verify(): targets ahead of every use. */
    final Label ahead = buf.newLabel();
    private final List<Expect> expects = new ArrayList<>();

    ObjdumpHarness() {
        buf.bind(back);
    }

    static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "objdump"))) {
                return true;
            }
        }
        return false;
    }

    void expect(String text, Consumer<Assembler> emit) {
        expectAt((s, e) -> text, -1, emit);
    }

    void expect(String text, int expectedLen, Consumer<Assembler> emit) {
        expectAt((s, e) -> text, expectedLen, emit);
    }

    void expectAt(Text text, Consumer<Assembler> emit) {
        expectAt(text, -1, emit);
    }

    void expectAt(Text text, int expectedLen, Consumer<Assembler> emit) {
        int start = buf.offset();
        emit.accept(asm);
        if (buf.offset() == start) {
            throw new IllegalStateException("emitter produced no bytes for expectation #" + expects.size());
        }
        expects.add(new Expect(start, buf.offset(), text, expectedLen, false));
    }

    /** The bytes emitted must decode as one or more NOP instructions that tile the region exactly. */
    void expectNops(Consumer<Assembler> emit) {
        int start = buf.offset();
        emit.accept(asm);
        if (buf.offset() > start) {
            expects.add(new Expect(start, buf.offset(), null, -1, true));
        }
    }

    int size() {
        return buf.offset();
    }

    /** Decodes the batch with objdump and fails on the first 40 disagreements; returns instructions checked. */
    int verify() throws IOException, InterruptedException {
        buf.bind(ahead);
        buf.finish();
        byte[] code = buf.bytes();
        Map<Integer, Decoded> decoded = objdump(code);
        List<String> problems = new ArrayList<>();
        int expectedStart = 0;
        int checked = 0;
        for (Expect x : expects) {
            if (x.start() != expectedStart) {
                problems.add("expectations are not contiguous at offset " + hex(x.start()));
            }
            expectedStart = x.end();
            if (x.nops()) {
                checked += checkNops(x, decoded, code, problems);
                continue;
            }
            checked++;
            String want = normalize(x.text().at(x.start(), x.end()));
            SHAPES.add(shape(want));
            Decoded d = decoded.get(x.start());
            String ours = bytesHex(code, x.start(), x.end());
            if (d == null) {
                problems.add("at " + hex(x.start()) + ": objdump has no instruction boundary here; expected '"
                        + want + "' bytes [" + ours + "]");
            } else if (d.length() != x.end() - x.start() || !d.text().equals(want)) {
                problems.add("at " + hex(x.start()) + ": expected '" + want + "' (" + (x.end() - x.start())
                        + " bytes [" + ours + "]) but objdump decoded '" + d.text() + "' (" + d.length()
                        + " bytes)");
            } else if (x.expectedLen() >= 0 && x.expectedLen() != d.length()) {
                problems.add("at " + hex(x.start()) + ": '" + want + "' is " + d.length()
                        + " bytes [" + ours + "] but the shortest encoding is " + x.expectedLen());
            }
            if (problems.size() >= 40) {
                break;
            }
        }
        if (problems.isEmpty()) {
            assertEquals(code.length, expectedStart, "expectations must cover the whole buffer");
        } else {
            fail(problems.size() + " mismatch(es) against objdump:\n  " + String.join("\n  ", problems));
        }
        return checked;
    }

    private static int checkNops(Expect x, Map<Integer, Decoded> decoded, byte[] code, List<String> problems) {
        int at = x.start();
        int count = 0;
        while (at < x.end()) {
            Decoded d = decoded.get(at);
            if (d == null || !isNop(d.text())) {
                problems.add("at " + hex(at) + ": expected a NOP in padding [" + bytesHex(code, x.start(), x.end())
                        + "] but objdump decoded " + (d == null ? "no boundary" : "'" + d.text() + "'"));
                return count;
            }
            SHAPES.add("nop" + d.length());
            at += d.length();
            count++;
        }
        if (at != x.end()) {
            problems.add("NOP padding [" + hex(x.start()) + ", " + hex(x.end()) + ") overruns to " + hex(at));
        }
        return count;
    }

    static boolean isNop(String text) {
        return text.equals("nop") || text.startsWith("nop ") || text.equals("xchg ax,ax")
                || text.startsWith("data16") || text.startsWith("cs nop");
    }

    private static Map<Integer, Decoded> objdump(byte[] code) throws IOException, InterruptedException {
        Path file = Files.createTempFile("patchbay-x64-", ".bin");
        try {
            Files.write(file, code);
            ProcessBuilder pb = new ProcessBuilder("objdump", "-D", "-z", "-b", "binary", "-m", "i386:x86-64",
                    "-M", "intel", "--insn-width=16", file.toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("objdump failed:\n" + new String(out, StandardCharsets.UTF_8));
            }
            Map<Integer, Decoded> result = new TreeMap<>();
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    int off = Integer.parseInt(m.group(1), 16);
                    int len = m.group(2).trim().split(" ").length;
                    String text = m.group(3) == null ? "" : normalize(m.group(3));
                    result.put(off, new Decoded(off, len, text, line));
                }
            }
            return result;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static String normalize(String s) {
        return s.trim().replaceAll("\\s+", " ");
    }

    private static final Map<String, String> REG_CLASS = new HashMap<>();

    static {
        for (Gpr g : Gpr.values()) {
            for (int size : new int[] {1, 2, 4, 8}) {
                REG_CLASS.put(g.name(size), "r" + 8 * size);
            }
        }
    }

    /** "add QWORD PTR [rax+0x8],0x1" becomes "add QWORD PTR m,imm": one entry per operand shape. */
    static String shape(String text) {
        String s = text.replaceAll(" # 0x[0-9a-f]+$", "")
                .replaceAll("\\[[^\\]]*\\]", "m")
                .replaceAll("0x[0-9a-f]+", "imm");
        StringBuilder sb = new StringBuilder();
        for (String tok : s.split("(?<=[ ,])|(?=[ ,])")) {
            sb.append(REG_CLASS.getOrDefault(tok, tok));
        }
        return sb.toString();
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String bytesHex(byte[] code, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", code[i] & 0xFF));
        }
        return sb.toString();
    }
}
