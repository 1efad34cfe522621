/*
 * Suite 1, patch storms. Guest threads each own a Store and run hot loops, calls,
 * recursion and hostcalls (platform and, on JDK 21+, virtual threads that park between
 * calls and come back on other carriers); controller threads request random plans against them (all
 * on, all off, single sites, one function, one kind, safepoint-only, bursts); meanwhile
 * an interrupter calls interrupt() at random, a ticker drives epoch deadlines whose
 * callbacks continue, yield (a scheduler resumes them) or interrupt, and a safepoint
 * listener walks guest stacks at armed sites.
 *
 * Checked: every guest result equals its closed form (or the call ends in an INTERRUPT
 * trap, the only trap these programs can raise); every request completes within its
 * hang guard; afterwards every site's bytes are exactly its on or its off form, and each
 * Store still computes correctly with all sites on and all off.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.EpochDecision;
import dev.patchbay.Func;
import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.Linker;
import dev.patchbay.Module;
import dev.patchbay.PatchRequest;
import dev.patchbay.RuntimeListener;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.EpochTicker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

@SuppressWarnings("try") // tickers run for the length of a try block without being referenced
class PatchStormTest {
    static final int GUESTS = 3, CONTROLLERS = 2;
    static final Duration GUARD = Duration.ofSeconds(60);
    static final Duration AWAIT = Duration.ofSeconds(30);

    static final CompiledModule LOOPS = Guests.compile("loops.clif", Guests.LOOPS);
    static final CompiledModule HOST = Guests.compile("host.clif", Guests.HOST);
    static final String[] FUNCTIONS = {"sum", "nested", "step", "calls", "tri", "forever", "down", "hostloop", "reenter"};

    /** One guest thread's world: its Store, instances and counters. */
    static final class Guest {
        final int index;
        final Store store;
        final Instance loops, host;
        final SplittableRandom rnd;
        final LongAdder calls = new LongAdder(), interrupts = new LongAdder(), deadlines = new LongAdder();
        boolean forever;
        int foreverDeadlines;

        Guest(int index, Engine engine, Module loopsModule, Module hostModule, SplittableRandom rnd) {
            this.index = index;
            this.store = new Store(engine);
            this.loops = store.instantiate(loopsModule);
            Instance[] self = new Instance[1];
            this.host = new Linker()
                .define("host_add", (c, a) -> a[0] + a[1])
                .define("host_reenter", (c, a) -> self[0].func("sum").call(a[0])[0])
                .instantiate(store, hostModule);
            self[0] = loops;
            this.rnd = rnd;
        }
    }

    @ParameterizedTest(name = "membarrier={0}")
    @ValueSource(booleans = {false, true})
    void stormOfRandomPlansAgainstRunningGuests(boolean membarrier) throws Exception {
        Run run = Run.start("PatchStorm[membarrier=" + membarrier + "]", Duration.ofSeconds(6), 0.16);
        Engine engine = new Engine(new EngineConfig().epochInterruption(true).membarrier(membarrier));
        assertTrue(engine.hasSiteController(), "the signal-handler module provides the controller");
        engine.addListener(new RuntimeListener() {
            @Override public void onEpochDeadline(Store store, dev.patchbay.EpochOutcome outcome, long nanosSinceRequest) {
                if (nanosSinceRequest > 0) Stats.max(Stats.MAX_INTERRUPT_NANOS, nanosSinceRequest);
            }
        });
        Module loopsModule = engine.load(LOOPS), hostModule = engine.load(HOST);
        List<Guest> guests = new ArrayList<>();
        for (int i = 0; i < GUESTS; i++) guests.add(new Guest(i, engine, loopsModule, hostModule, run.random(i)));
        Threads.Group workers = new Threads.Group(run), controllers = new Threads.Group(run), helpers = new Threads.Group(run);
        AtomicBoolean stopGuests = new AtomicBoolean(), stopControllers = new AtomicBoolean(), stopHelpers = new AtomicBoolean();
        LongAdder requests = new LongAdder(), samples = new LongAdder(), interruptsSent = new LongAdder();
        Set<String> names = Set.of(FUNCTIONS);

        for (Guest g : guests) {
            g.store.addSafepointListener(at -> {
                // Runs on the owner at an armed site: walk the guest stack like a sampler.
                try {
                    List<GuestFrame> bt = at.backtrace();
                    if (bt.isEmpty()) throw new AssertionError("empty backtrace at a safepoint, at " + at);
                    for (GuestFrame f : bt) if (!names.contains(f.function())) throw new AssertionError("unknown frame " + f);
                    samples.increment();
                } catch (Throwable t) {
                    workers.failure.compareAndSet(null, t);
                }
            });
            g.store.onEpochDeadline(s -> {
                g.deadlines.increment();
                if (g.forever && ++g.foreverDeadlines >= 3) return EpochDecision.interrupt();
                int r = g.rnd.nextInt(100);
                if (r < 70) return EpochDecision.continueFor(1 + r % 3);
                if (r < 90) return EpochDecision.yieldFor(1 + r % 2);
                return EpochDecision.interrupt();
            });
        }

        try (EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            // Owners: platform and virtual threads, alternately (Threads.virtualOwner). Controllers
            // stay platform threads, which run while virtual guests pin every carrier (virtual
            // controllers: VirtualControllerDeadlockTest).
            for (Guest g : guests) workers.startOwner("guest-" + g.index, g.index, () -> guestLoop(run, g, stopGuests));
            for (int c = 0; c < CONTROLLERS; c++) {
                SplittableRandom rnd = run.random(100 + c);
                controllers.start("controller-" + c, () -> controllerLoop(run, rnd, guests, stopControllers, requests));
            }
            SplittableRandom irnd = run.random(200);
            helpers.start("interrupter", () -> {
                while (!stopHelpers.get()) {
                    LockSupport.parkNanos(1_000_000L + irnd.nextInt(8_000_000));
                    if (stopControllers.get()) continue;
                    if (guests.get(irnd.nextInt(guests.size())).store.interrupt()) interruptsSent.increment();
                }
            });
            helpers.start("scheduler", () -> {
                // Resumes guests that a yieldFor decision parked.
                while (!stopHelpers.get()) {
                    for (Guest g : guests) if (g.store.isYielded()) g.store.resume();
                    LockSupport.parkNanos(200_000L);
                }
            });

            boolean stopped = false;
            try {
                while (run.timeLeft() && !workers.failed() && !controllers.failed() && !helpers.failed()) Thread.sleep(20);
                stopControllers.set(true);
                controllers.join(run.deadlinePlus(GUARD));
                stopGuests.set(true);
                workers.join(run.deadlinePlus(GUARD.multipliedBy(2)));
                stopHelpers.set(true);
                helpers.join(run.deadlinePlus(GUARD.multipliedBy(2)));
                stopped = true;
            } finally {
                if (!stopped) {
                    // A failure: stop every thread, and interrupt guests that may be in %forever, so
                    // that none keeps a CPU (or, virtual, a carrier) from the tests that follow.
                    stopControllers.set(true);
                    stopGuests.set(true);
                    stopHelpers.set(true);
                    Threads.interruptFor(Duration.ofSeconds(10), guests.stream().map(g -> g.store).collect(Collectors.toList()));
                }
            }
        }
        workers.rethrow();
        controllers.rethrow();
        helpers.rethrow();

        long calls = 0, interrupts = 0, deadlines = 0;
        for (Guest g : guests) {
            // Guests stopped and every request was applied: no site is armed or half-written.
            assertNull(Guests.siteBytesProblem(g.store, g.loops), run.msg("guest " + g.index + " loops"));
            assertNull(Guests.siteBytesProblem(g.store, g.host), run.msg("guest " + g.index + " host"));
            g.store.setEpochDeadline(1_000_000);
            for (SitePlan p : new SitePlan[] {SitePlan.on(), SitePlan.off()}) {
                assertTrue(g.store.request(p).await(AWAIT), run.msg("idle request applied"));
                assertEquals(Guests.calls(5000), g.loops.func("calls").call(5000)[0], run.msg("usable afterwards, " + p));
                assertEquals(Guests.hostloop(5000), g.host.func("hostloop").call(5000)[0], run.msg("usable afterwards, " + p));
                assertNull(Guests.siteBytesProblem(g.store, g.loops), run.msg("after " + p));
            }
            calls += g.calls.sum();
            interrupts += g.interrupts.sum();
            deadlines += g.deadlines.sum();
            assertTrue(g.calls.sum() > 0, run.msg("guest " + g.index + " made progress"));
        }
        long traps = engine.siteMetrics().trapsTaken();
        assertTrue(traps > 0, run.msg("guests took traps at armed sites"));
        workers.assertVirtualOwnersRan();
        assertTrue(requests.sum() > 0, run.msg("controllers made requests"));
        Stats.OPS.add(calls + requests.sum());
        Stats.GUEST_CALLS.add(calls);
        Stats.REQUESTS.add(requests.sum());
        Stats.GUEST_TRAPS.add(interrupts);
        Stats.INTERRUPTS.add(interrupts);
        Stats.DEADLINE_CALLBACKS.add(deadlines);
        Stats.line(run.name, String.format("%,d guest calls, %,d requests (%,d applied, max %s), %,d armed-site traps, %,d interrupt traps "
                + "(%,d interrupt() sent), %,d deadline callbacks, %,d stack samples, on %s, in %,d ms",
            calls, requests.sum(), engine.siteMetrics().requestsApplied(), Stats.millis(engine.siteMetrics().appliedNanosMax()), traps,
            interrupts, interruptsSent.sum(), deadlines, samples.sum(), workers.owners(), run.elapsedMillis()));
        Stats.engineDone(engine);
        for (Guest g : guests) g.store.close();
        engine.close();
    }

    static void guestLoop(Run run, Guest g, AtomicBoolean stop) {
        SplittableRandom rnd = g.rnd;
        while (!stop.get()) {
            if (rnd.nextInt(10) == 0) g.store.setEpochDeadline(1 + rnd.nextInt(4));
            int which = rnd.nextInt(13);
            long expected;
            Func f;
            long[] args;
            g.forever = false;
            switch (which) {
                case 0: case 1: {
                    long n = 1 + rnd.nextInt(200_000);
                    f = g.loops.func("sum");
                    args = new long[] {n};
                    expected = Guests.sum(n);
                    break;
                }
                case 2: case 3: {
                    long a = 1 + rnd.nextInt(300), b = 1 + rnd.nextInt(300);
                    f = g.loops.func("nested");
                    args = new long[] {a, b};
                    expected = Guests.nested(a, b);
                    break;
                }
                case 4: case 5: {
                    long n = 1 + rnd.nextInt(50_000);
                    f = g.loops.func("calls");
                    args = new long[] {n};
                    expected = Guests.calls(n);
                    break;
                }
                case 6: case 7: {
                    long n = rnd.nextInt(2_000);
                    f = g.loops.func("tri");
                    args = new long[] {n};
                    expected = Guests.tri(n);
                    break;
                }
                case 8: case 9: {
                    long n = 1 + rnd.nextInt(3_000);
                    f = g.host.func("hostloop");
                    args = new long[] {n};
                    expected = Guests.hostloop(n);
                    break;
                }
                case 10: case 11: {
                    long n = 1 + rnd.nextInt(100_000);
                    f = g.host.func("reenter");
                    args = new long[] {n};
                    expected = Guests.sum(n);
                    break;
                }
                default: {
                    // Runs until a deadline callback interrupts it.
                    g.forever = true;
                    g.foreverDeadlines = 0;
                    g.store.setEpochDeadline(1 + rnd.nextInt(3));
                    f = g.loops.func("forever");
                    args = new long[] {0};
                    expected = Long.MIN_VALUE;
                }
            }
            try {
                long r = f.call(args)[0];
                if (g.forever) throw new AssertionError(run.msg("%forever returned " + r));
                if (r != expected) {
                    throw new AssertionError(run.msg("guest " + g.index + ": %" + f.name() + java.util.Arrays.toString(args) + " = " + r
                        + ", closed form " + expected));
                }
            } catch (Trap t) {
                if (!isInterrupt(t)) {
                    throw new AssertionError(run.msg("guest " + g.index + ": %" + f.name() + java.util.Arrays.toString(args)
                        + " trapped with " + t.code() + "\n" + t.formatBacktrace()), t);
                }
                g.interrupts.increment();
            }
            g.calls.increment();
            Threads.ownerCall();
            Threads.ownerPause();
        }
    }

    static void controllerLoop(Run run, SplittableRandom rnd, List<Guest> guests, AtomicBoolean stop, LongAdder requests)
        throws InterruptedException {
        int sites = LOOPS.patchSites.size();
        while (!stop.get()) {
            Guest g = guests.get(rnd.nextInt(guests.size()));
            int burst = rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(6) : 1;
            List<PatchRequest> pending = new ArrayList<>();
            List<String> what = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                SitePlan p = rnd.nextBoolean() ? SitePlan.on() : SitePlan.off();
                int shape = rnd.nextInt(10);
                switch (shape) {
                    case 0: case 1: break;                                   // all on / all off
                    case 2: case 3: {                                        // single sites
                        int k = 1 + rnd.nextInt(3);
                        int[] ids = new int[k];
                        for (int j = 0; j < k; j++) ids[j] = rnd.nextInt(sites);
                        p = p.sites(ids);
                        break;
                    }
                    case 4: case 5: p = p.function(FUNCTIONS[rnd.nextInt(FUNCTIONS.length)]); break;
                    case 6: p = p.kind(SiteKind.values()[rnd.nextInt(3)]); break;
                    case 7: p = p.kind(SiteKind.values()[rnd.nextInt(3)]).function(FUNCTIONS[rnd.nextInt(FUNCTIONS.length)]); break;
                    default: p = null;                                       // safepoint only
                }
                pending.add(p == null ? g.store.requestSafepoint() : g.store.request(p));
                what.add(p == null ? "safepoint" : p.toString());
                requests.increment();
            }
            for (int i = 0; i < pending.size(); i++) {
                long t0 = System.nanoTime();
                boolean done = pending.get(i).await(AWAIT);
                Stats.max(Stats.MAX_AWAIT_NANOS, System.nanoTime() - t0);
                if (!done) {
                    throw new AssertionError(run.msg("request '" + what.get(i) + "' to guest " + g.index + " not applied within " + AWAIT
                        + "\n" + Threads.dump()));
                }
            }
            if (rnd.nextInt(4) == 0) LockSupport.parkNanos(rnd.nextInt(300_000));
        }
    }

    /**
     * An INTERRUPT trap, or the host_error trap of a hostcall whose nested guest call was
     * interrupted (guest -> host -> guest: the inner Trap is the hostcall's exception).
     */
    static boolean isInterrupt(Trap t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (!(c instanceof Trap)) return false;
            Trap tc = (Trap) c;
            if (tc.code().equals(TrapCode.INTERRUPT)) return true;
            if (!tc.code().equals(TrapCode.HOST_ERROR)) return false;
        }
        return false;
    }

    static String names(List<GuestFrame> frames) {
        return frames.stream().map(GuestFrame::function).collect(Collectors.joining(","));
    }
}
