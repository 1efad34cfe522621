/*
 * A guest whose time is in long straight-line functions with a known cost split: %a is 3K
 * and %b is K (imul, iadd) pairs on one dependency chain, so %a costs three times %b, and
 * neither has a loop, a stack check or a patch site. %main(n) calls both n times. With only
 * epoch sites, main's loop back edge is the only site: a site-biased sampler charges
 * everything to %main.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.Store;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

final class StraightLine {
    private StraightLine() {}

    static final int K = 1000;

    static String chain(String name, int pairs) {
        StringBuilder sb = new StringBuilder();
        sb.append("function %").append(name).append("(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iadd_imm v0, 1\n");
        int v = 1;
        for (int i = 0; i < pairs; i++) {
            sb.append("    v").append(v + 1).append(" = imul v").append(v).append(", v0\n");
            sb.append("    v").append(v + 2).append(" = iadd v").append(v + 1).append(", v0\n");
            v += 2;
        }
        sb.append("    return v").append(v).append("\n}\n");
        return sb.toString();
    }

    static String clif() {
        return chain("a", 3 * K) + chain("b", K) + String.join("\n",
            "function %main(i64, i64) -> i64 {",
            "    fn0 = colocated %a(i64) -> i64",
            "    fn1 = colocated %b(i64) -> i64",
            "block0(v0: i64, v1: i64):",
            "    v2 = iconst.i64 0",
            "    jump block1(v2, v2)",
            "block1(v3: i64, v4: i64):",
            "    v5 = call fn0(v1)",
            "    v6 = call fn1(v1)",
            "    v7 = iadd v4, v5",
            "    v8 = iadd v7, v6",
            "    v9 = iadd_imm v3, 1",
            "    v10 = icmp ult v9, v0",
            "    brif v10, block1(v9, v8), block2",
            "block2:",
            "    return v8",
            "}", "");
    }

    static Engine engine() { return new Engine(new EngineConfig().epochInterruption(true)); }

    static Instance instantiate(Engine engine, Store store) {
        return store.instantiate(Module.fromClif(engine, "straight.clif", clif()));
    }

    /** Runs main(20000, 3) in a loop on a thread of its own until stopped. */
    static final class Runner implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;
        volatile long calls;

        Runner(Instance inst, java.util.function.Function<Runnable, Thread> factory) {
            Func main = inst.func("main");
            Runnable r = () -> {
                try {
                    Object first = null;
                    while (!stop.get()) {
                        Object res = main.call(2000L, 3L)[0];
                        if (first == null) first = res;
                        else if (!first.equals(res)) throw new AssertionError("result changed: " + first + " then " + res);
                        calls++;
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            };
            thread = factory == null ? new Thread(r, "guest") : factory.apply(r);
            thread.start();
        }

        Runner(Instance inst) { this(inst, null); }

        /** Waits until the owner is inside a guest call. */
        void awaitRunning() throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (calls == 0 && System.nanoTime() < deadline && failure.get() == null) Thread.sleep(5);
        }

        @Override public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
            if (failure.get() != null) throw new AssertionError("guest failed", failure.get());
        }
    }
}
