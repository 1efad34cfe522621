/*
 * Compile a CLIF module and call a function, with a hostcall: the guest computes fib(20)
 * and hands the result to a Java function before it returns it.
 *
 *   mvn -q package exec:exec@compile-and-call
 */
package dev.patchbay.examples;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.Store;

import java.util.ArrayList;
import java.util.List;

public final class CompileAndCall {
    /** fib(n) = n < 2 ? n : fib(n-1) + fib(n-2); the other examples use it too. */
    static final String FIB = """
        function %fib(i64) -> i64 {
            fn0 = %fib(i64) -> i64
        block0(v0: i64):
            v1 = icmp_imm slt v0, 2
            brif v1, block2, block1
        block1:
            v2 = iadd_imm v0, -1
            v3 = call fn0(v2)
            v4 = iadd_imm v0, -2
            v5 = call fn0(v4)
            v6 = iadd v3, v5
            return v6
        block2:
            return v0
        }
        """;

    /** main(n) hands fib(n) to the host's host_log, which returns it. */
    static final String MAIN = """
        function %main(i64) -> i64 {
            fn0 = %fib(i64) -> i64
            fn1 = %host_log(i64) -> i64
        block0(v0: i64):
            v1 = call fn0(v0)
            v2 = call fn1(v1)
            return v2
        }
        """;

    public static void main(String[] args) {
        List<Long> logged = new ArrayList<>();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Module module = Module.fromClif(engine, "fib.clif", FIB + MAIN);
            Instance instance = new Linker()
                .define("host_log", (caller, a) -> {
                    logged.add(a[0]);
                    return a[0];
                })
                .instantiate(store, module);
            long result = instance.func("main").call(20)[0];
            System.out.println("main(20) = " + result + ", host_log saw " + logged);
            check(module.functionNames().equals(List.of("fib", "main")), "the module defines fib and main: " + module.functionNames());
            check(module.importNames().equals(List.of("host_log")), "the module imports host_log: " + module.importNames());
            check(result == 6765, "fib(20) is 6765, got " + result);
            check(logged.equals(List.of(6765L)), "host_log was called once with 6765, saw " + logged);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
