/*
 * `patchbay wast FILE_OR_DIR... [--bounds-checks]`: runs Wasm spec scripts (WastRunner) and
 * ends with "N passed, N failed, N skipped", then the skip reasons with their counts. Exit 1
 * on any failure, 2 on bad input; without wast2json (Debian wabt) it prints why and exits 0
 * having run nothing, which it reports as skipped.
 */
package dev.patchbay.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "wast", mixinStandardHelpOptions = true, description = "Run WebAssembly spec scripts (.wast files, or directories of them).")
final class WastCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE_OR_DIR", arity = "1..*", description = ".wast files or directories holding them")
    List<Path> inputs;

    @Option(names = "--bounds-checks", description = "Check every memory access in code instead of relying on the guard region.")
    boolean boundsChecks;

    @Override public Integer call() throws Exception {
        for (Path p : inputs) {
            if (!Files.exists(p)) {
                System.err.println("patchbay: " + p + ": no such file or directory");
                return Main.EXIT_BAD_INPUT;
            }
        }
        Path tool = WastRunner.findWast2json();
        if (tool == null) {
            System.out.println("skipped: wast2json is not on PATH (Debian package wabt)");
            System.out.println("0 passed, 0 failed, 0 skipped");
            return Main.EXIT_OK;
        }
        List<Path> scripts;
        try {
            scripts = WastRunner.scripts(inputs);
        } catch (IOException e) {
            System.err.println("patchbay: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        WastRunner.Result r = new WastRunner(tool, boundsChecks, System.out).run(scripts);
        for (Map.Entry<String, Integer> e : r.skipReasons.entrySet()) System.out.println("skipped " + e.getValue() + ": " + e.getKey());
        System.out.println(r.passed + " passed, " + r.failed + " failed, " + r.skipped + " skipped");
        return r.failed == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
    }
}
