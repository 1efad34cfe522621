/*
 * The gcc -O2 baseline of the epoch benchmark (issue 15): the six kernels written in C
 * (benchmarks/src/main/resources/kernels/c, one file beside each .clif, same algorithm,
 * types and input), compiled at run time with the system's gcc and called as guest code is.
 *
 * Problem: the idle-site ratios are ratios to Patchbay's own code without sites, so a slow
 * baseline flatters them; the backend's quality needs a fixed outside reference measured
 * in the same rounds. Approach: when gcc is on PATH, compile the C kernels with `gcc -O2`
 * into one shared library per function pad of the suite (kernel.h explains the pad),
 * dlopen each with jffi, and call the entry points through runtime's native facade
 * (Native.call, the jffi call path Func.call ends in), so both sides pay the same kind of
 * crossing. Without gcc, or when it fails, the caller gets Unavailable with a reason to
 * print, and the suite measures everything else.
 *
 * Invariants: every C kernel's entry point lies at or after its section's start label, and
 * that label sits at the pad modulo 64 (checked when loading, so a compiler that moved the
 * asm fails loudly instead of measuring a different placement); the libraries stay loaded
 * as long as this object is reachable (jffi may dlclose them once it is collected).
 */
package dev.patchbay.bench;

import com.kenai.jffi.Library;
import dev.patchbay.internal.sys.Native;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

public final class GccBaseline {
    /**
     * The flags every C kernel is compiled with, before -DPAD=N. -O2 is the baseline;
     * -fno-toplevel-reorder only keeps the pad's asm before the kernel (it changes the
     * order of output, not the code), and -fPIC -shared make a library to dlopen.
     */
    public static final List<String> FLAGS = List.of("-O2", "-fno-toplevel-reorder", "-fPIC", "-shared");
    /** The compiler to run: a name looked up on PATH, or a path. */
    static final String COMPILER = System.getProperty("patchbay.bench.gcc", "gcc");
    private static final long COMPILE_TIMEOUT_SECONDS = 120;

    /** Why there is no baseline: no compiler, or it failed. The message says which, to print. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) { super(reason); }
    }

    private final String version;
    private final int[] pads;
    /** entry point per kernel name and pad index. */
    private final Map<String, long[]> entries;
    /** Held so that jffi does not dlclose the code while it may run. */
    private final List<Library> libraries;

    private GccBaseline(String version, int[] pads, Map<String, long[]> entries, List<Library> libraries) {
        this.version = version;
        this.pads = pads.clone();
        this.entries = entries;
        this.libraries = libraries;
    }

    /** Compiles every kernel of {@link Kernels#ALL} at each pad with the default compiler. */
    public static GccBaseline compile(int[] pads) throws Unavailable {
        return compile(COMPILER, pads);
    }

    /** Compiles every kernel of {@link Kernels#ALL} at each pad with {@code compiler}. */
    static GccBaseline compile(String compiler, int[] pads) throws Unavailable {
        Path gcc = find(compiler);
        String version = version(gcc);
        Path dir;
        try {
            dir = Files.createTempDirectory("patchbay-gcc-kernels");
        } catch (IOException e) {
            throw new Unavailable("cannot create a temporary directory for the C kernels: " + e.getMessage());
        }
        try {
            List<String> sources = writeSources(dir);
            List<Library> libraries = new ArrayList<>();
            Map<String, long[]> entries = new HashMap<>();
            for (Kernels.Kernel k : Kernels.ALL) entries.put(k.name, new long[pads.length]);
            for (int p = 0; p < pads.length; p++) {
                Path so = dir.resolve("kernels-pad" + pads[p] + ".so");
                List<String> cmd = new ArrayList<>();
                cmd.add(gcc.toString());
                cmd.addAll(FLAGS);
                cmd.add("-DPAD=" + pads[p]);
                cmd.add("-o");
                cmd.add(so.toString());
                cmd.addAll(sources);
                run(cmd, dir);
                Library lib = Library.openLibrary(so.toString(), Library.NOW | Library.LOCAL);
                if (lib == null) throw new Unavailable("cannot load " + so + ": " + Library.getLastError());
                libraries.add(lib);
                for (Kernels.Kernel k : Kernels.ALL) entries.get(k.name)[p] = entry(lib, k.name, pads[p]);
            }
            return new GccBaseline(version, pads, entries, libraries);
        } finally {
            deleteTree(dir); // loaded libraries stay mapped
        }
    }

    /** gcc's own first line of --version, e.g. "gcc (Debian 12.2.0-14+deb12u1) 12.2.0". */
    public String version() { return version; }

    /** The command line, as a reader would type it for one pad. */
    public String command() { return "gcc " + String.join(" ", FLAGS) + " -DPAD=N"; }

    /** Runs kernel {@code name} compiled at pad index {@code pad} on {@code arg}. */
    public long call(String name, int pad, long arg) {
        return Native.call(entries.get(name)[pad], arg);
    }

    int[] pads() { return pads.clone(); }

    private static long entry(Library lib, String name, int pad) {
        long start = lib.getSymbolAddress("kernel_" + name + "_start");
        long entry = lib.getSymbolAddress("kernel_" + name);
        if (start == 0 || entry == 0) {
            throw new IllegalStateException("the C kernel " + name + ".c defines no kernel_" + name
                + (start == 0 ? "_start (KERNEL_SECTION missing)" : ""));
        }
        if ((start & 63) != (pad & 63) || entry < start) {
            throw new IllegalStateException(String.format(
                "the C kernel %s landed at %#x (section start %#x) for pad %d: gcc did not keep the pad before it", name, entry, start, pad));
        }
        return entry;
    }

    private static Path find(String compiler) throws Unavailable {
        if (compiler.contains("/")) {
            Path p = Path.of(compiler);
            if (Files.isExecutable(p)) return p;
            throw new Unavailable(compiler + " is not an executable file");
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, compiler);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
        }
        throw new Unavailable(compiler + " not found on PATH");
    }

    private static String version(Path gcc) throws Unavailable {
        String out = run(List.of(gcc.toString(), "--version"), null);
        String first = out.lines().findFirst().orElse("").trim();
        return first.isEmpty() ? gcc.toString() : first;
    }

    /** Writes the kernels' C files and their header to dir; returns the .c paths. */
    private static List<String> writeSources(Path dir) throws Unavailable {
        List<String> sources = new ArrayList<>();
        List<String> names = new ArrayList<>();
        names.add("kernel.h");
        for (Kernels.Kernel k : Kernels.ALL) names.add(k.name + ".c");
        for (String n : names) {
            try (InputStream in = GccBaseline.class.getResourceAsStream("/kernels/c/" + n)) {
                if (in == null) throw new IllegalStateException("resource /kernels/c/" + n + " is missing");
                Path f = dir.resolve(n);
                Files.write(f, in.readAllBytes());
                if (n.endsWith(".c")) sources.add(f.toString());
            } catch (IOException e) {
                throw new Unavailable("cannot write the C kernels to " + dir + ": " + e.getMessage());
            }
        }
        return sources;
    }

    /** Runs cmd and returns its output (stdout and stderr); a failure is Unavailable with that output. */
    private static String run(List<String> cmd, Path dir) throws Unavailable {
        String shown = String.join(" ", cmd);
        Path log = null;
        try {
            // To a file, not a pipe: a compiler that hangs cannot then also block our read.
            log = Files.createTempFile("patchbay-gcc", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            if (dir != null) pb.directory(dir.toFile());
            Process proc = pb.start();
            if (!proc.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                throw new Unavailable(shown + " did not finish within " + COMPILE_TIMEOUT_SECONDS + " s");
            }
            String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            if (proc.exitValue() != 0) throw new Unavailable(shown + " failed (exit " + proc.exitValue() + "):\n" + out.strip());
            return out;
        } catch (IOException e) {
            throw new Unavailable("cannot run " + shown + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while running " + shown);
        } finally {
            if (log != null) log.toFile().delete();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
