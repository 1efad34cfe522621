/*
 * What the CPU running the compiler can execute, for the instructions outside the x86-64
 * baseline that the backend emits. Code is compiled in the process that runs it (a JIT),
 * so the compiling CPU is the target. SSE4.1 (roundss/roundsd) is taken for granted, as
 * every x86-64 CPU since 2008 has it; FMA3 is not (pre-Haswell, some VMs mask it), so
 * `fma` is refused without it (Compiler.backendRefusal).
 *
 * Linux only, like the project: the flags come from /proc/cpuinfo, read once. The
 * property patchbay.cpu.fma=false hides FMA, to test the refusal on any machine.
 */
package dev.patchbay.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** The CPU features the x86-64 backend asks about. */
public final class CpuFeatures {
    private CpuFeatures() {}

    private static final boolean FMA = detectFma();

    private static boolean detectFma() {
        if ("false".equals(System.getProperty("patchbay.cpu.fma"))) return false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) return Pattern.compile("\\bfma\\b").matcher(line).find();
            }
        } catch (IOException | SecurityException e) {
            return false;
        }
        return false;
    }

    /**
     * Whether the CPU has FMA3.
     *
     * @return true if vfmadd213ss/sd may be emitted
     */
    public static boolean hasFma() {
        return FMA;
    }
}
