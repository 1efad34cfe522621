package dev.patchbay.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples' C built here and now, as their README says (clang --target=wasm32-wasi -O2 ...
 * -lm), runs under Patchbay and prints what gcc's native build prints. Where clang, lld and
 * wasi-libc are not installed (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32) it skips,
 * saying so; CProgramsTest still runs the committed builds.
 */
class CProgramsFromSourceTest {
    static Path clang;

    @BeforeAll
    static void findClang() throws Exception {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "clang");
            if (Files.isExecutable(p)) clang = p;
        }
        if (clang == null) {
            System.out.println("SKIPPED: CProgramsFromSourceTest: clang is not on PATH (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32)");
            Assumptions.abort("clang is not on PATH");
        }
        // A trivial program tells whether this clang has the wasm32-wasi target, its libc and linker.
        Path dir = Files.createTempDirectory("patchbay-clang");
        Path c = dir.resolve("probe.c");
        Files.writeString(c, "int main(void) { return 0; }\n");
        String err = build(c, dir.resolve("probe.wasm"));
        Files.deleteIfExists(c);
        Files.deleteIfExists(dir.resolve("probe.wasm"));
        Files.deleteIfExists(dir);
        if (err != null) {
            System.out.println("SKIPPED: CProgramsFromSourceTest: clang cannot build for wasm32-wasi here (wasi-libc, lld or"
                + " libclang-rt-14-dev-wasm32 missing?): " + err.lines().findFirst().orElse(""));
            Assumptions.abort("clang cannot target wasm32-wasi");
        }
    }

    /** Builds a C file as the examples' README says; returns null, or clang's messages on failure. */
    static String build(Path c, Path wasm) throws Exception {
        Process p = new ProcessBuilder(clang.toString(), "--target=wasm32-wasi", "-O2", "-o", wasm.toString(), c.toString(), "-lm")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "clang timed out";
        }
        return p.exitValue() == 0 ? null : out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"integers", "floats", "allocs", "recursion", "demo"})
    void builtNowItPrintsWhatGccsBuildPrints(String name) throws Exception {
        Path dir = Files.createTempDirectory("patchbay-c");
        Path wasm = dir.resolve(name + ".wasm");
        try {
            String err = build(CProgramsTest.DIR.resolve(name + ".c"), wasm);
            assertEquals(null, err, "clang failed");
            int[] exit = new int[1];
            assertEquals(Files.readString(CProgramsTest.DIR.resolve(name + ".expected")), CProgramsTest.run(wasm, List.of(name), exit));
            assertEquals(0, exit[0]);
        } finally {
            Files.deleteIfExists(wasm);
            Files.deleteIfExists(dir);
        }
    }
}
