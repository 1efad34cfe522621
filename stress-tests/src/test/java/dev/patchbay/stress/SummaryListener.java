/*
 * Prints the run's summary once the whole test plan is done (after every suite), and
 * writes it to target/stress-summary.txt. Registered through META-INF/services.
 */
package dev.patchbay.stress;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public final class SummaryListener implements TestExecutionListener {
    @Override public void testPlanExecutionFinished(TestPlan testPlan) {
        if (Stats.OPS.sum() == 0) return; // no stress suite ran in this JVM
        String s = Stats.summary();
        System.out.println(s);
        System.out.flush();
        try {
            Path target = Path.of("target");
            if (Files.isDirectory(target)) Files.writeString(target.resolve("stress-summary.txt"), s, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("[stress] cannot write target/stress-summary.txt: " + e);
        }
    }
}
