/*
 * `patchbay test FILE_OR_DIR...`: runs every `; run:` line (see RunTests).
 */
package dev.patchbay.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run the `; run:` lines of CLIF files and directories. Exit 1 if any fails.")
final class TestCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = ".clif files or directories of them")
    List<Path> inputs;

    @Override public Integer call() throws Exception {
        RunTests.Counts c = new RunTests(System.out).run(inputs);
        return c.failed > 0 ? Main.EXIT_FAILED : Main.EXIT_OK;
    }
}
