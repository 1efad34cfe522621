/*
 * Prints the run's summary once the whole test plan is done (after every suite), and
 * writes it to target/stress-summary.txt (or the file -Dstress.summaryFile names, so that
 * the surefire execution on Temurin 25 keeps its own). Takes the process's resources
 * (Resources.Level) when the plan starts and when it ends, for the summary's "resources
 * at start / at end" lines. Registered through META-INF/services.
 */
package dev.patchbay.stress;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public final class SummaryListener implements TestExecutionListener {
    @Override public void testPlanExecutionStarted(TestPlan testPlan) {
        Stats.resourcesAtStart = level();
    }

    @Override public void testPlanExecutionFinished(TestPlan testPlan) {
        if (Stats.OPS.sum() == 0) return; // no stress suite ran in this JVM
        Stats.resourcesAtEnd = level();
        String s = Stats.summary();
        System.out.println(s);
        System.out.flush();
        try {
            Path target = Path.of("target");
            String name = System.getProperty("stress.summaryFile", "").trim();
            if (Files.isDirectory(target)) {
                Files.writeString(target.resolve(name.isEmpty() ? "stress-summary.txt" : name), s, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            System.err.println("[stress] cannot write the summary file: " + e);
        }
    }

    private static Resources.Level level() {
        try {
            return new Resources.Level();
        } catch (RuntimeException | LinkageError e) {
            System.err.println("[stress] cannot read the process's resources: " + e);
            return null;
        }
    }
}
