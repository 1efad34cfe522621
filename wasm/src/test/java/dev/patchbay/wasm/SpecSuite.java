/*
 * Finds the Wasm 2.0 spec suite (../shared/wasm-testsuite beside the repository) and wabt's
 * wast2json, and converts every non-SIMD .wast file into JSON plus .wasm files in a
 * temporary directory, once per test JVM. Callers skip, printing why, when either is absent.
 *
 * wast2json 1.0.32 needs no feature flags for these files: its defaults are the Wasm 2.0
 * features. --enable-all is wrong here: it turns on function-references, under which
 * ref_func.wast and table_grow.wast no longer type-check ("(ref 0)" is not funcref).
 */
package dev.patchbay.wasm;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.ToNumberPolicy;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

final class SpecSuite {
    private static final Gson WAST_JSON = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.LAZILY_PARSED_NUMBER).create();

    private SpecSuite() {}

    /** One converted .wast file: its name, its wast2json commands, and where its .wasm files are. */
    record Script(String name, List<Map<String, Object>> commands, Path dir) {
        byte[] module(Map<String, Object> command) throws IOException {
            return Files.readAllBytes(dir.resolve((String) command.get("filename")));
        }
    }

    private static List<Script> scripts;
    private static List<String> simdFiles;

    static void skip(String why) {
        System.out.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    static Path suiteDir() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("wasm-testsuite");
            if (Files.isDirectory(candidate)) return candidate;
        }
        return null;
    }

    static Path wast2json() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(":")) {
            Path p = Paths.get(d.isEmpty() ? "." : d, "wast2json");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** The converted scripts, or a skip (with the reason printed) when the suite or wast2json is missing. */
    static synchronized List<Script> scripts() throws Exception {
        if (scripts != null) return scripts;
        Path suite = suiteDir();
        if (suite == null) skip("../shared/wasm-testsuite is not beside the repository");
        Path tool = wast2json();
        if (tool == null) skip("wast2json is not on PATH (Debian package wabt)");
        Path out = Files.createTempDirectory("patchbay-wast");
        out.toFile().deleteOnExit();
        List<Script> result = new ArrayList<>();
        List<String> simd = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(suite)) {
            files = s.filter(p -> p.toString().endsWith(".wast")).sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString().replace(".wast", "");
            if (name.startsWith("simd_")) {
                simd.add(name);
                continue;
            }
            Path dir = Files.createDirectories(out.resolve(name));
            Path json = dir.resolve(name + ".json");
            Process p = new ProcessBuilder(tool.toString(), f.toString(), "-o", json.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("wast2json timed out on " + f);
            }
            if (p.exitValue() != 0) throw new AssertionError("wast2json failed on " + f + ": " + output);
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) WAST_JSON.fromJson(Files.readString(json), Object.class);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> commands = (List<Map<String, Object>>) root.get("commands");
            result.add(new Script(name, commands, dir));
        }
        scripts = List.copyOf(result);
        simdFiles = List.copyOf(simd);
        return scripts;
    }

    static synchronized List<String> simdFiles() throws Exception {
        scripts();
        return simdFiles;
    }
}
