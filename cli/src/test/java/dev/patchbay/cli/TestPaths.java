/*
 * Locates ../shared (the peer suite and reference material) from the module directory
 * the tests run in, failing with a clear message when it is absent.
 */
package dev.patchbay.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

final class TestPaths {
    private TestPaths() {}

    static Path runtests() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("clif-runtests");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("cannot find shared/clif-runtests beside the repository (searched up from " + dir + ")");
    }
}
