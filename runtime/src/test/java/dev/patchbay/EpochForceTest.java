/*
 * The watcher's rule for forcing a Store into its epoch hook: it holds back only while a
 * force it made moments ago has not been taken yet. These tests drive the rule directly
 * (checkDeadline is what the watcher calls) on CHECK-mode code, which needs no signal
 * handler, so they run in this module.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.internal.sys.Native;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class EpochForceTest {
    static final String RUNAWAY = String.join("\n",
        "function %runaway(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}");

    /**
     * Regression: a deadline that passed less than a millisecond after the previous one had
     * been delivered waited a whole extra millisecond, because the watcher took the earlier,
     * already delivered force for one still on its way. With deadlines every tick of a
     * sub-millisecond ticker, every callback came a millisecond late.
     */
    @Test
    void aDeliveredForceDoesNotHoldBackTheNextDeadline() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().noSiteController().epochInterruption(true)); Store store = new Store(engine)) {
            Instance inst = runaway(engine, store);
            Semaphore called = new Semaphore(0);
            store.onEpochDeadline(s -> {
                called.release();
                return EpochDecision.continueFor(1);
            });
            store.setEpochDeadline(1);
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread guest = startGuest(inst, ended);
            for (int round = 0; round < 50; round++) {
                // Tick without waking the watcher: CHECK-mode code sees the deadline pass by
                // itself, so the only forces in this test are the ones it makes below (a
                // watcher force racing with them would be outstanding, and rightly hold
                // them back).
                Native.putLong(engine.epochCounterAddress(), engine.currentEpoch() + 1);
                assertTrue(called.tryAcquire(10, TimeUnit.SECONDS), "round " + round + ": the deadline callback ran");
                // continueFor(1) counts from the epoch when the callback returns: wait for it,
                // or the next tick could come first and this round's deadline never pass.
                awaitTrue(() -> store.epochDeadline() > engine.currentEpoch(), "round " + round + ": the callback returned");
                // The force that delivered the callback has been taken; a deadline passing
                // now must be forced at once, however recent that force was.
                long before = store.forcesMade();
                assertTrue(store.checkDeadline(engine.currentEpoch() + 1), "a deadline is due");
                assertEquals(before + 1, store.forcesMade(), "round " + round + ": forced at once, not held back");
            }
            assertTrue(store.interrupt());
            guest.join(10_000);
            Trap t = assertInstanceOf(Trap.class, ended.get());
            assertEquals(TrapCode.INTERRUPT, t.code());
        }
    }

    /**
     * Regression: a force made while the deadline callback ran (by interrupt() or by the
     * watcher seeing the next deadline pass) was undone when the callback's continueFor
     * wrote the new deadline over the field force() had zeroed, so CHECK-mode code never
     * entered the hook for it; only the watcher's retry a millisecond later, if any, did.
     */
    @Test
    void aForceDuringTheCallbackSurvivesContinueFor() throws Exception {
        try (Engine engine = new Engine(new EngineConfig().noSiteController().epochInterruption(true)); Store store = new Store(engine)) {
            Instance inst = runaway(engine, store);
            Semaphore inCallback = new Semaphore(0), release = new Semaphore(0);
            store.onEpochDeadline(s -> {
                inCallback.release();
                release.acquireUninterruptibly();
                return EpochDecision.continueFor(1000);
            });
            store.setEpochDeadline(0);
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread guest = startGuest(inst, ended);
            assertTrue(inCallback.tryAcquire(10, TimeUnit.SECONDS), "the deadline callback ran");
            // Forced while the callback runs (as the watcher does when it sees a deadline).
            assertTrue(store.checkDeadline(engine.currentEpoch() + 2000));
            assertTrue(store.epochForcePending());
            release.release();
            // The owner must enter the hook for that force, which gives the fields back.
            awaitTrue(() -> !store.epochForcePending(), "the owner entered the hook for the force made during the callback");
            assertTrue(store.interrupt());
            guest.join(10_000);
            assertEquals(TrapCode.INTERRUPT, assertInstanceOf(Trap.class, ended.get()).code());
        }
    }

    /** The runaway loop in the CHECK mode, which needs no signal handler. */
    static Instance runaway(Engine engine, Store store) {
        return store.instantiate(engine.load(Compiler.compile(ClifParser.parse("r.clif", RUNAWAY).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.EPOCH).withEpochMode(EpochMode.CHECK)).build())));
    }

    /** Runs the loop on a daemon thread; what ends it (a Trap) lands in `ended`. */
    static Thread startGuest(Instance inst, AtomicReference<Throwable> ended) {
        Thread guest = new Thread(() -> {
            try {
                inst.func("runaway").call(1);
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        guest.setDaemon(true);
        guest.start();
        return guest;
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, "within 10 s: " + what);
            Thread.sleep(0, 50_000);
        }
    }
}
