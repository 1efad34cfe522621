/*
 * `patchbay test FILE_OR_DIR...`: runs every `; run:` line (see RunTests), each with a
 * timeout. Inputs are checked before anything runs: a missing path, a directory without
 * .clif files, or a file that is not a regular file of at most 16 MiB is bad input
 * (exit 2), not a test failure.
 */
package dev.patchbay.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run the `; run:` lines of CLIF files and directories. Exit 1 if any fails.")
final class TestCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = ".clif files (regular files of at most 16 MiB) or directories of them")
    List<Path> inputs;

    @Option(names = "--timeout", paramLabel = "DURATION",
        description = "Fail a run line that has not returned after this long (1ms to 365d) and go on with the rest (default: ${DEFAULT-VALUE}).")
    String timeout = "10s";

    @Override public Integer call() {
        Duration t;
        try {
            t = Values.duration("--timeout", timeout, EpochOptions.MIN_TIMEOUT, EpochOptions.MAX_TIMEOUT);
        } catch (IllegalArgumentException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        List<Path> files = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                List<Path> found;
                try {
                    found = RunTests.expand(List.of(p));
                } catch (IOException | UncheckedIOException e) {
                    problems.add(p + ": error: cannot list the directory: " + OutputFiles.reason(e instanceof UncheckedIOException ? ((UncheckedIOException) e).getCause() : (IOException) e));
                    continue;
                }
                if (found.isEmpty()) problems.add(p + ": error: no .clif files in this directory");
                for (Path f : found) {
                    String problem = ClifInput.problem(f);
                    if (problem != null) problems.add(problem);
                }
                files.addAll(found);
            } else {
                String problem = ClifInput.problem(p);
                if (problem != null) problems.add(problem);
                files.add(p);
            }
        }
        if (!problems.isEmpty()) {
            for (String p : problems) System.err.println(p);
            return Main.EXIT_BAD_INPUT;
        }
        try (RunTests runs = new RunTests(System.out, RunTests.CLI_OPTIONS).timeout(t)) {
            RunTests.Counts c = runs.runFiles(files);
            return c.failed > 0 ? Main.EXIT_FAILED : Main.EXIT_OK;
        }
    }
}
