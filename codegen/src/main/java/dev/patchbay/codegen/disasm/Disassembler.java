/*
 * Annotated disassembly of a compiled module, for `patchbay compile --disasm` and the
 * compile tests. Decoding uses GNU objdump when it is on the PATH (running a tool is not
 * native access, and objdump is the reference our encoder is tested against); without
 * it, each function is printed as plain hex. Either way every line that starts a patch
 * site, a trap site or a call return is annotated, and functions are delimited with their
 * range and frame size.
 */
package dev.patchbay.codegen.disasm;

import dev.patchbay.codegen.machinst.CallSite;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.TrapSite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Prints a compiled module as annotated disassembly: every patch site, trap site and call return
 * marked, functions delimited. Uses GNU objdump when it is on the PATH and plain hex otherwise.
 */
public final class Disassembler {
    /** One decoded instruction. */
    public static final class Line {
        public final int offset;
        public final byte[] bytes;
        public final String text;

        Line(int offset, byte[] bytes, String text) {
            this.offset = offset;
            this.bytes = bytes;
            this.text = text;
        }
    }

    private Disassembler() {}

    /** True if objdump can be run. */
    public static boolean objdumpAvailable() {
        try {
            Process p = new ProcessBuilder("objdump", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Decodes code with objdump (Intel syntax); returns null if objdump is unavailable or fails. */
    public static List<Line> objdump(byte[] code) { return objdump(code, 0); }

    /** Decodes code that starts at module offset `base`; offsets in the result are module offsets. */
    public static List<Line> objdump(byte[] code, int base) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("patchbay-", ".bin");
            Files.write(tmp, code);
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel",
                "--insn-width=15", "--adjust-vma=0x" + Integer.toHexString(base), tmp.toString())
                .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return parse(out);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stale temp file is harmless
                }
            }
        }
    }

    static List<Line> parse(String out) {
        List<Line> lines = new ArrayList<>();
        for (String raw : out.split("\n")) {
            int colon = raw.indexOf(':');
            if (colon < 0 || !raw.startsWith(" ")) continue;
            String off = raw.substring(0, colon).trim();
            if (!off.matches("[0-9a-f]+")) continue;
            String[] parts = raw.substring(colon + 1).split("\t");
            if (parts.length < 2) continue;
            String[] hex = parts[1].trim().split("\\s+");
            byte[] bytes = new byte[hex.length];
            for (int i = 0; i < hex.length; i++) bytes[i] = (byte) Integer.parseInt(hex[i], 16);
            String text = parts.length > 2 ? parts[2].replaceAll("\\s+", " ").trim() : "(bad)";
            lines.add(new Line(Integer.parseInt(off, 16), bytes, text));
        }
        return lines;
    }

    /**
     * The annotated listing of every function in the module. Each function's instructions
     * are decoded on their own, so data (jump tables) can never desynchronise decoding;
     * the data is printed as 32-bit words.
     */
    public static String format(CompiledModule m) {
        byte[] code = m.code();
        boolean haveObjdump = objdumpAvailable();
        Map<Integer, List<String>> notes = annotations(m);
        StringBuilder sb = new StringBuilder();
        sb.append("; ").append(m.functions.size()).append(" functions, ").append(m.codeSize()).append(" bytes, ")
            .append(m.patchSites.size()).append(" patch sites, ").append(m.trapSites.size()).append(" trap sites")
            .append(haveObjdump ? "" : " (objdump not found: hex only)").append('\n');
        for (FunctionInfo f : m.functions) {
            sb.append('\n').append("function %").append(f.name).append(f.signature)
                .append("  ; [0x").append(Integer.toHexString(f.start)).append(", 0x").append(Integer.toHexString(f.end))
                .append("), ").append(f.size()).append(" bytes, frame ").append(f.frameSize).append('\n');
            List<Line> decoded = haveObjdump ? objdump(Arrays.copyOfRange(code, f.start, f.codeEnd), f.start) : null;
            if (decoded != null) {
                for (Line l : decoded) line(sb, l.offset, l.bytes, l.text, notes.get(l.offset));
            } else {
                hexLines(sb, code, f.start, f.codeEnd, "", notes);
            }
            hexLines(sb, code, f.codeEnd, f.end, "(data)", notes);
        }
        return sb.toString();
    }

    private static void hexLines(StringBuilder sb, byte[] code, int from, int to, String text, Map<Integer, List<String>> notes) {
        for (int at = from; at < to; at += 16) {
            int n = Math.min(16, to - at);
            byte[] b = Arrays.copyOfRange(code, at, at + n);
            List<String> here = new ArrayList<>();
            for (int k = at; k < at + n; k++) if (notes.containsKey(k)) here.addAll(notes.get(k));
            line(sb, at, b, text, here.isEmpty() ? null : here);
        }
    }

    private static void line(StringBuilder sb, int offset, byte[] bytes, String text, List<String> notes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) hex.append(String.format("%02x ", b & 0xFF));
        sb.append(String.format("  %06x:  %-30s %s", offset, hex.toString().trim(), text));
        if (notes != null) sb.append("   ; ").append(String.join("; ", notes));
        sb.append('\n');
    }

    private static Map<Integer, List<String>> annotations(CompiledModule m) {
        Map<Integer, List<String>> notes = new TreeMap<>();
        for (PatchSite s : m.patchSites) {
            notes.computeIfAbsent(s.offset, k -> new ArrayList<>()).add("patch site #" + s.id + " " + s.kind.label()
                + " (on: " + hex(s.onBytes()) + ") at " + s.irLocation);
        }
        for (TrapSite t : m.trapSites) {
            notes.computeIfAbsent(t.offset, k -> new ArrayList<>()).add("trap: " + t.code);
        }
        Map<Integer, String> returns = new HashMap<>();
        for (CallSite c : m.callSites) returns.put(c.returnOffset, c.callee);
        for (Map.Entry<Integer, String> e : returns.entrySet()) {
            notes.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                .add("return from call" + (e.getValue() != null ? " to %" + e.getValue() : " (indirect)"));
        }
        return notes;
    }

    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0) sb.append(' ');
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
