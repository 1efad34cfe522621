/*
 * Suite 3, the JVM side by side. A child JVM runs a Java workload that depends on
 * HotSpot's own signals (implicit null checks, division by zero, stack overflow), on
 * allocation and on System.gc(), first without Patchbay, then repeatedly while our
 * SIGTRAP handler is installed and arming is under way. Every run must give exactly the
 * checksums of a child that never loaded Patchbay, the child must exit normally, and no
 * hs_err file may appear. On the JVM running the build (JDK 17 in CI) and on Temurin 25.
 */
package dev.patchbay.stress;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JvmSideBySideTest {
    static final int ROUNDS = 40;
    /** The checksums of a JVM (this one's JDK) that never loaded Patchbay; the workload is plain Java, the same on any JDK. */
    private static String plainChecksums;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"this-jdk", "temurin25"})
    void sameResultsWithAndWithoutPatchbay(String jdk, @TempDir Path plainDir, @TempDir Path pbDir) throws Exception {
        boolean current = jdk.equals("this-jdk");
        Path java = current ? ChildJvm.currentJava() : ChildJvm.TEMURIN_25;
        if (!current) Assumptions.assumeTrue(Files.isExecutable(java), "Temurin 25 is not installed at " + java);
        if (!current && ChildJvm.isCurrent(java)) {
            System.out.println("[stress] SideBySide[temurin25]: skipped: this JVM is Temurin 25 (this-jdk ran on it)");
            Assumptions.abort("this JVM is Temurin 25 already");
        }
        int feature = current ? Runtime.version().feature() : 25;
        boolean modern = feature >= 23;
        Run run = Run.start("SideBySide[" + jdk + "]", Duration.ofSeconds(2), 0.04);
        Duration timeout = run.budget.plus(Duration.ofSeconds(120));
        List<String> jvm = List.of("-Xss8m", "-Xmx256m", "-Dstress.seed=" + run.seed);

        if (plainChecksums == null) {
            ChildJvm.Result plain = ChildJvm.run(ChildJvm.currentJava(), false, plainDir, timeout, jvm, SideBySideMain.class, "plain", "0",
                Integer.toString(ROUNDS));
            assertEquals(0, plain.exit, run.msg("plain child: " + plain));
            assertTrue(plain.hsErr.isEmpty(), run.msg("plain child wrote an hs_err file: " + plain));
            assertNotNull(plain.get("before"), run.msg("plain child: " + plain));
            assertFalse(plain.out.contains("dev.patchbay"), run.msg("the plain child never touches Patchbay: " + plain));
            plainChecksums = plain.get("before");
        }
        String expected = plainChecksums;

        ChildJvm.Result pb = ChildJvm.run(java, modern, pbDir, timeout, jvm, SideBySideMain.class, "patchbay",
            Long.toString(run.budget.toMillis()), Integer.toString(ROUNDS));
        assertFalse(pb.timedOut, run.msg("patchbay child finished in time: " + pb));
        assertTrue(pb.hsErr.isEmpty(), run.msg("no hs_err file: " + pb));
        assertEquals(0, pb.exit, run.msg("patchbay child exit status: " + pb));
        assertEquals("1", pb.get("done"), run.msg("patchbay child finished: " + pb));
        assertEquals(Integer.toString(feature), pb.get("java"), run.msg(pb.toString()));
        assertEquals(expected, pb.get("before"), run.msg("before Patchbay, the same as without it: " + pb));
        int runs = Integer.parseInt(pb.get("runs"));
        assertTrue(runs >= 1, run.msg(pb.toString()));
        for (int i = 0; i < runs; i++) {
            assertEquals(expected, pb.get("under-" + i), run.msg("run " + i + " under arming load: " + pb));
        }
        assertEquals(expected, pb.get("after"), run.msg("after closing the Engine: " + pb));
        assertEquals("0", pb.get("bad-site-stores"), run.msg(pb.toString()));
        long requests = Long.parseLong(pb.get("requests")), traps = Long.parseLong(pb.get("armed-traps"));
        long calls = Long.parseLong(pb.get("guest-calls"));
        assertTrue(requests > 0 && traps > 0 && calls > 0, run.msg("arming ran meanwhile: " + pb));
        if (modern) assertFalse(pb.out.contains("WARNING:"), run.msg("no JVM warnings (native access, sun.misc.Unsafe): " + pb));
        long virtualCalls = Long.parseLong(pb.get("virtual-owner-calls"));
        if (ChildJvm.virtualOwners(feature)) assertTrue(virtualCalls > 0, run.msg("a virtual guest made calls: " + pb));
        Stats.CHILD_VIRTUAL_OWNER_CALLS.add(virtualCalls);
        Stats.OPS.add(calls + requests + runs);
        Stats.GUEST_CALLS.add(calls);
        Stats.REQUESTS.add(requests);
        Stats.REQUESTS_APPLIED.add(requests);
        Stats.SAFEPOINT_TRAPS.add(traps);
        Stats.line(run.name, String.format("%d workload runs identical to a JVM without Patchbay (%s) while %,d guest calls, %,d requests "
            + "and %,d armed-site traps ran, guests on %s; no hs_err", runs, expected, calls, requests, traps, pb.get("owners")));
    }

    static String show(Map<String, String> m) { return m.toString(); }
}
