/*
 * Runs a main class from the test classpath in a fresh JVM: for scenarios that change
 * process-wide state, that might crash the process if Patchbay had a bug (the parent
 * then reports a failure with the child's output instead of dying with it), or that
 * need another JDK. The child's working directory is a fresh directory, so an hs_err
 * file it writes can be found there. Children print "RESULT key=value" lines.
 */
package dev.patchbay.stress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

final class ChildJvm {
    static final Path TEMURIN_25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    static Path currentJava() { return Paths.get(System.getProperty("java.home"), "bin", "java"); }

    /** Whether `java` is the JVM running this code (the same file, links resolved). */
    static boolean isCurrent(Path java) {
        try {
            return java.toRealPath().equals(currentJava().toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a child on a JDK of this feature release has virtual owners (children get this JVM's -Dstress.owners). */
    static boolean virtualOwners(int feature) { return feature >= 21 && !Threads.OWNERS.equals("platform"); }

    static final class Result {
        int exit;
        boolean timedOut;
        String out;
        final Map<String, String> results = new HashMap<>();
        List<String> hsErr = new ArrayList<>();

        String get(String key) { return results.get(key); }

        @Override public String toString() {
            return "exit=" + exit + (timedOut ? " (killed at its timeout)" : "") + " hs_err=" + hsErr + "\n--- child output ---\n"
                + (out.length() > 20_000 ? out.substring(0, 10_000) + "\n...\n" + out.substring(out.length() - 10_000) : out);
        }
    }

    /**
     * Runs `mainClass args` on `java` in `dir`, killed after `timeout`. `modern` adds
     * --enable-native-access=ALL-UNNAMED and --sun-misc-unsafe-memory-access=allow, as the
     * launcher does (JDK 24+ warns without them; JDK 17 rejects them).
     */
    static Result run(Path java, boolean modern, Path dir, Duration timeout, List<String> jvmArgs, Class<?> mainClass, String... args)
        throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        if (modern) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.add("-Dstress.owners=" + Threads.OWNERS);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        Path log = dir.resolve("child-output.txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Result r = new Result();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            r.timedOut = true;
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        r.exit = p.isAlive() ? -1 : p.exitValue();
        r.out = Files.readString(log, StandardCharsets.UTF_8);
        for (String line : r.out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).trim().split("=", 2);
                r.results.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            r.hsErr = s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith("hs_err")).collect(Collectors.toList());
        }
        return r;
    }
}
