/*
 * InterruptBreakdown's command line: bad options get a message that names them (main
 * prints it and exits 2), and a tiny run produces every stage in order.
 */
package dev.patchbay.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class InterruptBreakdownTest {
    @Test
    void badOptionsAreNamed() {
        assertTrue(message("--bogus").contains("unknown option --bogus"));
        assertTrue(message("--trials", "x").contains("not a number: 'x'"));
        assertTrue(message("--trials").contains("--trials needs a value"));
        assertTrue(message("--run-us", "5,-1").contains("-1 is out of range"));
        assertTrue(message("--warmup", "-3").contains("-3 is out of range"));
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> InterruptBreakdown.run(args)).getMessage();
    }

    @Test
    void aSmallRunReportsEveryStage() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            InterruptBreakdown.run(new String[] {"--trials", "5", "--warmup", "5", "--run-us", "100"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("guest ran 100 us before the interrupt"), out);
        int at = -1;
        for (String stage : InterruptBreakdown.STAGES) {
            int next = out.indexOf("  " + stage + " ", at + 1);
            assertTrue(next > at, "stage '" + stage + "' in order:\n" + out);
            at = next;
        }
    }
}
