/*
 * Regression test for a liveness bug the virtual owners found (fixed by StoreLock, whose
 * lock() never waits behind a queue head that cannot run). Before the fix it deadlocked in
 * about one run in two, within 6 s.
 *
 * Guests on virtual threads pin their carriers for as long as a call runs (the native
 * frames). A guest in a loop stops at an epoch deadline only once the Engine's watcher
 * (a platform thread) arms its sites, under the Store's lock. When a virtual thread is
 * first in that lock's queue (here a controller calling store.request(), while another
 * thread held the lock) and every carrier is pinned by a running guest, the lock is free
 * but handed to nobody: the queue's head has no carrier to run on, and the watcher (and
 * an interrupter) queued behind it never retry. No deadline or interrupt() is then
 * delivered, to any Store of the Engine (one watcher serves them all), so the guests
 * never return their carriers.
 *
 * Here: as many virtual owners as the scheduler has carriers, each running %forever
 * calls that a deadline callback interrupts after one tick, and a virtual controller per
 * Store requesting plans without a pause. Fails when no owner finishes a call for 5 s, with
 * the thread dump; a fresh platform thread then calls interrupt() (it takes the free lock
 * at its first try) and the guests return.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.EpochTicker;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.*;

@SuppressWarnings("try") // the ticker runs for the length of a try block without being referenced
class VirtualControllerDeadlockTest {
    @Test
    void aVirtualThreadQueuedOnAStoreLockWhileGuestsPinEveryCarrierStopsTheWatcher() throws Exception {
        Assumptions.assumeTrue(Threads.VIRTUAL_THREADS, "needs virtual threads");
        Run run = Run.start("VirtualControllerDeadlock", Duration.ofSeconds(8), 0.03);
        int owners = Math.max(1, Threads.carrierParallelism());
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder calls = new LongAdder();
        String stuck = null;
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Module m = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            Threads.Group g = new Threads.Group(run);
            List<Store> stores = new ArrayList<>();
            for (int o = 0; o < owners; o++) {
                Store store = new Store(engine);
                stores.add(store);
                Instance inst = store.instantiate(m);
                store.onEpochDeadline(s -> EpochDecision.interrupt());
                g.startOwner("owner-" + o, true, () -> {
                    while (!stop.get()) {
                        store.setEpochDeadline(1);
                        Trap t = assertThrows(Trap.class, () -> inst.func("forever").call(0));
                        assertEquals(TrapCode.INTERRUPT, t.code());
                        calls.increment();
                    }
                });
                g.start("controller-" + o, true, () -> {
                    for (long i = 0; !stop.get(); i++) store.request(i % 2 == 0 ? SitePlan.on() : SitePlan.off()).await(Duration.ofSeconds(60));
                });
            }
            long last = calls.sum(), lastAt = System.nanoTime();
            while (run.timeLeft() && !g.failed()) {
                Thread.sleep(50);
                long now = calls.sum();
                if (now != last) {
                    last = now;
                    lastAt = System.nanoTime();
                } else if (System.nanoTime() - lastAt > 5_000_000_000L) {
                    stuck = String.format("no guest call finished for 5 s after %,d calls in %,d ms\n%s", now, run.elapsedMillis(), Threads.dump());
                    break;
                }
            }
            stop.set(true);
            // A fresh platform thread takes the free lock at its first try, and the interrupts get through.
            Thread breaker = new Thread(() -> {
                for (int k = 0; k < 200 && !Thread.currentThread().isInterrupted(); k++) {
                    for (Store s : stores) s.interrupt();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "deadlock-breaker");
            breaker.setDaemon(true);
            breaker.start();
            g.join(System.nanoTime() + 60_000_000_000L);
            breaker.interrupt();
            g.rethrow();
            for (Store s : stores) s.close();
        }
        System.out.println("[stress] VirtualControllerDeadlock: " + (stuck == null ? String.format("%,d calls, no deadlock", calls.sum()) : stuck.split("\n")[0]));
        assertNull(stuck, run.msg("the watcher stopped: " + stuck));
    }
}
