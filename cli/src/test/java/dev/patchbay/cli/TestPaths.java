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

    static Path runtests() { return shared("clif-runtests"); }

    /** Cranelift's float run tests, which the interpreter runs and the backend does not compile yet. */
    static Path floatRuntests() { return shared("clif-runtests-float"); }

    /** The Wasm 2.0 core spec scripts. */
    static Path wasmTestsuite() { return shared("wasm-testsuite"); }

    private static Path shared(String name) {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve(name);
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("cannot find shared/" + name + " beside the repository (searched up from " + dir + ")");
    }
}
