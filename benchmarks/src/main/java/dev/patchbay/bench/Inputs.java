/*
 * Finds benchmark inputs: ../shared/clif-runtests beside the repository (walking up from
 * the working directory), or the directory named by -Dpatchbay.runtests.
 */
package dev.patchbay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

final class Inputs {
    private Inputs() {}

    static Path runtests() {
        String prop = System.getProperty("patchbay.runtests");
        if (prop != null) return Paths.get(prop);
        Path dir = Paths.get("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("clif-runtests");
            if (Files.isDirectory(c)) return c;
        }
        throw new IllegalStateException("cannot find shared/clif-runtests; pass -Dpatchbay.runtests=DIR");
    }
}
