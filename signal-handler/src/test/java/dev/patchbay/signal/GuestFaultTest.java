/*
 * Issue 13's guest faults, each scenario of FaultScenarios in a fresh JVM on this JDK and
 * on the Temurin 25 under /usr/lib/jvm (skipped if absent): no hs_err file, no process
 * killed by a signal, every call a Trap with the documented code or a result, and the
 * JVM's own faults (implicit null checks, MappedByteBuffer SIGBUS) still HotSpot's.
 */
package dev.patchbay.signal;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class GuestFaultTest {
    @TempDir
    Path dir;

    static final class Run {
        int exit;
        String out;
        final Map<String, String> results = new HashMap<>();
        final List<String> hsErr = new ArrayList<>();

        String get(String k) { return results.get(k); }

        @Override public String toString() { return "exit " + exit + ", hs_err " + hsErr + "\n--- child output ---\n" + out; }
    }

    Run run(boolean jdk25, String... args) throws IOException, InterruptedException {
        Path java = jdk25 ? ChildJvmTest.JDK25 : ChildJvmTest.currentJava();
        if (jdk25) Assumptions.assumeTrue(Files.isExecutable(java), "Temurin 25 is not installed at " + java);
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xss8m"));
        if (ChildJvmTest.featureVersion(java) >= 23) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FaultScenarios.class.getName()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve(args[0] + ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Run r = new Run();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("child JVM '" + args[0] + "' did not finish within 90 s (hung):\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        r.exit = p.exitValue();
        r.out = Files.readString(log, StandardCharsets.UTF_8);
        for (String line : r.out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).trim().split("=", 2);
                r.results.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith("hs_err")).forEach(r.hsErr::add);
        }
        assertEquals(0, r.exit, "the child JVM survived\n" + r);
        assertTrue(r.hsErr.isEmpty(), "no hs_err file\n" + r);
        assertEquals("1", r.get("done"), r.toString());
        return r;
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void callIndirectToABadAddressIsABadTargetTrap(boolean jdk25) throws Exception {
        Run r = run(jdk25, "bad-targets");
        for (String t : new String[] {"0", "1", "0x1000", "-1", "kernel", "noncanonical", "heap"}) {
            assertEquals("!bad_target:jump,outer", r.get("target-" + t), "call_indirect to " + t + "\n" + r);
            assertNull(r.get("after-" + t), "the Store works after it\n" + r);
        }
        assertEquals("!bad_target:slot_exec", r.get("target-stack-slot"), "a stack slot is not executable\n" + r);
        assertEquals("=107", r.get("good"), r.toString());
        assertEquals("ok", r.get("npes"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void aReturnToAGarbageAddressIsABadTargetTrap(boolean jdk25) throws Exception {
        Run r = run(jdk25, "bad-returns");
        for (String v : new String[] {"unmapped", "0", "1", "-1", "noncanonical", "kernel"}) {
            String o = r.get("ret-" + v);
            assertNotNull(o, r.toString());
            assertTrue(o.startsWith("!bad_target:") && o.endsWith("top"), "ret to " + v + ": " + o + "\n" + r);
            assertNull(r.get("after-" + v), "the Store works after it\n" + r);
        }
        assertEquals("ok", r.get("npes"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void hotSpotFaultsInJavaReachedFromAGuestCallStillReachHotSpot(boolean jdk25) throws Exception {
        Run r = run(jdk25, "host-faults");
        assertEquals("none", r.get("hostcall"), r.toString());
        assertTrue(r.get("callback").startsWith("none deadlines="), r.toString());
        assertNotEquals("none deadlines=0", r.get("callback"), "the callback ran\n" + r);
        assertEquals("none", r.get("listener"), r.toString());
        assertEquals("ok", r.get("npes"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void guestFaultsAreTrapsWithoutASiteController(boolean jdk25) throws Exception {
        Run r = run(jdk25, "no-controller");
        assertEquals("false", r.get("has-controller"), r.toString());
        assertEquals("!heap_oob:load", r.get("load0"), r.toString());
        assertEquals("!bad_target:jump,outer", r.get("call0"), r.toString());
        assertEquals("!debug:brk", r.get("debugtrap"), r.toString());
        assertEquals("=103", r.get("good"), r.toString());
        assertEquals("ok", r.get("npes"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void aLoadFromATruncatedFileMappingIsAHeapOobTrap(boolean jdk25) throws Exception {
        Run r = run(jdk25, "sigbus", dir.toString());
        assertEquals("=0", r.get("before"), r.toString());
        assertEquals("!heap_oob:load", r.get("truncated"), "SIGBUS in guest code\n" + r);
        assertEquals("InternalError", r.get("hotspot-sigbus"), "HotSpot's own SIGBUS still reaches HotSpot\n" + r);
        assertEquals("=103", r.get("after"), r.toString());
        assertEquals("ok", r.get("npes"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void aSmashedSavedFramePointerNeverHangsTheTrapStub(boolean jdk25) throws Exception {
        Run r = run(jdk25, "smashed-fp");
        for (String v : new String[] {"0x10", "0xdead0000", "-8", "selfloop", "unmapped", "noncanonical"}) {
            String o = r.get("fp-" + v);
            assertNotNull(o, r.toString());
            String[] both = o.split(" ");
            assertTrue(both[0].startsWith("!heap_oob:"), "load after a smashed RBP " + v + ": " + o + "\n" + r);
            assertTrue(both[1].startsWith("!user7:fp_then_trap"), "trap after a smashed RBP " + v + ": " + o + "\n" + r);
            assertFalse(o.contains("slow"), o);
            String ret = r.get("fp-return-" + v);
            // The value, or a heap_oob if the caller reloaded something through its smashed RBP.
            assertTrue(ret != null && (ret.matches("=-?[0-9]+") || ret.startsWith("!heap_oob:")), "return after a smashed RBP " + v + ": "
                + ret + "\n" + r);
        }
        assertEquals("=103", r.get("good"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void javaBacktraceWithAGarbageFramePointerStaysInTheGuestStack(boolean jdk25) throws Exception {
        Run r = run(jdk25, "java-walk");
        // Each walk keeps the innermost frame (the pc) and follows no garbage pointer.
        String[] walks = r.get("walks").split(" ");
        assertEquals(8, walks.length, r.toString());
        for (int i = 0; i < 7; i++) assertTrue(walks[i].endsWith(":1"), walks[i] + "\n" + r);
        assertEquals("other-thread:0", walks[7], "another thread gets no frames\n" + r);
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void manyParametersAreRefusedOrTrapStackOverflow(boolean jdk25) throws Exception {
        Run r = run(jdk25, "many-params");
        assertEquals("refused", r.get("verifier"), r.toString());
        assertEquals("!stk_ovf:", r.get("many"), "the entry trampoline checks the stack before writing arguments\n" + r);
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void bigFramesAreSafeAndWrappingOnesRefused(boolean jdk25) throws Exception {
        Run r = run(jdk25, "big-frames");
        assertEquals("!stk_ovf:mib", r.get("default-limit"), r.toString());
        assertEquals("=42 !stk_ovf:gib", r.get("raised-limit"), r.toString());
        assertTrue(r.get("wrapping").contains("2:5: function %wrap: the stack slots up to ss0 need 2147483647 bytes, "
            + "over the limit of 1073741824 bytes (1 GiB) per function"), r.toString());
    }

    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void aFaultInASignalHandlerThatInterruptedTheGuestIsNotTheGuests(boolean jdk25) throws Exception {
        Run r = run(jdk25, "handler-faults");
        assertEquals("ok", r.get("npes-before"), r.toString());
        assertEquals("ok", r.get("guest"), "the guest call was not taken for the handler's fault\n" + r);
        assertEquals("handled probes-fixed=all probe=5afe", r.get("signals"), r.toString());
        assertEquals("ok", r.get("npes"), r.toString());
    }
}
