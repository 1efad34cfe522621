/*
 * Count and time guest calls with the instrumentation profiler. With profiling on,
 * Module.fromClif compiles the code with profile sites: 5-byte NOPs until enable()
 * patches them into calls to native hooks; no Java runs per call.
 *
 *   mvn -q package exec:exec@profile-calls
 */
package dev.patchbay.examples;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.profiler.FunctionProfile;
import dev.patchbay.profiler.ProfileSnapshot;
import dev.patchbay.profiler.Profiler;

import java.time.Duration;

public final class ProfileCalls {
    public static void main(String[] args) throws Exception {
        try (Engine engine = new Engine(new EngineConfig().profiling(true)); Store store = new Store(engine)) {
            Instance instance = store.instantiate(Module.fromClif(engine, "fib.clif", CompileAndCall.FIB));
            long before = instance.func("fib").call(20)[0];     // sites off: nothing is counted

            try (Profiler profiler = Profiler.attach(store)) {   // after the instances it profiles
                check(profiler.enable().await(Duration.ofSeconds(5)), "the profile sites turned on");
                long result = instance.func("fib").call(20)[0];
                ProfileSnapshot snapshot = profiler.snapshot();
                System.out.print(snapshot.format());

                FunctionProfile fib = snapshot.function("fib");
                check(before == 6765 && result == 6765, "fib(20) is 6765 both times");
                check(fib.calls() == 21_891, "fib(20) calls fib 21,891 times, counted " + fib.calls());
                check(fib.totalNanos() > 0 && fib.selfNanos() > 0, "fib's time was measured: " + fib);
            }
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
