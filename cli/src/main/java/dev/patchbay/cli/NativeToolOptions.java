/*
 * Native tool options shared by `run` and `demo`: --perf makes the Engine write perf's
 * jitdump file, so `perf record -k 1` + `perf inject --jit` + `perf report` name guest
 * functions instead of offsets into "memfd:patchbay:store (deleted)".
 */
package dev.patchbay.cli;

import dev.patchbay.EngineConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

final class NativeToolOptions {
    @Option(names = "--perf", description = "Write jit-PID.dump for perf (record with 'perf record -k 1', then 'perf inject --jit').")
    boolean perf;

    @Option(names = "--perf-dir", paramLabel = "DIR", description = "Directory for jit-PID.dump; implies --perf (default: java.io.tmpdir).")
    Path perfDir;

    @Option(names = "--gdb", description = "Register guest code with gdb's JIT interface, so 'gdb -p PID' then 'bt' names guest frames.")
    boolean gdb;

    /** {@code config} with the asked-for tools turned on. */
    EngineConfig apply(EngineConfig config) {
        if (gdb) config.gdbJit(true);
        if (perfDir != null) return config.perfJitdump(perfDir);
        return perf ? config.perfJitdump(true) : config;
    }

    /** The option a native tool's failure to start is blamed on. */
    String blame() {
        return perf || perfDir != null ? "--perf" : "--gdb";
    }
}
