/*
 * The NativeTools of an Engine with perf support on: one JIT_CODE_LOAD record per
 * function of every code copy a Store maps, and one for each run of code between
 * functions (trampolines, stubs), named "patchbay:stubs", so no sample in Patchbay code
 * stays anonymous. Unmapping writes nothing: jitdump has no unload record, and perf
 * inject resolves an address reused by a later Store by the later record's timestamp.
 */
package dev.patchbay.internal.nativetools;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.internal.sys.CodeMemory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Writes every mapped function to the process's jit-PID.dump in a directory. */
public final class PerfJitdump implements NativeTools {
    /** The name of code between functions: trampolines, trap and hook stubs. */
    public static final String STUBS = "patchbay:stubs";

    private final JitDump dump;
    private boolean closed;

    /**
     * Opens (or joins) the process's jitdump file in {@code directory}.
     *
     * @param directory where jit-PID.dump goes
     */
    public PerfJitdump(Path directory) {
        this.dump = JitDump.acquire(directory);
    }

    /** The file written. */
    public Path file() { return dump.file(); }

    @Override public void mapped(CodeMemory code, CompiledModule module) {
        List<FunctionInfo> fs = new ArrayList<>(module.functions);
        fs.sort(Comparator.comparingInt(f -> f.start));
        int length = module.codeSize();
        int at = 0;
        for (FunctionInfo f : fs) {
            if (f.start > at) record(code, STUBS, at, f.start);
            record(code, f.name, f.start, f.end);
            at = Math.max(at, f.end);
        }
        if (length > at) record(code, STUBS, at, length);
    }

    private void record(CodeMemory code, String name, int start, int end) {
        if (end <= start) return;
        dump.codeLoaded(name, code.execAddress(start), code.read(start, end - start));
    }

    @Override public void unmapped(CodeMemory code) {}

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        dump.release();
    }
}
