/*
 * Stop a runaway loop from another thread. With epoch interruption on, Module.fromClif
 * compiles the code with epoch sites (they cost nothing while idle), and an interrupt
 * makes the guest unwind at its next loop back edge with an INTERRUPT Trap, which carries
 * the guest backtrace.
 *
 *   mvn -q package exec:exec@interrupt-runaway
 */
package dev.patchbay.examples;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.GuestFrame;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.List;
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
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            // The site controller (patchbay-signal-handler, found through ServiceLoader) is what
            // arms a running guest's sites; dev.patchbay:patchbay brings it.
            check(engine.hasSiteController(), "the Engine found a site controller");
            Func main = store.instantiate(Module.fromClif(engine, "runaway.clif", CLIF)).func("main");
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

            Thread.sleep(20);
            // The call has most likely started by now, but on a busy machine it may not have:
            // interruptCurrentOrNext() stops the call running now or, if none is, the next one,
            // so it cannot lose that race (interrupt() would return false before the call starts).
            long t0 = System.nanoTime();
            check(store.interruptCurrentOrNext(), "the interrupt will take effect");
            guest.join(10_000);
            check(!guest.isAlive(), "the guest stopped within 10 s of the interrupt");
            System.out.printf("guest stopped %.1f us after the interrupt: %s%n", (System.nanoTime() - t0) / 1e3, outcome.get());

            check(outcome.get() instanceof Trap, "main() ended with a Trap, not " + outcome.get());
            Trap trap = (Trap) outcome.get();
            System.out.print(trap.formatBacktrace());
            check(trap.code().equals(TrapCode.INTERRUPT), "the trap code is interrupt, not " + trap.code());
            // Innermost first: spin <- main; or main alone if the interrupt came before the call
            // started (the guest then stops at its first epoch site, main's entry).
            List<GuestFrame> bt = trap.backtrace();
            check(!bt.isEmpty() && bt.get(bt.size() - 1).function().equals("main")
                    && bt.stream().allMatch(f -> f.function().equals("spin") || f.function().equals("main")),
                "the backtrace is spin <- main, or main: " + bt);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
