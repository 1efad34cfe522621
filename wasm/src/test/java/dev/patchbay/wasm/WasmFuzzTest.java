/*
 * Invariant: bad Wasm bytes never escape as anything but the two exceptions. For every
 * byte string, WasmModule.decode(...).validate() returns or throws WasmDecodeException or
 * WasmValidationException; no other exception or error (index out of bounds, OutOfMemory,
 * StackOverflow, ...) escapes, and a module that decodes can have its code decoded again
 * (FunctionBody.instructions()) without failing.
 *
 * Inputs: every binary module of the spec suite (when ../shared/wasm-testsuite and wast2json
 * are there; a few hand-built modules otherwise), each mutated with a seeded Random (bit
 * flips, truncations, overwritten bytes, inserted runs of 0xFF or 0x80 that stress LEB128
 * and counts, deleted ranges), plus random byte strings behind a valid header. A failure
 * prints the seed and the input in hex so it can be replayed.
 */
package dev.patchbay.wasm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WasmFuzzTest {
    private static final int MUTANTS_PER_MODULE = 12;
    private static final int RANDOM_STRINGS = 20_000;

    private final List<String> failures = new ArrayList<>();
    private int accepted;
    private int rejected;

    static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        try {
            for (SpecSuite.Script s : SpecSuite.scripts()) {
                for (Map<String, Object> c : s.commands()) {
                    Object f = c.get("filename");
                    if (f instanceof String name && name.endsWith(".wasm")) out.add(s.module(c));
                }
            }
        } catch (org.opentest4j.TestAbortedException e) {
            System.out.println("WasmFuzzTest: spec suite unavailable (" + e.getMessage() + "); fuzzing the built-in modules only");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        out.addAll(WasmModuleTest.handBuilt());
        return out;
    }

    private void check(byte[] input, String how) {
        try {
            WasmModule m = WasmModule.decode(input);
            for (FunctionBody f : m.functions()) f.instructions();
            m.validate();
            accepted++;
        } catch (WasmException e) {
            rejected++;
        } catch (Throwable t) {
            if (failures.size() < 20) {
                failures.add(how + ": " + t + " on " + HexFormat.of().formatHex(input, 0, Math.min(input.length, 256)));
            }
        }
    }

    @Test
    void mutatedModulesRaiseOnlyTheTwoExceptions() {
        List<byte[]> seeds = seeds();
        for (int i = 0; i < seeds.size(); i++) {
            byte[] seed = seeds.get(i);
            for (int k = 0; k < MUTANTS_PER_MODULE; k++) {
                long seedValue = i * 1_000_003L + k;
                check(mutate(seed, new Random(seedValue)), "module " + i + " mutant seed " + seedValue);
            }
            for (int cut = 0; cut < seed.length; cut += Math.max(1, seed.length / 16)) {
                check(java.util.Arrays.copyOf(seed, cut), "module " + i + " truncated at " + cut);
            }
        }
        Random r = new Random(17);
        for (int i = 0; i < RANDOM_STRINGS; i++) {
            byte[] b = new byte[8 + r.nextInt(64)];
            r.nextBytes(b);
            System.arraycopy(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}, 0, b, 0, 8);
            if (b.length > 8 && r.nextBoolean()) b[8] = (byte) r.nextInt(13);
            check(b, "random string " + i);
        }
        System.out.printf("WasmFuzzTest: %d seeds, %d inputs accepted, %d rejected with a WasmException, %d other failures%n",
                seeds.size(), accepted, rejected, failures.size());
        assertEquals(List.of(), failures);
    }

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int kind = r.nextInt(6);
        if (b.length == 0) return new byte[] {(byte) r.nextInt(256)};
        switch (kind) {
            case 0 -> { // bit flips
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> { // overwrite bytes
                for (int n = 1 + r.nextInt(4); n > 0; n--) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            case 3, 4 -> { // insert a run that stresses LEB128 and counts
                int at = r.nextInt(b.length);
                int len = 1 + r.nextInt(8);
                byte fill = (byte) (kind == 3 ? 0xFF : 0x80);
                byte[] n = new byte[b.length + len];
                System.arraycopy(b, 0, n, 0, at);
                java.util.Arrays.fill(n, at, at + len, fill);
                System.arraycopy(b, at, n, at + len, b.length - at);
                b = n;
            }
            default -> { // delete a range
                int at = r.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + r.nextInt(8));
                byte[] n = new byte[b.length - len];
                System.arraycopy(b, 0, n, 0, at);
                System.arraycopy(b, at + len, n, at, b.length - at - len);
                b = n;
            }
        }
        return b;
    }

    @Test
    void nullIsAnIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> WasmModule.decode(null));
        assertThrows(IllegalArgumentException.class, () -> Validator.validate(null));
    }
}
