/*
 * A debugger stop does not spend the Store's epoch deadline unless asked to: the epochs
 * that pass while the handler holds the guest move the deadline later, and with
 * setDeadlineRunsWhileStopped(true) they count as the guest's time, as before. The epochs
 * pass inside the handler (incrementEpoch on the owner) and the handler then waits long
 * enough for the epoch watcher to have seen them, so both outcomes are deterministic.
 */
package dev.patchbay.debug;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static dev.patchbay.debug.DebuggerTest.SPIN;
import static dev.patchbay.debug.DebuggerTest.compile;
import static dev.patchbay.debug.DebuggerTest.sum;
import static org.junit.jupiter.api.Assertions.*;

class DebuggerDeadlineTest {
    static final long DEADLINE = 5, STOPPED = 20;

    /** Runs %spin(n) with a deadline of 5 epochs and one stop during which 20 epochs pass. */
    static Object runWithALongStop(Engine engine, Store store, boolean deadlineRuns) throws Exception {
        Instance inst = store.instantiate(engine.load(compile("spin.clif", SPIN, EpochMode.FUSED)));
        Debugger dbg = store.debugger();
        dbg.setDeadlineRunsWhileStopped(deadlineRuns);
        dbg.onStop(e -> {
            for (int i = 0; i < STOPPED; i++) engine.incrementEpoch();
            try {
                // The watcher was woken by each increment: give it time to force the owner.
                Thread.sleep(200);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
            return DebugAction.CONTINUE;
        });
        dbg.edit().add(Location.line(6), BreakpointOptions.builder().hitCondition("1").build()).apply();
        store.setEpochDeadline(DEADLINE);
        try {
            return inst.func("spin").call(100_000)[0];
        } catch (Trap t) {
            return t;
        }
    }

    @Test
    void aStopDoesNotSpendTheDeadlineByDefault() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            long start = engine.currentEpoch();
            assertEquals(sum(100_000), runWithALongStop(engine, store, false), "20 epochs stopped do not pass a 5-epoch deadline");
            assertEquals(start + STOPPED, engine.currentEpoch());
            // The deadline still runs while the guest does: it moved by the stop, no more.
            store.debugger().edit().removeAll().apply();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    outcome.set(store.instantiate(engine.load(compile("spin2.clif", SPIN, EpochMode.FUSED))).func("spin").call(Long.MAX_VALUE)[0]);
                } catch (Trap t) {
                    outcome.set(t);
                }
            }, "guest");
            store.setEpochDeadline(DEADLINE);
            guest.start();
            Thread.sleep(20);
            for (int i = 0; i < DEADLINE + 1; i++) engine.incrementEpoch();
            guest.join(10_000);
            assertFalse(guest.isAlive(), "the deadline interrupts a guest that runs");
            assertEquals(TrapCode.INTERRUPT, ((Trap) outcome.get()).code());
        }
    }

    @Test
    void setDeadlineRunsWhileStoppedLetsAStopSpendIt() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Object r = runWithALongStop(engine, store, true);
            assertTrue(r instanceof Trap, "the deadline passed during the stop: " + r);
            assertEquals(TrapCode.INTERRUPT, ((Trap) r).code());
        }
    }
}
