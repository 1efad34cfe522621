/*
 * EngineConfig.interruptOnThreadInterrupt: Thread.interrupt() of a Store's owner stops its
 * guest the way store.interrupt() does, and behaves like a blocking JDK method towards the
 * thread's interrupt status (consumed by the Trap, whose cause is an InterruptedException).
 * Without the option, Thread.interrupt() does not reach the guest.
 */
package dev.patchbay.epoch;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.patchbay.epoch.EpochGuests.*;
import static org.junit.jupiter.api.Assertions.*;

class ThreadInterruptTest {
    static final String SLEEPY = "function %sleepy(i64) -> i64 {\n    fn0 = %host_sleep(i64) -> i64\n"
        + "block0(v0: i64):\n    v1 = call fn0(v0)\n    return v1\n}\n";

    static Engine engine(boolean threadInterrupts) {
        return new Engine(new EngineConfig().epochInterruption(true).interruptOnThreadInterrupt(threadInterrupts));
    }

    static Instance instance(Engine engine, Store store, CountDownLatch inHost) {
        Linker link = new Linker()
            .define("host_wait", (c, a) -> a[0])
            .define("host_sleep", (c, a) -> {
                inHost.countDown();
                Thread.sleep(a[0]);
                return a[0];
            });
        return link.instantiate(store, Module.fromClif(engine, "guests.clif", RUNAWAY + "\n" + SLEEPY));
    }

    /** Runs fn(arg) on a new thread that records the outcome and its interrupt status after the call. */
    static Thread start(Instance inst, String fn, long arg, boolean interruptFirst,
                        AtomicReference<Object> outcome, AtomicBoolean flagAfter) {
        Thread t = new Thread(() -> {
            if (interruptFirst) Thread.currentThread().interrupt();
            try {
                outcome.set(inst.func(fn).call(arg)[0]);
            } catch (Throwable e) {
                outcome.set(e);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        }, "owner");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static Trap interruptTrap(Object outcome) {
        Trap t = assertInstanceOf(Trap.class, outcome, "the call ended in a Trap");
        assertEquals(TrapCode.INTERRUPT, t.code(), t.toString());
        assertInstanceOf(InterruptedException.class, t.getCause(), "the cause says the thread was interrupted");
        return t;
    }

    @Test
    void threadInterruptStopsARunawayLoopAndConsumesTheStatus() throws Exception {
        try (Engine engine = engine(true); Store store = new Store(engine)) {
            Instance inst = instance(engine, store, new CountDownLatch(1));
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicBoolean flagAfter = new AtomicBoolean(true);
            Thread owner = start(inst, "outer", 1, false, got, flagAfter);
            Thread.sleep(30);
            owner.interrupt();
            owner.join(10_000);
            assertFalse(owner.isAlive(), "Thread.interrupt() stopped the guest");
            Trap t = interruptTrap(got.get());
            assertEquals("runaway", t.backtrace().get(0).function(), t.formatBacktrace());
            assertFalse(flagAfter.get(), "the Trap consumed the interrupt status, as InterruptedException does");
            assertEquals(1, engine.epochMetrics().interrupts());
            assertEquals(closedForm(1000), inst.func("sum").call(1000)[0], "the Store runs normally afterwards");
        }
    }

    @Test
    void aCallOnAnInterruptedThreadStopsAtItsFirstSite() throws Exception {
        try (Engine engine = engine(true); Store store = new Store(engine)) {
            Instance inst = instance(engine, store, new CountDownLatch(1));
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicBoolean flagAfter = new AtomicBoolean(true);
            Thread owner = start(inst, "outer", 1, true, got, flagAfter);
            owner.join(10_000);
            assertFalse(owner.isAlive());
            interruptTrap(got.get());
            assertFalse(flagAfter.get());
        }
    }

    @Test
    void aHostcallInterruptedExceptionIsAnInterruptTrapNotAHostError() throws Exception {
        CountDownLatch inHost = new CountDownLatch(1);
        try (Engine engine = engine(true); Store store = new Store(engine)) {
            Instance inst = instance(engine, store, inHost);
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicBoolean flagAfter = new AtomicBoolean(true);
            Thread owner = start(inst, "sleepy", 60_000, false, got, flagAfter);
            assertTrue(inHost.await(10, TimeUnit.SECONDS));
            owner.interrupt();
            owner.join(10_000);
            assertFalse(owner.isAlive(), "the sleeping hostcall woke");
            interruptTrap(got.get());
            assertFalse(flagAfter.get());
        }
    }

    /** The default: Thread.interrupt() reaches neither the guest nor its epoch machinery. */
    @Test
    void withoutTheOptionThreadInterruptLeavesTheGuestRunning() throws Exception {
        CountDownLatch inHost = new CountDownLatch(1);
        try (Engine engine = engine(false); Store store = new Store(engine)) {
            Instance inst = instance(engine, store, inHost);
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicBoolean flagAfter = new AtomicBoolean();
            Thread owner = start(inst, "outer", 1, false, got, flagAfter);
            Thread.sleep(30);
            owner.interrupt();
            owner.join(300);
            assertTrue(owner.isAlive(), "the guest runs on");
            assertTrue(store.interrupt());
            owner.join(10_000);
            Trap t = assertInstanceOf(Trap.class, got.get());
            assertEquals(TrapCode.INTERRUPT, t.code());
            assertNull(t.getCause(), "store.interrupt() has no InterruptedException cause");
            assertTrue(flagAfter.get(), "nothing consumed the thread's interrupt status");

            // A hostcall's InterruptedException stays what it is: a host_error.
            got.set(null);
            owner = start(inst, "sleepy", 60_000, false, got, flagAfter);
            assertTrue(inHost.await(10, TimeUnit.SECONDS));
            owner.interrupt();
            owner.join(10_000);
            Trap h = assertInstanceOf(Trap.class, got.get());
            assertEquals(TrapCode.HOST_ERROR, h.code());
            assertInstanceOf(InterruptedException.class, h.getCause());
        }
    }

    @Test
    void theOptionNeedsEpochInterruption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Engine(new EngineConfig().interruptOnThreadInterrupt(true)));
        assertTrue(e.getMessage().contains("epochInterruption"), e.getMessage());
    }
}
