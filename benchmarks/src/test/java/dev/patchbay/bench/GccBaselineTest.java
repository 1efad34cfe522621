/*
 * The C twins of the epoch kernels compute what the Java references (and so the CLIF
 * kernels) compute, at every pad the suite uses, when gcc is on PATH; without gcc the test
 * says why it skips. A compiler that cannot be found is a reason to print, not a failure.
 */
package dev.patchbay.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

class GccBaselineTest {
    @Test
    void theCKernelsGiveTheJavaReferencesAnswersAtEveryPad() throws Exception {
        GccBaseline gcc;
        try {
            gcc = GccBaseline.compile(EpochSuite.PADS);
        } catch (GccBaseline.Unavailable e) {
            // Only a missing compiler skips; one that is there and fails on our C is a bug.
            if (!e.getMessage().endsWith("not found on PATH")) throw new AssertionError(e.getMessage(), e);
            System.out.println("GccBaselineTest: skipped, " + e.getMessage());
            abort(e.getMessage());
            return;
        }
        assertTrue(gcc.version().toLowerCase(java.util.Locale.ROOT).contains("gcc"), gcc.version());
        for (Kernels.Kernel k : Kernels.ALL) {
            for (long arg : new long[] {1, 2, 3, 7, k.quickArg}) {
                long expect = k.reference.applyAsLong(arg);
                for (int p = 0; p < EpochSuite.PADS.length; p++) {
                    assertEquals(expect, gcc.call(k.name, p, arg),
                        k.name + ".c at pad " + EpochSuite.PADS[p] + " on " + arg);
                }
            }
        }
    }

    @Test
    void aMissingCompilerIsAReasonToPrint() {
        GccBaseline.Unavailable e = assertThrows(GccBaseline.Unavailable.class,
            () -> GccBaseline.compile("patchbay-no-such-gcc", EpochSuite.PADS));
        assertEquals("patchbay-no-such-gcc not found on PATH", e.getMessage());
        e = assertThrows(GccBaseline.Unavailable.class, () -> GccBaseline.compile("/nonexistent/gcc", EpochSuite.PADS));
        assertEquals("/nonexistent/gcc is not an executable file", e.getMessage());
    }
}
