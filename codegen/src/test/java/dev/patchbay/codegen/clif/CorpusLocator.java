/*
 * Finds the shared CLIF run-test corpus. Tests run with the module directory as the
 * working directory, and the corpus lives in `shared/` beside the repository (or the
 * worktree), so walk up from the working directory and look for `shared/clif-runtests`
 * under each ancestor. Failing with the paths tried beats a vague "0 files parsed".
 */
package dev.patchbay.codegen.clif;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public final class CorpusLocator {
    private CorpusLocator() {}

    public static Path corpusDir() { return corpusDir("clif-runtests"); }

    /** shared/NAME beside the repository: clif-runtests, or clif-runtests-float (Cranelift's float run tests). */
    public static Path corpusDir(String name) {
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> tried = new ArrayList<>();
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve(name);
            tried.add(candidate);
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("CLIF run-test corpus not found: looked for shared/" + name + " under every parent of "
            + cwd + ": " + tried);
    }

    /** The corpus's .clif files, sorted by name. */
    public static List<Path> clifFiles() { return clifFiles("clif-runtests"); }

    /** The .clif files of shared/NAME, sorted by name. */
    public static List<Path> clifFiles(String name) {
        try (Stream<Path> s = Files.list(corpusDir(name))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".clif")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
