package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.Store;

/**
 * The child JVM of GdbJitCliTest: with gdb support on, %outer calls the hostcall %ready,
 * which prints "READY pid tid" from inside the guest call, then calls %runaway, which
 * never returns. The test attaches gdb and kills this process. With --wait it first
 * prints "WAITING pid" and reads a line, so gdb can attach before any code exists.
 */
public final class GdbGuestChild {
    static final String CLIF = String.join("\n",
        "function %runaway(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}",
        "function %outer(i64) -> i64 {",
        "    fn0 = %ready(i64) -> i64",
        "    fn1 = %runaway(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = call fn1(v1)",
        "    v3 = iadd_imm v2, 1",
        "    return v3",
        "}");

    public static void main(String[] args) throws Exception {
        java.util.List<String> opts = java.util.List.of(args);
        boolean gdb = !opts.contains("--no-gdb");
        if (opts.contains("--wait")) {
            // Attach first, then register: gdb learns of the code at its breakpoint.
            System.out.println("WAITING " + ProcessHandle.current().pid());
            System.out.flush();
            if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine() == null) return;
        }
        try (Engine engine = new Engine(new EngineConfig().gdbJit(gdb)); Store store = new Store(engine)) {
            Module m = Module.fromClif(engine, "gdb-child.clif", CLIF);
            Instance inst = new Linker().define("ready", (c, a) -> {
                System.out.println("READY " + ProcessHandle.current().pid() + " " + dev.patchbay.internal.sys.Native.gettid());
                System.out.flush();
                return a[0];
            }).instantiate(store, m);
            System.out.println(inst.func("outer").call(1)[0]);
        }
    }
}
