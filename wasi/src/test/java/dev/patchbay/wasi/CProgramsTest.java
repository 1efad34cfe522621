package dev.patchbay.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Module;
import dev.patchbay.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The C programs of examples/wasm, built by clang for wasm32-wasi, print under Patchbay exactly
 * what gcc's native build of the same C prints (the .expected files, which CProgramsOracleTest
 * checks against gcc and Wasmtime).
 */
class CProgramsTest {
    static final Path DIR = Path.of("..", "examples", "wasm");

    static String run(Path wasm, List<String> argv, int[] exit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            store.setStackLimit(8L << 20);
            Module module = Module.fromWasm(engine, Files.readAllBytes(wasm));
            exit[0] = WasiCommand.run(store, module, WasiConfig.builder().args(argv).stdout(out).stderr(out).build());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"integers", "floats", "allocs", "recursion", "demo"})
    void printsWhatGccsBuildPrints(String name) throws Exception {
        int[] exit = new int[1];
        String got = run(DIR.resolve(name + ".wasm"), List.of(name), exit);
        assertEquals(Files.readString(DIR.resolve(name + ".expected")), got);
        assertEquals(0, exit[0]);
    }

    @Test
    void anImportWasiDoesNotProvideFailsAtLinkTimeNamingIt() throws Exception {
        // (module (import "wasi_snapshot_preview1" "path_open" (func (param i32))) (memory (export "memory") 1)
        //         (func (export "_start")))
        byte[] wasm = {0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
            1, 8, 2, 0x60, 1, 0x7f, 0, 0x60, 0, 0,
            2, 0x1f, 1, 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1',
            4, 'p', 'a', 't', 'h', 0, 0,
            3, 2, 1, 1,
            5, 3, 1, 0, 1,
            7, 0x13, 2, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0, 6, '_', 's', 't', 'a', 'r', 't', 0, 1,
            10, 4, 1, 2, 0, 0x0b};
        Path f = Files.createTempFile("unknown-import", ".wasm");
        try {
            Files.write(f, wasm);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(f, List.of("x"), new int[1]));
            assertTrue(e.getMessage().contains("path"), e.getMessage());
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
