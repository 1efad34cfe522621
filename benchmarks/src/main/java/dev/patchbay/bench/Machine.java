/*
 * A one-line description of the machine for benchmark reports: CPU model, cores, kernel,
 * JVM. Read from /proc and system properties; never fails (unknown parts say so).
 */
package dev.patchbay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

public final class Machine {
    private Machine() {}

    public static String describe() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // keep "unknown CPU"
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
            + System.getProperty("os.version") + ", Java " + System.getProperty("java.vm.name") + " " + Runtime.version();
    }
}
