/*
 * The C programs in examples/wasm are the yardstick for running real Wasm (issue 17): each
 * NAME.expected is what gcc's native build prints. This pins that the bundled NAME.wasm
 * prints exactly the same in a reference runtime, Wasmtime 7 through WASI, so a difference
 * under Patchbay is Patchbay's; and, where gcc is installed, that the native build still
 * prints NAME.expected (the C has no undefined behaviour that a compiler could read
 * differently).
 */
package dev.patchbay.bench;

import io.github.kawamuray.wasmtime.Func;
import io.github.kawamuray.wasmtime.Linker;
import io.github.kawamuray.wasmtime.Store;
import io.github.kawamuray.wasmtime.wasi.WasiCtx;
import io.github.kawamuray.wasmtime.wasi.WasiCtxBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class CProgramsOracleTest {
    static final List<String> PROGRAMS = List.of("integers", "floats", "allocs", "recursion", "demo");

    @TempDir Path dir;

    static Path examples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path e = p.resolve("examples/wasm");
            if (Files.isDirectory(e)) return e;
        }
        throw new IllegalStateException("examples/wasm not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void wasmtimePrintsWhatGccsBuildPrints() throws Exception {
        for (String name : PROGRAMS) {
            Path out = dir.resolve(name + ".out");
            try (WasiCtx wasi = new WasiCtxBuilder().arg(name).stdout(out).build();
                 Store<Void> store = Store.withoutData(wasi);
                 Linker linker = new Linker(store.engine());
                 io.github.kawamuray.wasmtime.Module m = new io.github.kawamuray.wasmtime.Module(store.engine(),
                     Files.readAllBytes(examples().resolve(name + ".wasm")))) {
                WasiCtx.addToLinker(linker);
                linker.module(store, "", m);
                Func start = linker.get(store, "", "_start").orElseThrow().func();
                start.call(store);
            }
            assertEquals(Files.readString(examples().resolve(name + ".expected")), Files.readString(out), name + ".wasm under Wasmtime");
        }
    }

    @Test
    void gccsNativeBuildStillPrintsTheExpectedOutput() throws Exception {
        Path gcc = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, "gcc"))) gcc = Path.of(d, "gcc");
        }
        if (gcc == null) System.out.println("CProgramsOracleTest: skipped, gcc is not installed");
        Assumptions.assumeTrue(gcc != null, "gcc is not installed");
        for (String name : PROGRAMS) {
            Path exe = dir.resolve(name);
            Process cc = new ProcessBuilder(gcc.toString(), "-O2", "-o", exe.toString(), examples().resolve(name + ".c").toString(), "-lm")
                .redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes());
            assertTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
            assertEquals(0, cc.exitValue(), log);
            Process run = new ProcessBuilder(exe.toString()).start();
            String printed = new String(run.getInputStream().readAllBytes());
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, run.exitValue(), name);
            assertEquals(Files.readString(examples().resolve(name + ".expected")), printed, name + " built by gcc");
        }
    }
}
