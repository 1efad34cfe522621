/*
 * Stop a runaway loop from another thread. The Engine needs epoch interruption on and the
 * code needs epoch sites (they cost nothing while idle); store.interrupt() then makes the
 * guest unwind at its next loop back edge with an INTERRUPT Trap, which carries the guest
 * backtrace.
 *
 *   mvn -q package exec:exec@interrupt-runaway
 */
package dev.patchbay.examples;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.concurrent.atomic.AtomicReference;

public final class InterruptRunaway {
    /** Counts until the counter wraps to zero: centuries. */
    static final String CLIF = """
        function %spin(i64) -> i64 {
        block0(v0: i64):
            jump block1(v0)
        block1(v1: i64):
            v2 = iadd_imm v1, 1
            brif v2, block1(v2), block2
        block2:
            return v2
        }

        function %main(i64) -> i64 {
            fn0 = %spin(i64) -> i64
        block0(v0: i64):
            v1 = call fn0(v0)
            return v1
        }
        """;

    public static void main(String[] args) throws Exception {
        CompileOptions withEpochSites = CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.EPOCH)).build();
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            // The site controller (patchbay-signal-handler, found through ServiceLoader) is what
            // arms a running guest's sites; dev.patchbay:patchbay brings it.
            check(engine.hasSiteController(), "the Engine found a site controller");
            Func main = store.instantiate(engine.load(Compiler.compile(ClifParser.parse("runaway.clif", CLIF).functions(), withEpochSites)))
                .func("main");
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    outcome.set(main.call(1)[0]);
                } catch (Trap t) {
                    outcome.set(t);
                }
            }, "guest");
            guest.setDaemon(true);
            guest.start();

            Thread.sleep(50);
            // interrupt() returns false while no guest call is running yet.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!store.interrupt()) {
                check(System.nanoTime() < deadline, "the guest call started");
                Thread.sleep(1);
            }
            long t0 = System.nanoTime();
            guest.join(10_000);
            check(!guest.isAlive(), "the guest stopped within 10 s of interrupt()");
            System.out.printf("guest stopped %.1f us after interrupt() returned: %s%n", (System.nanoTime() - t0) / 1e3, outcome.get());

            check(outcome.get() instanceof Trap, "main() ended with a Trap, not " + outcome.get());
            Trap trap = (Trap) outcome.get();
            System.out.print(trap.formatBacktrace());
            check(trap.code().equals(TrapCode.INTERRUPT), "the trap code is interrupt, not " + trap.code());
            check(trap.backtrace().size() >= 2 && trap.backtrace().get(0).function().equals("spin")
                    && trap.backtrace().get(1).function().equals("main"),
                "the backtrace is spin <- main: " + trap.backtrace());
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
