/*
 * The Patchbay half of SideBySideMain, kept in its own class so that the plain mode
 * never loads a Patchbay class. Arming load runs while the main thread repeats the
 * JVM workload; every guest result is checked against its closed form. On JDK 21+ one
 * of the two guests is a virtual thread.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.EpochTicker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

@SuppressWarnings("try") // tickers run for the length of a try block without being referenced
final class PatchbayLoad {
    private PatchbayLoad() {}

    static void run(long millis, int rounds) throws Exception {
        Run run = Run.start("SideBySide.child", Duration.ofMillis(millis), 0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong(), interrupts = new AtomicLong();
        Plans.Outcomes out = new Plans.Outcomes();
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true).membarrier(run.seed % 2 == 0));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Module loops = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            List<Store> stores = new ArrayList<>();
            List<Instance> instances = new ArrayList<>();
            Threads.Group g = new Threads.Group(run);
            for (int t = 0; t < 2; t++) {
                Store store = new Store(engine);
                Instance inst = store.instantiate(loops);
                stores.add(store);
                instances.add(inst);
                SplittableRandom rnd = run.random(t);
                store.onEpochDeadline(s -> rnd.nextInt(20) == 0 ? EpochDecision.interrupt() : EpochDecision.continueFor(1 + rnd.nextInt(3)));
                // One platform and, on JDK 21+, one virtual guest (Threads.virtualOwner).
                g.startOwner("guest-" + t, t, () -> {
                    while (!stop.get()) {
                        long n = 1 + rnd.nextInt(300_000);
                        if (rnd.nextInt(8) == 0) store.setEpochDeadline(1 + rnd.nextInt(3));
                        try {
                            long r = inst.func(rnd.nextBoolean() ? "sum" : "calls").call(n)[0];
                            if (r != Guests.sum(n) && r != Guests.calls(n)) throw new AssertionError("guest result " + r + " for n=" + n);
                        } catch (Trap e) {
                            if (!e.code().equals(TrapCode.INTERRUPT)) throw e;
                            interrupts.incrementAndGet();
                        }
                        calls.incrementAndGet();
                        Threads.ownerCall();
                        Threads.ownerPause();
                    }
                });
                SplittableRandom crnd = run.random(10 + t);
                g.start("controller-" + t, () -> Plans.controller(run, crnd, () -> store,
                    loops.compiled().patchSites.size(), PatchStormTest.FUNCTIONS, stop, out));
            }
            SplittableRandom irnd = run.random(20);
            g.start("interrupter", () -> {
                while (!stop.get()) {
                    LockSupport.parkNanos(2_000_000L + irnd.nextInt(5_000_000));
                    stores.get(irnd.nextInt(stores.size())).interrupt();
                }
            });
            int runs = 0;
            long end = System.nanoTime() + millis * 1_000_000L;
            do {
                System.out.println("RESULT under-" + runs + "=" + SideBySideMain.workload(rounds));
                runs++;
            } while (System.nanoTime() < end && !g.failed());
            stop.set(true);
            g.join(System.nanoTime() + 60_000_000_000L);
            g.rethrow();
            System.out.println("RESULT runs=" + runs);
            System.out.println("RESULT guest-calls=" + calls.get());
            System.out.println("RESULT interrupts=" + interrupts.get());
            System.out.println("RESULT requests=" + out.applied.sum());
            System.out.println("RESULT armed-traps=" + engine.siteMetrics().trapsTaken());
            System.out.println("RESULT virtual-owner-calls=" + g.virtualCalls.sum());
            System.out.println("RESULT owners=" + g.owners());
            int badSites = 0;
            for (int i = 0; i < stores.size(); i++) {
                String bad = Guests.siteBytesProblem(stores.get(i), instances.get(i));
                if (bad != null) {
                    System.out.println("site bytes of store " + i + ":\n" + bad);
                    badSites++;
                }
                stores.get(i).close();
            }
            System.out.println("RESULT bad-site-stores=" + badSites);
        }
        System.out.println("RESULT after=" + SideBySideMain.workload(rounds));
    }
}
