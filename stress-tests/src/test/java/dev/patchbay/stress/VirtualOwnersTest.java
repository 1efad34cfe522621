/*
 * Run-wide checks on the owner threads, ordered after every other suite in the test JVM
 * (junit-platform.properties orders classes by @Order):
 *  - on a JDK with virtual threads, the suites that ran in this JVM had virtual owners,
 *    those made guest calls, and some of them made calls on more than one carrier (the
 *    regression check that virtual owners are not silently dropped: PatchStormTest and
 *    the deep-recursion test also check their own);
 *  - the surefire execution on Temurin 25 runs, or this says why not.
 */
package dev.patchbay.stress;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

@Order(Integer.MAX_VALUE)
class VirtualOwnersTest {
    static void skip(String why) {
        System.out.println("[stress] VirtualOwners: skipped: " + why);
        System.out.flush();
        Assumptions.abort(why);
    }

    @Test
    void virtualOwnersRanAndChangedCarriers() {
        if (!Threads.VIRTUAL_THREADS) {
            skip("JDK " + Runtime.version().feature() + " has no virtual threads; the stress-temurin25 surefire execution checks them");
        }
        if (!Threads.virtualOwners()) skip("-Dstress.owners=platform");
        long owners = Stats.PLATFORM_OWNERS.sum() + Stats.VIRTUAL_OWNERS.sum();
        if (owners == 0) skip("no suite with owner threads ran in this JVM");
        String figures = String.format("%,d platform and %,d virtual owners, %,d virtual-owner calls, %,d virtual owners on more than one "
                + "carrier, %,d carrier changes, carriers %s, scheduler parallelism %d", Stats.PLATFORM_OWNERS.sum(), Stats.VIRTUAL_OWNERS.sum(),
            Stats.VIRTUAL_OWNER_CALLS.sum(), Stats.VIRTUAL_OWNERS_MOVED.sum(), Stats.CARRIER_CHANGES.sum(), Stats.CARRIERS,
            Threads.carrierParallelism());
        assertTrue(Stats.VIRTUAL_OWNERS.sum() > 0, "no owner was a virtual thread: " + figures);
        assertTrue(Stats.VIRTUAL_OWNER_CALLS.sum() > 0, "virtual owners made no guest call: " + figures);
        if (Threads.carrierParallelism() >= 2) {
            assertTrue(Stats.VIRTUAL_OWNERS_MOVED.sum() > 0, "no virtual owner made calls on more than one carrier: " + figures);
        }
        System.out.println("[stress] VirtualOwners: " + figures);
    }

    @Test
    void theTemurin25ExecutionRunsOrSaysWhyNot() {
        if (System.getProperty("stress.execution", "").equals("temurin25")) {
            assertEquals(25, Runtime.version().feature(), "the stress-temurin25 execution runs on Temurin 25");
            System.out.println("[stress] VirtualOwners: this is the stress-temurin25 execution, on " + Stats.jvm());
            return;
        }
        if (!Boolean.getBoolean("stress.temurin25.active")) {
            skip(java.nio.file.Files.isExecutable(ChildJvm.TEMURIN_25)
                ? "the temurin25 profile is off (-P!temurin25): the stress suites do not run on Temurin 25 in this build"
                : "no Temurin 25 at " + ChildJvm.TEMURIN_25 + ": the stress-temurin25 surefire execution does not run");
        }
        System.out.println("[stress] VirtualOwners: the stress-temurin25 surefire execution runs after this one, on " + ChildJvm.TEMURIN_25);
    }
}
