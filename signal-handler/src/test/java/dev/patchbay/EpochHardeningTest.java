/*
 * Regression tests for the ways epoch interruption could hang a call, spin a thread, say
 * it did what it could not, or touch a freed Store (issue 13, items 8, 9, 11, 14, 15, 16,
 * 19), and for interrupts that reach a hostcall (issue 14). In package dev.patchbay to see
 * the watcher's and the Store table's counts.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.epoch.EpochGuests;
import dev.patchbay.EpochTicker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.patchbay.epoch.EpochGuests.*;
import static org.junit.jupiter.api.Assertions.*;

class EpochHardeningTest {
    /** The epoch tests' guests, and %sleepy(ms): a hostcall that sleeps. */
    static final String CLIF = EpochGuests.RUNAWAY + "\n" + String.join("\n",
        "function %sleepy(i64) -> i64 {",
        "    fn0 = %host_sleep(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    return v1",
        "}");

    static CompiledModule compile(EpochMode mode) {
        return Compiler.compile(ClifParser.parse("hardening.clif", CLIF).functions(),
            CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.EPOCH).withEpochMode(mode)).build());
    }

    static final Linker LINK = new Linker().define("host_wait", (c, a) -> a[0]).define("host_sleep", (c, a) -> {
        Thread.sleep(a[0]);
        return a[0];
    });

    // ---- item 14: deadlines saturate ----

    @Test
    void aDeadlineOfLongMaxValueTicksNeverPasses() {
        try (Engine engine = engine(); EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1)); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(EpochMode.FUSED)));
            store.setEpochDeadline(Long.MAX_VALUE);
            long n = 100_000_000L;
            assertEquals(closedForm(n), inst.func("sum").call(n)[0], "not interrupted at once");
            assertEquals(Long.MAX_VALUE, store.epochDeadline());
            assertEquals(0, engine.epochMetrics().deadlinesReached());
        }
    }

    @Test
    void continueForLongMaxValueRunsTheCallbackOnce() {
        try (Engine engine = engine(); EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1)); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(EpochMode.FUSED)));
            AtomicInteger calls = new AtomicInteger();
            java.util.List<EpochOutcome> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            engine.addListener(new RuntimeListener() {
                @Override public void onEpochDeadline(Store s, EpochOutcome outcome, long nanos) { heard.add(outcome); }
            });
            store.onEpochDeadline(s -> {
                calls.incrementAndGet();
                return EpochDecision.continueFor(Long.MAX_VALUE);
            });
            store.setEpochDeadline(1);
            long n = 400_000_000L;
            assertEquals(closedForm(n), inst.func("sum").call(n)[0]);
            assertEquals(1, calls.get(), "the new deadline is never, not an overflowed past");
            assertEquals(1, heard.size());
            assertEquals(EpochOutcome.Kind.CONTINUE, heard.get(0).kind(), "listeners hear a typed outcome");
            assertEquals(Long.MAX_VALUE, heard.get(0).ticks());
            assertEquals("continue(" + Long.MAX_VALUE + ")", heard.get(0).toString());
        }
    }

    // ---- item 15: interrupt() is truthful, and no retry spins ----

    /**
     * Regression: POLL code could never be interrupted (the poll page is never protected),
     * yet interrupt() said true and the watcher re-forced it every millisecond. An epoch
     * Engine now refuses it, saying why.
     */
    @Test
    void anEpochEngineRefusesPollCode() {
        try (Engine engine = engine()) {
            CompiledModule cm = compile(EpochMode.POLL);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.load(cm));
            assertTrue(e.getMessage().contains("POLL"), e.getMessage());
        }
    }

    /**
     * A guest blocked in a hostcall that ignores interruption cannot take an interrupt
     * until it returns; CHECK code needs the watcher's retries, which back off instead of
     * re-forcing every millisecond (13 ms of CPU a second before).
     */
    @Test
    void theWatchersRetriesBackOff() throws Exception {
        CountDownLatch inHost = new CountDownLatch(1), release = new CountDownLatch(1);
        try (Engine engine = engine(); Store store = new Store(engine)) {
            Instance inst = new Linker().define("host_wait", (c, a) -> a[0]).define("host_sleep", (c, a) -> {
                inHost.countDown();
                awaitUninterruptibly(release);
                return a[0];
            }).instantiate(store, engine.load(compile(EpochMode.CHECK)));
            AtomicReference<Object> got = new AtomicReference<>();
            Thread guest = startCall(inst, "sleepy", 1, got);
            assertTrue(inHost.await(10, TimeUnit.SECONDS));
            assertTrue(store.interrupt());
            Thread.sleep(1000);
            long forces = store.forcesMade();
            // 1 + 2 + 4 + ... + 64 ms, then every 64 ms: about 20 in a second, not 1,000.
            assertTrue(forces <= 30, "the watcher forced " + forces + " times in a second");
            release.countDown();
            guest.join(10_000);
            assertFalse(guest.isAlive());
        }
    }

    // ---- item 16: an interrupt that cannot be lost to the call's start ----

    @Test
    void interruptCurrentOrNextStopsACallThatHasNotStartedYet() {
        try (Engine engine = engine(); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(EpochMode.FUSED)));
            assertFalse(store.interrupt(), "no call runs");
            assertTrue(store.interruptCurrentOrNext());
            Trap t = assertThrows(Trap.class, () -> inst.func("runaway").call(1));
            assertEquals(TrapCode.INTERRUPT, t.code());
            long n = 1000;
            assertEquals(closedForm(n), inst.func("sum").call(n)[0], "it was for one call only");
        }
    }

    /** The race the issue describes, many times over: the interrupt lands before, during or just after the call's start. */
    @ParameterizedTest
    @EnumSource(value = EpochMode.class, names = {"FUSED", "NOP", "CHECK"})
    void interruptCurrentOrNextNeverLosesTheRaceWithTheCallsStart(EpochMode mode) throws Exception {
        try (Engine engine = engine(); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(mode)));
            for (int round = 0; round < 200; round++) {
                CountDownLatch go = new CountDownLatch(1);
                AtomicReference<Object> got = new AtomicReference<>();
                Thread guest = new Thread(() -> {
                    try {
                        go.await();
                        got.set(inst.func("runaway").call(1)[0]);
                    } catch (Throwable t) {
                        got.set(t);
                    }
                });
                guest.setDaemon(true);
                guest.start();
                go.countDown();
                int spin = ThreadLocalRandom.current().nextInt(20_000);
                for (int i = 0; i < spin; i++) Thread.onSpinWait();
                assertTrue(store.interruptCurrentOrNext());
                guest.join(10_000);
                assertFalse(guest.isAlive(), "round " + round + ": the runaway guest was never interrupted");
                Trap t = assertInstanceOf(Trap.class, got.get(), "round " + round);
                assertEquals(TrapCode.INTERRUPT, t.code());
            }
        }
    }

    // ---- issue 14: an interrupt wakes a hostcall ----

    @Test
    void aHostcallBlockedInSleepIsInterruptedAndTheTrapNamesTheGuest() throws Exception {
        try (Engine engine = engine(); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(EpochMode.FUSED)));
            long[] micros = new long[7];
            for (int i = 0; i < micros.length; i++) {
                AtomicReference<Object> got = new AtomicReference<>();
                AtomicReference<Boolean> statusAfter = new AtomicReference<>();
                Thread guest = new Thread(() -> {
                    try {
                        got.set(inst.func("sleepy").call(60_000)[0]);
                    } catch (Throwable t) {
                        got.set(t);
                    }
                    statusAfter.set(Thread.currentThread().isInterrupted());
                });
                guest.start();
                while (guest.getState() != Thread.State.TIMED_WAITING) Thread.sleep(1);
                long t0 = System.nanoTime();
                assertTrue(store.interrupt());
                guest.join(10_000);
                micros[i] = (System.nanoTime() - t0) / 1000;
                Trap t = assertInstanceOf(Trap.class, got.get());
                assertEquals(TrapCode.INTERRUPT, t.code());
                assertInstanceOf(InterruptedException.class, t.getCause());
                assertEquals("sleepy", t.backtrace().get(0).function(), t.formatBacktrace());
                java.io.StringWriter printed = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(printed));
                assertTrue(printed.toString().contains("at guest.%sleepy(+0x"), "the printed trace names the guest: " + printed);
                assertEquals(Boolean.FALSE, statusAfter.get(), "the runtime's own Thread.interrupt() does not outlive the call");
            }
            Arrays.sort(micros);
            assertTrue(micros[micros.length / 2] < 10_000, "interrupt -> hostcall woken and trapped, median " + micros[micros.length / 2] + " us");
        }
    }

    // ---- item 11: Thread.interrupt() of a yielded guest ----

    @Test
    void threadInterruptOfAYieldedGuestUnwindsItWithoutSpinning() throws Exception {
        try (Engine engine = engine(); EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1)); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(EpochMode.FUSED)));
            store.onEpochDeadline(s -> EpochDecision.yieldFor(1));
            store.setEpochDeadline(1);
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicReference<Boolean> statusAfter = new AtomicReference<>();
            Thread guest = new Thread(() -> {
                try {
                    got.set(inst.func("runaway").call(1)[0]);
                } catch (Throwable t) {
                    got.set(t);
                }
                statusAfter.set(Thread.currentThread().isInterrupted());
            });
            guest.setDaemon(true);
            guest.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!store.isYielded() && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(store.isYielded());
            guest.interrupt();
            guest.join(10_000);
            assertFalse(guest.isAlive(), "the parked guest spun instead of ending");
            Trap t = assertInstanceOf(Trap.class, got.get());
            assertEquals(TrapCode.INTERRUPT, t.code());
            assertEquals(Boolean.TRUE, statusAfter.get(), "the caller still sees its thread's interrupt status");
        }
    }

    // ---- item 9: a listener that calls back into the guest ----

    @Test
    void aSafepointListenerThatCallsTheGuestDoesNotLivelock() throws Exception {
        try (Engine engine = engine(); Store store = new Store(engine)) {
            Instance inst = LINK.instantiate(store, engine.load(compile(EpochMode.NOP)));
            AtomicInteger listened = new AtomicInteger();
            store.addSafepointListener(at -> {
                listened.incrementAndGet();
                assertEquals(closedForm(1000), inst.func("sum").call(1000)[0]);
            });
            AtomicReference<Object> got = new AtomicReference<>();
            long n = 300_000_000L;
            Thread guest = startCall(inst, "sum", n, got);
            Thread.sleep(20);
            // Epoch sites on, then a safepoint: every site armed while the listener re-enters.
            assertTrue(store.request(SitePlan.on().kind(SiteKind.EPOCH)).await(Duration.ofSeconds(10)));
            assertTrue(store.requestSafepoint().await(Duration.ofSeconds(10)), "the owner reached the safepoint");
            guest.join(60_000);
            assertEquals(closedForm(n), got.get());
            assertTrue(listened.get() >= 1 && listened.get() <= 2, "listener ran " + listened.get() + " times");
        }
    }

    // ---- item 8: interrupt racing close and the call's end ----

    @Test
    void interruptRacingCloseNeverTouchesAFreedStore() throws Exception {
        try (Engine engine = engine()) {
            Module m = engine.load(compile(EpochMode.FUSED));
            for (int round = 0; round < 300; round++) {
                Store store = new Store(engine);
                Instance inst = LINK.instantiate(store, m);
                Thread guest = new Thread(() -> {
                    try {
                        inst.func("sum").call(ThreadLocalRandom.current().nextInt(50_000));
                    } catch (Trap | IllegalStateException expected) {
                        // interrupted, or closed before it started
                    }
                });
                Thread interrupter = new Thread(() -> {
                    for (int i = 0; i < 1000; i++) {
                        try {
                            store.interrupt();
                            store.interruptCurrentOrNext();
                        } catch (IllegalStateException e) {
                            assertEquals("store is closed", e.getMessage());
                            return;
                        }
                    }
                });
                guest.start();
                interrupter.start();
                guest.join();
                store.close();
                interrupter.join();
                // A Store allocated next (malloc may hand it the same block) is not interrupted.
                try (Store next = new Store(engine)) {
                    Instance i2 = LINK.instantiate(next, m);
                    assertEquals(closedForm(100_000), i2.func("sum").call(100_000)[0], "round " + round);
                }
            }
            assertEquals(0, engine.watcher().watchedCount(), "closed Stores leave the watcher's set");
        }
    }

    // ---- item 19: what is dropped without close() is reclaimed ----

    @Test
    void storesDroppedWithoutCloseAreReclaimed() throws Exception {
        try (Engine engine = engine()) {
            Module m = engine.load(compile(EpochMode.FUSED));
            int before = StoreTable.liveCount();
            for (int i = 0; i < 3000; i++) {
                Store s = new Store(engine);
                LINK.instantiate(s, m).func("sum").call(10);
                if (i % 3 == 0) s.setEpochDeadline(1_000_000);
            }
            awaitGc(() -> StoreTable.liveCount() <= before, () -> "Stores dropped without close() were never freed: " + StoreTable.liveCount());
            awaitGc(() -> engine.liveStores() == 0, () -> "the Engine still counts " + engine.liveStores() + " Stores");
            awaitGc(() -> engine.watcher().watchedCount() == 0, () -> "the watcher still watches " + engine.watcher().watchedCount());
        }
    }

    @Test
    void enginesDroppedWithoutCloseStopTheirWatcherThreads() throws Exception {
        for (int i = 0; i < 200; i++) {
            Engine e = engine();
            Store s = new Store(e);
            LINK.instantiate(s, e.load(compile(EpochMode.FUSED))).func("sum").call(10);
        }
        awaitGc(() -> watcherThreads() <= 20, () -> "watcher threads left: " + watcherThreads());
    }

    static long watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("patchbay-epoch-watcher")).count();
    }

    static void awaitGc(java.util.function.BooleanSupplier done, java.util.function.Supplier<String> message) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(done.getAsBoolean(), message);
    }
}
