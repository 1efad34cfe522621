/*
 * The Wasm 2.0 core spec suite (../shared/wasm-testsuite), through wabt's wast2json, for
 * what exists today: the decoder and the validator. Per command kind:
 *   module                        the binary decodes and validates;
 *   assert_malformed (binary)     decoding throws WasmDecodeException;
 *   assert_malformed (text)       skipped: text format, no WAT parser;
 *   assert_invalid                decoding succeeds and validation throws WasmValidationException;
 *   assert_unlinkable,
 *   assert_uninstantiable         decode and validate (they fail later, at link or
 *                                 instantiation, which is not built yet);
 *   assert_return, assert_trap, assert_exhaustion, register, action
 *                                 skipped: execution, the wasm translator is not built yet.
 * SIMD files (simd_*.wast) are skipped whole. A case passes when the right kind of error is
 * raised; whether the message starts with the spec's text is counted separately ("msg ok").
 * The counts are asserted exactly, so a change in either direction shows up here.
 */
package dev.patchbay.wasm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SpecConformanceTest {
    static final String TEXT = "text format: no WAT parser";
    static final String EXECUTION = "execution: wasm translator not built yet";

    /** kind -> {passed, failed, skipped, message matched}. */
    static final Map<String, List<Integer>> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("module", List.of(1125, 0, 0, 0)),
            Map.entry("assert_malformed", List.of(736, 0, 0, 733)),
            Map.entry("assert_malformed (text)", List.of(0, 0, 567, 0)),
            Map.entry("assert_invalid", List.of(1475, 0, 0, 1474)),
            Map.entry("assert_unlinkable", List.of(83, 0, 0, 0)),
            Map.entry("assert_uninstantiable", List.of(34, 0, 0, 0)),
            Map.entry("assert_return", List.of(0, 0, 21361, 0)),
            Map.entry("assert_trap", List.of(0, 0, 2354, 0)),
            Map.entry("assert_exhaustion", List.of(0, 0, 15, 0)),
            Map.entry("register", List.of(0, 0, 18, 0)),
            Map.entry("action", List.of(0, 0, 155, 0))));

    private final Map<String, int[]> counts = new TreeMap<>();
    private final Map<String, String> skipReasons = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> mismatches = new ArrayList<>();

    private int[] row(String kind) { return counts.computeIfAbsent(kind, k -> new int[4]); }

    private void skipped(String kind, String reason) {
        row(kind)[2]++;
        skipReasons.putIfAbsent(kind, reason);
    }

    @Test
    void specSuiteDecodesAndValidates() throws Exception {
        List<SpecSuite.Script> scripts = SpecSuite.scripts();
        for (SpecSuite.Script s : scripts) {
            for (Map<String, Object> c : s.commands()) run(s, c);
        }
        int simd = SpecSuite.simdFiles().size();
        StringBuilder table = new StringBuilder();
        table.append(String.format("Wasm spec suite: %d files run, %d SIMD files skipped (SIMD is not implemented)%n",
                scripts.size(), simd));
        table.append(String.format("%-24s %7s %7s %7s %7s%n", "kind", "passed", "failed", "skipped", "msg ok"));
        int[] total = new int[4];
        for (var e : counts.entrySet()) {
            int[] r = e.getValue();
            table.append(String.format("%-24s %7d %7d %7d %7d%n", e.getKey(), r[0], r[1], r[2], r[3]));
            for (int i = 0; i < 4; i++) total[i] += r[i];
        }
        table.append(String.format("%-24s %7d %7d %7d %7d%n", "total", total[0], total[1], total[2], total[3]));
        for (var e : skipReasons.entrySet()) table.append("skipped ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        System.out.print(table);
        if (!mismatches.isEmpty()) {
            System.out.println("messages that differ from the spec's (" + mismatches.size() + "):");
            mismatches.stream().limit(200).forEach(m -> System.out.println("  " + m));
        }
        failures.stream().limit(100).forEach(f -> System.out.println("FAILED " + f));
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " failures");
        Map<String, List<Integer>> actual = new TreeMap<>();
        for (var e : counts.entrySet()) {
            int[] r = e.getValue();
            actual.put(e.getKey(), List.of(r[0], r[1], r[2], r[3]));
        }
        assertEquals(EXPECTED, actual, "per-kind counts {passed, failed, skipped, message matched}");
        assertEquals(56, simd, "SIMD files skipped");
        assertEquals(90, scripts.size(), "files run");
    }

    private void run(SpecSuite.Script s, Map<String, Object> c) throws Exception {
        String type = (String) c.get("type");
        String where = s.name() + ".wast:" + c.get("line");
        switch (type) {
            case "module" -> expectValid("module", s, c, where);
            case "assert_unlinkable", "assert_uninstantiable" -> expectValid(type, s, c, where);
            case "assert_malformed" -> {
                if (!"binary".equals(c.get("module_type"))) {
                    skipped("assert_malformed (text)", TEXT);
                    return;
                }
                expectError("assert_malformed", s, c, where, WasmDecodeException.class);
            }
            case "assert_invalid" -> {
                if (!"binary".equals(c.get("module_type"))) {
                    skipped("assert_invalid (text)", TEXT);
                    return;
                }
                expectError("assert_invalid", s, c, where, WasmValidationException.class);
            }
            case "assert_return", "assert_trap", "assert_exhaustion", "register", "action" -> skipped(type, EXECUTION);
            default -> failures.add(where + ": unknown command " + type);
        }
    }

    private void expectValid(String kind, SpecSuite.Script s, Map<String, Object> c, String where) throws Exception {
        try {
            WasmModule m = WasmModule.decode(s.module(c)).validate();
            for (FunctionBody f : m.functions()) f.instructions();
            row(kind)[0]++;
        } catch (WasmException e) {
            row(kind)[1]++;
            failures.add(where + " " + kind + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    private void expectError(String kind, SpecSuite.Script s, Map<String, Object> c, String where,
                             Class<? extends WasmException> expected) throws Exception {
        String text = (String) c.get("text");
        try {
            WasmModule.decode(s.module(c)).validate();
            row(kind)[1]++;
            failures.add(where + " " + kind + ": accepted, expected \"" + text + "\"");
        } catch (WasmException e) {
            if (!expected.isInstance(e)) {
                row(kind)[1]++;
                failures.add(where + " " + kind + ": " + e.getClass().getSimpleName() + " \"" + e.specMessage()
                        + "\", expected \"" + text + "\"");
                return;
            }
            row(kind)[0]++;
            if (e.specMessage().startsWith(text)) {
                row(kind)[3]++;
            } else {
                mismatches.add(where + " expected \"" + text + "\", got \"" + e.specMessage() + "\"");
            }
        }
    }
}
