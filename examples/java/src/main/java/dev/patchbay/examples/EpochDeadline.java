/*
 * Give a guest a time budget with epoch deadlines. An EpochTicker advances the Engine's
 * epoch every millisecond; the Store's deadline is 5 ticks away, and each time it passes
 * the callback decides, on the guest's thread: continue for 5 more ticks, three times,
 * then interrupt. The runaway loop of InterruptRunaway thus gets about 20 ms.
 *
 *   mvn -q package exec:exec@epoch-deadline
 */
package dev.patchbay.examples;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.EpochTicker;
import dev.patchbay.Func;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public final class EpochDeadline {
    public static void main(String[] args) {
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             Store store = new Store(engine);
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Func main = store.instantiate(Module.fromClif(engine, "runaway.clif", InterruptRunaway.CLIF)).func("main");
            List<EpochDecision> decisions = new ArrayList<>();
            store.onEpochDeadline(s -> {
                EpochDecision d = decisions.size() < 3 ? EpochDecision.continueFor(5) : EpochDecision.interrupt();
                decisions.add(d);
                return d;
            });
            store.setEpochDeadline(5);

            long t0 = System.nanoTime();
            Object outcome;
            try {
                outcome = main.call(1)[0];
            } catch (Trap t) {
                outcome = t;
            }
            System.out.printf("main() ran %.1f ms: %s, after %s%n", (System.nanoTime() - t0) / 1e6, outcome, decisions);

            check(outcome instanceof Trap && ((Trap) outcome).code().equals(TrapCode.INTERRUPT), "main() was interrupted, not " + outcome);
            check(decisions.toString().equals("[continue(5), continue(5), continue(5), interrupt]"),
                "the callback continued three times, then interrupted: " + decisions);
            check(engine.epochMetrics().deadlinesReached() == 4 && engine.epochMetrics().continues() == 3,
                "the Engine counted 4 deadlines and 3 continues");
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
