/*
 * Suite 5, resources. 100,000 Store create/instantiate/call/close cycles (with hostcalls,
 * patch requests, deadlines, interrupts and traps mixed in; a fresh owner thread, virtual
 * or platform, for every thousand), Engines created and closed
 * with their watcher and ticker threads, and thousands of Stores alive at once. Afterwards
 * the process is back where it started, as /proc/self sees it: the bytes mapped from
 * Patchbay's memfds, the open descriptors (memfds above all), the threads, and the
 * runtime's own counts of live code memory and Stores.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.EpochTicker;
import dev.patchbay.stress.Resources.Level;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

@SuppressWarnings("try") // tickers run for the length of a try block without being referenced
class ResourceTest {
    /** Waits (a bounded while) for threads that are stopping to be gone, then takes the level. */
    static Level settle(Level want) throws InterruptedException {
        Level now = new Level();
        long until = System.nanoTime() + 10_000_000_000L;
        while ((now.threads > want.threads || now.fds > want.fds) && System.nanoTime() < until) {
            Thread.sleep(20);
            now = new Level();
        }
        return now;
    }

    static void assertBack(Run run, Level before, Level after, String what) {
        assertEquals(before.patchbayMapped, after.patchbayMapped, run.msg(what + ": memfd mappings back to the start\nbefore " + before + "\nafter  " + after));
        assertEquals(before.memfds, after.memfds, run.msg(what + ": no memfd left open\nbefore " + before + "\nafter  " + after));
        assertEquals(before.fds, after.fds, run.msg(what + ": descriptors back to the start\nbefore " + before + "\nafter  " + after));
        // No thread more than at the start (HotSpot, or the JDK's process reaper, may retire
        // one of its own meanwhile), and no Java thread that was not there, Patchbay's included.
        assertTrue(after.threads <= before.threads, run.msg(what + ": threads back to the start\nbefore " + before + "\nafter  " + after
            + "\n" + Threads.dump()));
        List<String> added = new ArrayList<>(after.javaThreads);
        for (String n : before.javaThreads) added.remove(n);
        assertTrue(added.isEmpty(), run.msg(what + ": Java threads that were not there at the start: " + added));
        assertEquals(before.codeMemoryLive, after.codeMemoryLive, run.msg(what + ": CodeMemory objects back to the start"));
        assertEquals(before.codeMemoryBytes, after.codeMemoryBytes, run.msg(what + ": CodeMemory bytes back to the start"));
        // Native leaks (a vmctx, an argument buffer, a site table per cycle) would show as growth
        // of the process's mappings; the JVM and malloc keep some slack, so allow 64 MiB.
        assertTrue(after.totalMapped - before.totalMapped < (64L << 20), run.msg(what + ": all mappings grew by "
            + (after.totalMapped - before.totalMapped) + " bytes\nbefore " + before + "\nafter  " + after));
    }

    @Test
    void hundredThousandStoreCycles() throws Exception {
        Run run = Run.start("Resources.storeCycles", Duration.ofSeconds(15), 0.15);
        long cycles = Stress.soak() ? Long.MAX_VALUE : 100_000;
        SplittableRandom rnd = run.random(0);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true))) {
            Module loops = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            Module host = engine.load(Guests.compile("host.clif", Guests.HOST));
            Linker linker = new Linker()
                .define("host_add", (c, a) -> {
                    if (a[0] == 13 && a[1] == 7) throw new IllegalStateException("unlucky");
                    return a[0] + a[1];
                })
                .define("host_reenter", (c, a) -> c.instance().func("hostloop").call(a[0])[0]);
            // Warm up (JIT, allocator pools, the watcher thread, carrier threads), then take the baseline.
            Threads.Group owners = new Threads.Group(run);
            long[] tally = new long[5];
            long guard = run.deadlinePlus(Duration.ofMinutes(5));
            int owner = 0;
            for (long i = 0; i < 2_000; i += BATCH) cycles(run, owners, owner++, i, i + BATCH, loops, host, linker, engine, rnd, guard, new long[5]);
            Level before = settle(new Level());
            for (long i = 0; i < cycles && (i < 100_000 || run.timeLeft()); i = tally[4]) {
                cycles(run, owners, owner++, i, Math.min(cycles, i + BATCH), loops, host, linker, engine, rnd, guard, tally);
            }
            long traps = tally[1], interrupts = tally[2], requests = tally[3], done = tally[4];
            assertEquals(0, engine.liveStores(), run.msg("every Store closed"));
            Level after = settle(before);
            assertBack(run, before, after, done + " Store cycles");
            Stats.STORE_CYCLES.add(done);
            Stats.OPS.add(done);
            Stats.GUEST_CALLS.add(done);
            Stats.GUEST_TRAPS.add(traps + interrupts);
            Stats.INTERRUPTS.add(interrupts);
            Stats.engineDone(engine);
            Stats.line(run.name, String.format("%,d create/instantiate/call/close cycles (%,d with a trap, %,d interrupted, %,d with "
                + "patch requests) on %s, in %,d ms; before and after: %s", done, traps, interrupts, requests, owners.owners(),
                run.elapsedMillis(), after));
        }
    }

    /** Cycles per owner thread: each batch runs on a fresh owner, so threads come and go as well as Stores. */
    static final int BATCH = 1_000;

    /**
     * Runs cycles `from` until `to` (fewer once the budget is spent, past the first 100,000) on
     * a fresh owner thread (virtual or platform: Threads.virtualOwner) and waits for it.
     * tally[kind]++ for each cycle's outcome, tally[4]++ for each cycle; one owner at a time
     * writes it, and start and join order the writes.
     */
    static void cycles(Run run, Threads.Group owners, int index, long from, long to, Module loops, Module host, Linker linker,
                       Engine engine, SplittableRandom rnd, long guard, long[] tally) throws InterruptedException {
        owners.startOwner("cycles-" + index, index, () -> {
            for (long i = from; i < to && (i < 100_000 || run.timeLeft()); i++) {
                int r = cycle(loops, host, linker, engine, rnd, i);
                Threads.ownerCall();
                tally[r]++;
                tally[4]++;
                if ((i & 1023) == 0) assertTrue(System.nanoTime() < guard, run.msg("cycles within the hang guard: " + i));
                if ((i & 7) == 0) Threads.ownerPause(); // a cycle takes tens of microseconds: pause less often than per call
            }
        });
        owners.join(guard);
        owners.rethrow();
    }

    /** One cycle; returns 0 plain, 1 trapped, 2 interrupted, 3 patched. */
    static int cycle(Module loops, Module host, Linker linker, Engine engine, SplittableRandom rnd, long i) {
        int kind = rnd.nextInt(16);
        try (Store store = new Store(engine)) {
            switch (kind) {
                case 0: { // hostcalls, one of which throws
                    Instance inst = linker.instantiate(store, host);
                    Trap t = assertThrows(Trap.class, () -> inst.func("hostloop").call(20));
                    assertEquals(TrapCode.HOST_ERROR, t.code());
                    assertEquals(Guests.hostloop(10), inst.func("hostloop").call(10)[0]);
                    return 1;
                }
                case 1: { // a trap
                    Instance inst = store.instantiate(loops);
                    store.setStackLimit(16 * 1024);
                    assertEquals(TrapCode.STACK_OVERFLOW, assertThrows(Trap.class, () -> inst.func("down").call(0)).code());
                    return 1;
                }
                case 2: { // a deadline that passed before the call: the watcher watches, the close unwatches
                    Instance inst = store.instantiate(loops);
                    store.onEpochDeadline(s -> EpochDecision.interrupt());
                    store.setEpochDeadline(0);
                    assertEquals(TrapCode.INTERRUPT, assertThrows(Trap.class, () -> inst.func("forever").call(0)).code());
                    return 2;
                }
                case 3: { // patch requests on an idle Store, two instances
                    Instance a = store.instantiate(loops), b = store.instantiate(loops);
                    store.request(SitePlan.on());
                    assertEquals(Guests.calls(100), a.func("calls").call(100)[0]);
                    store.request(SitePlan.off().function("calls"));
                    assertEquals(Guests.sum(100), b.func("sum").call(100)[0]);
                    return 3;
                }
                default: {
                    Instance inst = store.instantiate(loops);
                    long n = 1 + (i % 1000);
                    assertEquals(Guests.sum(n), inst.func("sum").call(n)[0]);
                    return 0;
                }
            }
        }
    }

    @Test
    void enginesComeAndGoWithTheirThreads() throws Exception {
        Run run = Run.start("Resources.engines", Duration.ofSeconds(2), 0.03);
        Module[] keep = new Module[1];
        // Warm up once so class loading and the signal handler's one-time code are done.
        try (Engine e = new Engine(new EngineConfig().epochInterruption(true)); Store s = new Store(e)) {
            keep[0] = null;
            s.instantiate(e.load(Guests.compile("loops.clif", Guests.LOOPS))).func("sum").call(10);
        }
        dev.patchbay.codegen.machinst.CompiledModule cm = Guests.compile("loops.clif", Guests.LOOPS);
        Level before = settle(new Level());
        long engines = 0;
        while (run.timeLeft() || engines < 100) {
            try (Engine engine = new Engine(new EngineConfig().epochInterruption(true).membarrier(engines % 2 == 0));
                 EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
                Module m = engine.load(cm);
                List<Store> stores = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    Store s = new Store(engine);
                    stores.add(s);
                    Instance inst = s.instantiate(m);
                    s.setEpochDeadline(1 + k);
                    s.onEpochDeadline(x -> EpochDecision.continueFor(1));
                    assertEquals(Guests.sum(200_000), inst.func("sum").call(200_000)[0]);
                }
                assertTrue(Resources.patchbayThreads().contains("patchbay-epoch-ticker"), run.msg("the ticker runs"));
                for (Store s : stores) s.close();
            }
            engines++;
        }
        Level after = settle(before);
        assertTrue(Resources.patchbayThreads().isEmpty(), run.msg("no patchbay thread outlives its Engine: " + Resources.patchbayThreads()));
        assertBack(run, before, after, engines + " Engines with tickers and watchers");
        Stats.OPS.add(engines);
        Stats.line(run.name, String.format("%,d Engines (each with a ticker, a watcher and 3 Stores) created and closed; after: %s", engines, after));
    }

    @Test
    void thousandsOfStoresAliveAtOnce() throws Exception {
        Run run = Run.start("Resources.manyStores", Duration.ofSeconds(1), 0.02);
        int live = 3_000;
        long rounds = 0;
        try (Engine engine = new Engine()) {
            Module m = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            try (Store s = new Store(engine)) {
                s.instantiate(m).func("sum").call(10);
            }
            Level before = settle(new Level());
            do {
                List<Store> stores = new ArrayList<>();
                List<Instance> insts = new ArrayList<>();
                for (int i = 0; i < live; i++) {
                    Store s = new Store(engine);
                    stores.add(s);
                    insts.add(s.instantiate(m));
                }
                Level peak = new Level();
                assertEquals(0, peak.memfds - before.memfds, run.msg("a live Store holds no descriptor: " + peak));
                assertTrue(peak.patchbayMapped - before.patchbayMapped >= (long) live * 2 * 4096, run.msg("each Store maps its code twice: " + peak));
                for (int i = 0; i < live; i += 97) assertEquals(Guests.sum(i + 1), insts.get(i).func("sum").call(i + 1)[0]);
                for (Store s : stores) s.close();
                rounds++;
            } while (run.timeLeft());
            assertBack(run, before, settle(before), rounds + " rounds of " + live + " live Stores");
            Stats.STORE_CYCLES.add(rounds * live);
            Stats.OPS.add(rounds * live);
            Stats.line(run.name, String.format("%,d rounds of %,d Stores alive at once (no descriptor each, code mapped twice), all given back",
                rounds, live));
        }
    }
}
