/*
 * Suite 2, faults. Hostcalls that throw at random, guests that trap with every trap
 * code while their sites are being patched, Stores closed while other threads request
 * patches (and, in child JVMs, while another thread calls them, or with two threads
 * calling one Store), deep recursion to the stack floor while sites turn on, and
 * deadline callbacks that throw, return null, block past the deadline, yield, patch,
 * or call back into the guest.
 *
 * After each fault the Store is either still usable (the next call gives its closed form
 * and every site is exactly on or off) or cleanly dead: every further use throws an
 * IllegalStateException that says so.
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
import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.EpochTicker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

@SuppressWarnings("try") // tickers run for the length of a try block without being referenced
class FaultTest {
    static final CompiledModule LOOPS = PatchStormTest.LOOPS;
    static final CompiledModule HOST = PatchStormTest.HOST;
    static final CompiledModule TRAPS = Guests.compile("traps.clif", Guests.TRAPS);
    static final CompiledModule FUEL = Guests.compile("fuel.clif", Guests.LOOPS, EpochMode.FUEL);
    static final String[] FUNCTIONS = PatchStormTest.FUNCTIONS;
    static final Duration GUARD = Duration.ofSeconds(60);

    /** Thrown by hostcalls on purpose: an Error, which must travel as a Trap's cause like any exception. */
    static final class HostFault extends Error {
        HostFault(String m) { super(m); }
    }

    static void assertUsable(Run run, Store store, Instance loops, String after) {
        assertEquals(Guests.sum(10_000), loops.func("sum").call(10_000)[0], run.msg("usable after " + after));
        assertNull(Guests.siteBytesProblem(store, loops), run.msg("site bytes after " + after));
    }

    static void record(Engine engine, String test, long calls, long traps, Plans.Outcomes out, String extra, Run run) {
        Stats.OPS.add(calls + out.total());
        Stats.GUEST_CALLS.add(calls);
        Stats.GUEST_TRAPS.add(traps);
        Stats.REQUESTS.add(out.total());
        Stats.REQUESTS_FAILED_CLOSED.add(out.refusedClosed.sum() + out.failedClosed.sum());
        Stats.engineDone(engine);
        Stats.line(test, String.format("%,d calls, %,d traps, %,d requests (%,d applied, %,d refused/failed because closed)%s in %,d ms",
            calls, traps, out.total(), out.applied.sum(), out.refusedClosed.sum() + out.failedClosed.sum(), extra, run.elapsedMillis()));
    }

    // ---------------------------------------------------------------- hostcalls that throw

    @Test
    void hostcallsThrowAtRandomWhileSitesArePatched() throws Exception {
        Run run = Run.start("Faults.hostcallsThrow", Duration.ofSeconds(3), 0.04);
        SplittableRandom grnd = run.random(0);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicLong hostCalls = new AtomicLong();
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true))) {
            Store store = new Store(engine);
            Instance loops = store.instantiate(engine.load(LOOPS));
            SplittableRandom hrnd = run.random(1); // used by hostcalls, on the guest thread only
            Instance host = new Linker()
                .define("host_add", (c, a) -> {
                    hostCalls.incrementAndGet();
                    int r = hrnd.nextInt(2000);
                    if (r < 4) {
                        Throwable t = r == 0 ? new IllegalStateException("host fault " + a[0]) : r == 1 ? new IOException("host io " + a[0])
                            : r == 2 ? new HostFault("host error " + a[0]) : new StackOverflowError("host soe " + a[0]);
                        thrown.set(t);
                        if (t instanceof Exception) throw (Exception) t;
                        throw (Error) t;
                    }
                    if (r == 5) c.store().request(SitePlan.on().function("hostloop")); // the owner patches its own Store
                    if (r == 6) {
                        // Misuse from inside: closing the Store that runs this hostcall.
                        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.store().close());
                        assertTrue(e.getMessage().startsWith("cannot close a Store while thread"), e.getMessage());
                    }
                    return a[0] + a[1];
                })
                .define("host_reenter", (c, a) -> {
                    long r = loops.func("sum").call(a[0])[0];
                    if (hrnd.nextInt(50) == 0) {
                        HostFault f = new HostFault("after reentry " + a[0]);
                        thrown.set(f);
                        throw f;
                    }
                    return r;
                })
                .instantiate(store, engine.load(HOST));
            AtomicBoolean stop = new AtomicBoolean();
            Plans.Outcomes out = new Plans.Outcomes();
            Threads.Group g = new Threads.Group(run);
            LongAdder calls = new LongAdder(), faults = new LongAdder();
            g.start("controller", () -> Plans.controller(run, run.random(2), () -> store, HOST.patchSites.size(), FUNCTIONS, stop, out));
            g.startOwner("guest", 0, () -> {
                try {
                while (run.timeLeft() && !g.failed()) {
                    boolean reenter = grnd.nextInt(4) == 0;
                    long n = 1 + grnd.nextInt(reenter ? 50_000 : 2_000);
                    thrown.set(null);
                    try {
                        long r = host.func(reenter ? "reenter" : "hostloop").call(n)[0];
                        assertEquals(reenter ? Guests.sum(n) : Guests.hostloop(n), r, run.msg((reenter ? "reenter " : "hostloop ") + n));
                        assertNull(thrown.get(), run.msg("a hostcall threw but the call returned"));
                    } catch (Trap t) {
                        assertEquals(TrapCode.HOST_ERROR, t.code(), run.msg("trap " + t));
                        assertNotNull(thrown.get(), run.msg("host_error without a throwing hostcall"));
                        assertSame(thrown.get(), t.getCause(), run.msg("the Trap's cause is the very exception thrown"));
                        assertEquals(reenter ? "reenter" : "hostloop", t.backtrace().get(0).function(), run.msg(t.formatBacktrace()));
                        faults.increment();
                    }
                    calls.increment();
                    Threads.ownerCall();
                    Threads.ownerPause();
                }
                } finally {
                    stop.set(true);
                }
            });
            g.join(run.deadlinePlus(GUARD));
            g.rethrow();
            assertTrue(faults.sum() > 0, run.msg("some hostcalls threw (" + hostCalls.get() + " hostcalls)"));
            assertUsable(run, store, loops, "host faults");
            assertNull(Guests.siteBytesProblem(store, host), run.msg("host sites"));
            record(engine, run.name, calls.sum(), faults.sum(), out, String.format(", %,d hostcalls, on %s", hostCalls.get(), g.owners()), run);
            store.close();
        }
    }

    // ---------------------------------------------------------------- every trap kind

    @Test
    void everyTrapKindInTheMiddleOfPatching() throws Exception {
        Run run = Run.start("Faults.everyTrapKind", Duration.ofSeconds(4), 0.05);
        SplittableRandom rnd = run.random(0);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Store store = new Store(engine);
            Instance loops = store.instantiate(engine.load(LOOPS));
            Instance traps = store.instantiate(engine.load(TRAPS));
            Instance fuel = store.instantiate(engine.load(FUEL));
            AtomicBoolean throwNext = new AtomicBoolean();
            IllegalArgumentException hostFault = new IllegalArgumentException("requested host fault");
            Instance host = new Linker()
                .define("host_add", (c, a) -> {
                    if (throwNext.getAndSet(false)) throw hostFault;
                    return a[0] + a[1];
                })
                .define("host_reenter", (c, a) -> loops.func("sum").call(a[0])[0])
                .instantiate(store, engine.load(HOST));
            // Non-zero: the id of a %forever call that wants interrupting. Only that call may be
            // interrupted (and it cannot end otherwise), so interrupts never leak into other calls.
            AtomicLong wantInterrupt = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Plans.Outcomes out = new Plans.Outcomes();
            Threads.Group g = new Threads.Group(run);
            java.util.Map<String, LongAdder> seen = new java.util.concurrent.ConcurrentSkipListMap<>();
            LongAdder calls = new LongAdder(), trapCount = new LongAdder();
            int sites = Math.max(TRAPS.patchSites.size(), LOOPS.patchSites.size());
            String[] fnames = {"sum", "down", "forever", "divz", "remz", "sovf", "aovf", "zero", "unreach", "t_int_divz", "hostloop"};
            g.start("controller", () -> Plans.controller(run, run.random(1), () -> store, sites, fnames, stop, out));
            g.start("interrupter", () -> {
                while (!stop.get()) {
                    long id = wantInterrupt.get();
                    if (id != 0 && store.interrupt()) wantInterrupt.compareAndSet(id, 0);
                    LockSupport.parkNanos(200_000);
                }
            });
            g.startOwner("guest", 0, () -> {
                try {
                while (run.timeLeft() && !g.failed()) {
                    long n = 1 + rnd.nextInt(20_000);
                    int op = rnd.nextInt(Guests.TRAP_CODES.size() + 11);
                    TrapCode want;
                    String what;
                    GuestCall call;
                    long expect;
                    if (op < Guests.TRAP_CODES.size()) {
                        TrapCode c = Guests.TRAP_CODES.get(op);
                        long x = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(5);
                        want = x == 0 ? null : c;
                        what = "t_" + c.clifName() + "(" + n + ", " + x + ")";
                        expect = Guests.sum(n);
                        call = () -> traps.func("t_" + c.clifName()).call(n, x);
                    } else {
                        switch (op - Guests.TRAP_CODES.size()) {
                            case 0: {
                                long x = rnd.nextInt(3);
                                want = x == 0 ? TrapCode.INTEGER_DIVISION_BY_ZERO : null;
                                what = "divz(" + n + ", " + x + ")";
                                expect = x == 0 ? 0 : Long.divideUnsigned(Guests.sum(n), x);
                                call = () -> traps.func("divz").call(n, x);
                                break;
                            }
                            case 1: {
                                long x = rnd.nextInt(3) - 1;
                                want = x == 0 ? TrapCode.INTEGER_DIVISION_BY_ZERO : null;
                                what = "remz(" + n + ", " + x + ")";
                                expect = x == 0 ? 0 : Guests.sum(n) % x;
                                call = () -> traps.func("remz").call(n, x);
                                break;
                            }
                            case 2: {
                                long x = rnd.nextBoolean() ? -1 : 1 + rnd.nextInt(3);
                                want = x == -1 ? TrapCode.INTEGER_OVERFLOW : null;
                                what = "sovf(" + n + ", " + x + ")";
                                expect = x == -1 ? 0 : Long.MIN_VALUE / x + Guests.sum(n);
                                call = () -> traps.func("sovf").call(n, x);
                                break;
                            }
                            case 3: {
                                long x = rnd.nextBoolean() ? -1 - rnd.nextInt(5) : rnd.nextInt(1000);
                                long s = Guests.sum(n);
                                want = Long.compareUnsigned(s + x, s) < 0 ? TrapCode.INTEGER_OVERFLOW : null;
                                what = "aovf(" + n + ", " + x + ")";
                                expect = s + x;
                                call = () -> traps.func("aovf").call(n, x);
                                break;
                            }
                            case 4: {
                                long x = rnd.nextInt(2);
                                want = x == 0 ? TrapCode.user(9) : null;
                                what = "zero(" + n + ", " + x + ")";
                                expect = Guests.sum(n);
                                call = () -> traps.func("zero").call(n, x);
                                break;
                            }
                            case 5: {
                                long x = rnd.nextInt(2);
                                want = x == 1 ? TrapCode.UNREACHABLE : null;
                                what = "unreach(" + n + ", " + x + ")";
                                expect = Guests.sum(n);
                                call = () -> traps.func("unreach").call(n, x);
                                break;
                            }
                            case 6:
                                want = TrapCode.STACK_OVERFLOW;
                                what = "down(0)";
                                expect = 0;
                                call = () -> loops.func("down").call(0);
                                break;
                            case 7:
                                want = TrapCode.INTERRUPT;
                                what = "forever(0) with interrupt()";
                                expect = 0;
                                wantInterrupt.set(calls.sum() + 1);
                                call = () -> loops.func("forever").call(0);
                                break;
                            case 8:
                                want = TrapCode.INTERRUPT;
                                what = "forever(0) with a passed deadline";
                                expect = 0;
                                store.setEpochDeadline(1 + rnd.nextInt(3));
                                call = () -> loops.func("forever").call(0);
                                break;
                            case 9:
                                want = TrapCode.OUT_OF_FUEL;
                                what = "FUEL-mode sum(10^7) with 10^4 fuel";
                                expect = 0;
                                store.setFuel(10_000);
                                call = () -> fuel.func("sum").call(10_000_000);
                                break;
                            default:
                                want = TrapCode.HOST_ERROR;
                                what = "hostloop(" + n + ") with a throwing hostcall";
                                expect = 0;
                                throwNext.set(true);
                                call = () -> host.func("hostloop").call(n);
                        }
                    }
                    try {
                        long r = call.call()[0];
                        assertNull(want, run.msg(what + " returned " + r + " instead of trapping with " + want));
                        assertEquals(expect, r, run.msg(what));
                    } catch (Trap t) {
                        assertEquals(want, t.code(), run.msg(what + " trapped with " + t.code() + "\n" + t.formatBacktrace()));
                        assertFalse(t.backtrace().isEmpty(), run.msg(what + ": a trap has a backtrace"));
                        if (what.startsWith("hostloop")) assertSame(hostFault, t.getCause(), run.msg(what));
                        if (what.startsWith("t_")) assertNull(t.getCause(), run.msg(what + ": a guest-raised trap has no cause"));
                        trapCount.increment();
                        seen.computeIfAbsent(t.code().clifName(), k -> new LongAdder()).increment();
                    } finally {
                        wantInterrupt.set(0);
                        throwNext.set(false);
                        store.setFuel(Long.MAX_VALUE);
                        store.setEpochDeadline(1_000_000_000L);
                    }
                    calls.increment();
                    Threads.ownerCall();
                    Threads.ownerPause();
                }
                } finally {
                    stop.set(true);
                }
            });
            g.join(run.deadlinePlus(GUARD));
            g.rethrow();
            assertUsable(run, store, loops, "traps of every kind");
            assertNull(Guests.siteBytesProblem(store, traps), run.msg("trap module sites"));
            assertNull(Guests.siteBytesProblem(store, fuel), run.msg("fuel module sites"));
            assertNull(Guests.siteBytesProblem(store, host), run.msg("host module sites"));
            assertEquals(Guests.sum(1000), fuel.func("sum").call(1000)[0], run.msg("fuel module usable"));
            record(engine, run.name, calls.sum(), trapCount.sum(), out, ", trap codes seen " + seen + ", on " + g.owners(), run);
            store.close();
        }
    }

    // ---------------------------------------------------------------- closing under fire

    @Test
    void storesClosedWhileOtherThreadsRequestPatches() throws Exception {
        Run run = Run.start("Faults.closeWhileRequesting", Duration.ofSeconds(2), 0.03);
        SplittableRandom rnd = run.random(0);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true))) {
            Module loopsModule = engine.load(LOOPS);
            AtomicReference<Store> current = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            Plans.Outcomes out = new Plans.Outcomes();
            Threads.Group controllers = new Threads.Group(run);
            for (int c = 0; c < 2; c++) {
                SplittableRandom crnd = run.random(10 + c);
                controllers.start("controller-" + c,
                    () -> Plans.controller(run, crnd, current::get, LOOPS.patchSites.size(), FUNCTIONS, stop, out));
            }
            long stores = 0, calls = 0, refusedCloses = 0;
            // One guest per Store, platform and virtual threads alternately (Threads.virtualOwner).
            Threads.Group guests = new Threads.Group(run);
            try {
                while (run.timeLeft() && !controllers.failed()) {
                    Store store = new Store(engine);
                    Instance loops = store.instantiate(loopsModule);
                    current.set(store);
                    int k = 1 + rnd.nextInt(20);
                    long n = 1 + rnd.nextInt(100_000);
                    AtomicLong done = new AtomicLong();
                    Thread guest = guests.startOwner("guest", (int) stores, () -> {
                        for (int i = 0; i < k; i++) {
                            try {
                                assertEquals(Guests.sum(n), loops.func("sum").call(n)[0], run.msg("sum " + n));
                                done.incrementAndGet();
                                Threads.ownerCall();
                                Threads.ownerPause();
                            } catch (IllegalStateException e) {
                                // Closed between two calls: the next call says so, and that is the end.
                                assertEquals("store is closed", e.getMessage(), run.msg("call after close"));
                                return;
                            }
                        }
                    });
                    LockSupport.parkNanos(rnd.nextInt(2_000_000));
                    // Closing while the guest runs is refused with a clear message; retry until it is done.
                    while (true) {
                        try {
                            store.close();
                            break;
                        } catch (IllegalStateException e) {
                            assertTrue(e.getMessage().startsWith("cannot close a Store while thread 'guest' runs it"), run.msg(e.getMessage()));
                            refusedCloses++;
                            LockSupport.parkNanos(100_000);
                        }
                    }
                    guests.join(guest, run.deadlinePlus(GUARD));
                    guests.rethrow();
                    calls += done.get();
                    stores++;
                    // Cleanly dead: every use says so.
                    assertClosed(run, () -> store.request(SitePlan.on()));
                    assertClosed(run, store::requestSafepoint);
                    assertClosed(run, () -> loops.func("sum").call(1));
                    assertClosed(run, () -> loops.codeBytes(0, 1));
                    assertClosed(run, () -> store.isSiteOn(loops, 0));
                    assertClosed(run, store::interrupt);
                    assertClosed(run, () -> {
                        store.setEpochDeadline(1);
                        return null;
                    });
                    assertClosed(run, () -> store.instantiate(loopsModule));
                    store.close(); // idempotent
                }
            } finally {
                stop.set(true);
                controllers.join(run.deadlinePlus(GUARD));
            }
            controllers.rethrow();
            assertEquals(0, engine.liveStores(), run.msg("every Store closed"));
            assertTrue(out.refusedClosed.sum() + out.failedClosed.sum() > 0, run.msg("some requests met a closed Store"));
            Stats.STORE_CYCLES.add(stores);
            record(engine, run.name, calls, 0, out, String.format(", %,d Stores closed under fire, %,d closes refused while running, "
                + "guests on %s", stores, refusedCloses, guests.owners()), run);
        }
    }

    interface Use {
        Object run() throws Exception;
    }

    static void assertClosed(Run run, Use use) {
        IllegalStateException e = assertThrows(IllegalStateException.class, use::run, run.msg("use of a closed Store"));
        assertEquals("store is closed", e.getMessage(), run.msg("message of a use after close"));
    }

    /** Scenarios that could crash the JVM if Patchbay were wrong run in a child JVM. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"close-vs-call", "two-owners"})
    void raceScenariosInAChildJvm(String mode, @TempDir Path dir) throws Exception {
        Run run = Run.start("Faults." + mode, Duration.ofMillis(1500), 0.02);
        ChildJvm.Result r = ChildJvm.run(ChildJvm.currentJava(), Runtime.version().feature() >= 23, dir, run.budget.plus(GUARD), List.of("-Xss8m"),
            FaultChild.class, mode, Long.toString(run.seed), Long.toString(run.budget.toMillis()));
        assertTrue(r.hsErr.isEmpty(), run.msg("no hs_err file: " + r));
        assertEquals(0, r.exit, run.msg("child exit status: " + r));
        assertEquals("1", r.get("done"), run.msg("child finished: " + r));
        long ok = Long.parseLong(r.get("calls-ok")), refused = Long.parseLong(r.get("calls-refused"));
        assertTrue(ok > 0 && refused > 0, run.msg("both outcomes happened: " + r));
        long virtualCalls = Long.parseLong(r.get("virtual-calls"));
        // The child runs on this JDK, with this JVM's -Dstress.owners.
        if (Threads.virtualOwners()) assertTrue(virtualCalls > 0, run.msg("virtual callers made calls: " + r));
        Stats.OPS.add(ok + refused);
        Stats.GUEST_CALLS.add(ok);
        Stats.CHILD_VIRTUAL_OWNER_CALLS.add(virtualCalls);
        Stats.line(run.name, String.format("child JVM: %,d calls completed (%,d by virtual threads), %,d refused cleanly%s", ok, virtualCalls,
            refused, r.get("rounds") != null ? String.format(", %s Stores closed under a calling thread (%s closes refused)", r.get("rounds"),
                r.get("close-refused")) : ""));
    }

    /**
     * call_indirect to arbitrary addresses and guest return-address and frame-pointer
     * corruption (ClifGen wild modules), in a child JVM on this JDK and on Temurin 25:
     * every call returns or traps (mostly bad_target), nothing crashes.
     */
    @ParameterizedTest(name = "temurin25={0}")
    @ValueSource(booleans = {false, true})
    void wildControlTransfersAreTrapsNeverCrashes(boolean temurin25, @TempDir Path dir) throws Exception {
        Path jvm = temurin25 ? ChildJvm.TEMURIN_25 : ChildJvm.currentJava();
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(jvm), "no JVM at " + jvm);
        if (temurin25 && ChildJvm.isCurrent(jvm)) {
            System.out.println("[stress] Faults.wildControl[temurin25=true]: skipped: this JVM is Temurin 25 (temurin25=false ran on it)");
            org.junit.jupiter.api.Assumptions.abort("this JVM is Temurin 25 already");
        }
        Run run = Run.start("Faults.wildControl[temurin25=" + temurin25 + "]", Duration.ofMillis(2000), 0.03);
        ChildJvm.Result r = ChildJvm.run(jvm, temurin25, dir, run.budget.plus(GUARD), List.of("-Xss8m"), FaultChild.class,
            "wild-control", Long.toString(run.seed), Long.toString(run.budget.toMillis()));
        Path last = dir.resolve("wild-last.clif");
        String program = java.nio.file.Files.exists(last) ? "\n--- the program it was running ---\n" + java.nio.file.Files.readString(last) : "";
        assertTrue(r.hsErr.isEmpty(), run.msg("no hs_err file: " + r + program));
        assertEquals(0, r.exit, run.msg("child exit status: " + r + program));
        assertEquals("1", r.get("done"), run.msg("child finished: " + r + program));
        assertEquals("100000", r.get("npes"), run.msg("implicit null checks still work: " + r));
        long calls = Long.parseLong(r.get("calls")), bad = Long.parseLong(r.get("bad-target"));
        assertTrue(bad > 0, run.msg("some calls jumped or returned to bad addresses: " + r));
        long virtualCalls = Long.parseLong(r.get("virtual-calls"));
        if (ChildJvm.virtualOwners(temurin25 ? 25 : Runtime.version().feature())) {
            assertTrue(Long.parseLong(r.get("virtual-modules")) > 0, run.msg("some wild modules ran on virtual owners: " + r));
        }
        Stats.OPS.add(calls);
        Stats.GUEST_CALLS.add(calls);
        Stats.CHILD_VIRTUAL_OWNER_CALLS.add(virtualCalls);
        Stats.line(run.name, String.format("child JVM: %s wild modules (%s on virtual owners), %,d calls (%s returned, %,d on virtual owners), "
            + "traps %s", r.get("modules"), r.get("virtual-modules"), calls, r.get("returned"), virtualCalls, r.get("traps")));
    }

    // ---------------------------------------------------------------- deep recursion

    /** Uses about `frames` Java frames of stack, then returns a value the JIT cannot drop. */
    static long javaDepth(int frames) { return frames <= 0 ? 1 : 1 + javaDepth(frames - 1) * 3 % 7; }

    @ParameterizedTest(name = "epochInterruption={0}")
    @ValueSource(booleans = {false, true})
    void deepRecursionToTheStackFloorWhileSitesTurnOn(boolean epochInterruption) throws Exception {
        Run run = Run.start("Faults.deepRecursion[epoch=" + epochInterruption + "]", Duration.ofMillis(2500), 0.03);
        SplittableRandom rnd = run.random(0), lrnd = run.random(1);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(epochInterruption));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Store store = new Store(engine);
            Instance loops = store.instantiate(engine.load(LOOPS));
            // A guest budget far beyond the thread's stack: the limit is the floor above HotSpot's zones.
            store.setStackLimit(1L << 30);
            LongAdder samples = new LongAdder(), callbacks = new LongAdder();
            AtomicLong deepestSample = new AtomicLong();
            store.addSafepointListener(at -> {
                // A sampler at the deepest point of the recursion: walk the guest stack and use
                // some Java stack of its own.
                int depth = at.backtrace().size();
                Stats.max(deepestSample, depth);
                javaDepth(lrnd.nextInt(300));
                samples.increment();
            });
            if (epochInterruption) {
                store.onEpochDeadline(s -> {
                    callbacks.increment();
                    javaDepth(lrnd.nextInt(300));
                    return EpochDecision.continueFor(1);
                });
            }
            AtomicBoolean stop = new AtomicBoolean();
            Plans.Outcomes out = new Plans.Outcomes();
            Threads.Group g = new Threads.Group(run);
            LongAdder calls = new LongAdder(), overflows = new LongAdder();
            long[] limit = new long[1];
            Thread guest = new Thread(null, () -> {
                try {
                    // The deepest tri(n) that fits, with every site off.
                    long lo = 1, hi = 1;
                    while (fits(loops, hi)) {
                        lo = hi;
                        hi *= 2;
                    }
                    while (hi - lo > 1) {
                        long mid = (lo + hi) / 2;
                        if (fits(loops, mid)) lo = mid;
                        else hi = mid;
                    }
                    limit[0] = lo;
                    if (epochInterruption) store.setEpochDeadline(1);
                    g.start("controller", () -> Plans.controller(run, run.random(2), () -> store, LOOPS.patchSites.size(), FUNCTIONS, stop, out));
                    while (run.timeLeft() && !g.failed()) {
                        int pick = rnd.nextInt(10);
                        long n = pick < 6 ? lo - rnd.nextInt((int) Math.min(lo, 64)) : pick < 9 ? lo + 64 + rnd.nextInt(1000) : -1;
                        try {
                            long r = n < 0 ? loops.func("down").call(0)[0] : loops.func("tri").call(n)[0];
                            assertTrue(n >= 0 && n <= lo, run.msg("tri(" + n + ") returned " + r + " past the deepest fit " + lo));
                            assertEquals(Guests.tri(n), r, run.msg("tri(" + n + ")"));
                        } catch (Trap t) {
                            assertEquals(TrapCode.STACK_OVERFLOW, t.code(), run.msg((n < 0 ? "down" : "tri(" + n + ")") + ": " + t));
                            assertTrue(n < 0 || n > lo - 64, run.msg("tri(" + n + ") overflowed, but " + lo + " fit"));
                            overflows.increment();
                        }
                        calls.increment();
                    }
                } catch (Throwable t) {
                    g.failure.compareAndSet(null, t);
                } finally {
                    stop.set(true);
                }
            }, "deep-guest", 2L << 20);
            guest.setDaemon(true);
            guest.start();
            guest.join(Math.max(1, (run.deadlinePlus(GUARD) - System.nanoTime()) / 1_000_000));
            assertFalse(guest.isAlive(), run.msg("deep guest finished\n" + Threads.dump()));
            g.join(run.deadlinePlus(GUARD));
            g.rethrow();
            if (epochInterruption) store.setEpochDeadline(1_000_000_000L);
            assertUsable(run, store, loops, "deep recursion");
            assertTrue(overflows.sum() > 0, run.msg("some calls overflowed"));
            record(engine, run.name, calls.sum(), overflows.sum(), out, String.format(
                ", deepest fit tri(%,d) on a 2 MiB thread, %,d safepoint samples (deepest %,d frames), %,d deadline callbacks",
                limit[0], samples.sum(), deepestSample.get(), callbacks.sum()), run);
            Stats.DEADLINE_CALLBACKS.add(callbacks.sum());
            store.close();
        }
    }

    static boolean fits(Instance loops, long n) {
        try {
            loops.func("tri").call(n);
            return true;
        } catch (Trap t) {
            if (!t.code().equals(TrapCode.STACK_OVERFLOW)) throw t;
            return false;
        }
    }

    /**
     * Deep recursion on virtual owners that park between calls and come back on other
     * carriers, each carrier with its own native stack (JDK 21+): the guest stack floor is
     * the carrier's at each outermost call (StackFloor). With sites turning on and off, a
     * sampler and deadline callbacks using Java stack at the deepest point: calls to half the
     * deepest fit never trap stk_ovf on any carrier, calls to four times it always do (a
     * floor from another carrier would run into this one's guard pages), and calls near it
     * return the closed form or trap stk_ovf.
     */
    @Test
    void deepRecursionOnVirtualOwnersThatChangeCarriers() throws Exception {
        if (!Threads.virtualOwners()) {
            String why = Threads.VIRTUAL_THREADS ? "-Dstress.owners=platform" : "JDK " + Runtime.version().feature() + " has no virtual threads";
            System.out.println("[stress] Faults.deepRecursionVirtual: skipped: " + why + " (the stress-temurin25 execution runs it)");
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        Run run = Run.start("Faults.deepRecursionVirtual", Duration.ofMillis(2500), 0.03);
        int owners = 3;
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Module m = engine.load(LOOPS);
            AtomicBoolean stop = new AtomicBoolean();
            Plans.Outcomes out = new Plans.Outcomes();
            Threads.Group g = new Threads.Group(run), controllers = new Threads.Group(run);
            LongAdder calls = new LongAdder(), overflows = new LongAdder(), samples = new LongAdder(), callbacks = new LongAdder();
            AtomicLong minFit = new AtomicLong(Long.MAX_VALUE), maxFit = new AtomicLong();
            List<Store> stores = new ArrayList<>();
            List<Instance> instances = new ArrayList<>();
            for (int o = 0; o < owners; o++) {
                Store store = new Store(engine);
                Instance loops = store.instantiate(m);
                stores.add(store);
                instances.add(loops);
                store.setStackLimit(1L << 30); // the floor is the limit, not the budget
                SplittableRandom rnd = run.random(o), lrnd = run.random(10 + o);
                store.addSafepointListener(sp -> {
                    sp.backtrace();
                    javaDepth(lrnd.nextInt(300));
                    samples.increment();
                });
                store.onEpochDeadline(s -> {
                    callbacks.increment();
                    javaDepth(lrnd.nextInt(300));
                    return EpochDecision.continueFor(1);
                });
                SplittableRandom crnd = run.random(20 + o);
                controllers.start("controller-" + o, () -> Plans.controller(run, crnd, () -> store, LOOPS.patchSites.size(), FUNCTIONS, stop, out));
                g.startOwner("deep-virtual-" + o, true, () -> {
                    long lo = 1, hi = 1;
                    while (fits(loops, hi)) {
                        lo = hi;
                        hi *= 2;
                    }
                    while (hi - lo > 1) {
                        long mid = (lo + hi) / 2;
                        if (fits(loops, mid)) lo = mid;
                        else hi = mid;
                    }
                    Stats.max(maxFit, lo);
                    minFit.accumulateAndGet(lo, Math::min);
                    store.setEpochDeadline(1);
                    while (run.timeLeft() && !g.failed()) {
                        int pick = rnd.nextInt(10);
                        long n = pick < 3 ? rnd.nextInt(1000) : pick < 6 ? lo / 2 + rnd.nextInt((int) Math.max(1, lo / 4))
                            : pick < 9 ? lo - rnd.nextInt((int) Math.min(lo, 64)) : 4 * lo;
                        try {
                            long r = loops.func("tri").call(n)[0];
                            assertTrue(n <= lo, run.msg("tri(" + n + ") returned " + r + " on " + Thread.currentThread()
                                + ": four times the deepest fit " + lo + " must overflow"));
                            assertEquals(Guests.tri(n), r, run.msg("tri(" + n + ")"));
                        } catch (Trap t) {
                            assertEquals(TrapCode.STACK_OVERFLOW, t.code(), run.msg("tri(" + n + "): " + t));
                            assertTrue(n > lo * 3 / 4, run.msg("tri(" + n + ") overflowed on " + Thread.currentThread() + ", but "
                                + lo + " fit (a spurious stk_ovf: the floor of another carrier?)"));
                            overflows.increment();
                        }
                        calls.increment();
                        Threads.ownerCall();
                        Threads.ownerPause();
                        if (rnd.nextInt(4) == 0) Thread.sleep(1); // unmount: the next call may run on another carrier
                    }
                });
            }
            try {
                g.join(run.deadlinePlus(GUARD));
            } finally {
                stop.set(true);
                controllers.join(run.deadlinePlus(GUARD));
            }
            g.rethrow();
            controllers.rethrow();
            g.assertVirtualOwnersRan();
            assertTrue(overflows.sum() > 0, run.msg("some calls overflowed"));
            for (int o = 0; o < owners; o++) {
                stores.get(o).setEpochDeadline(1_000_000_000L);
                assertUsable(run, stores.get(o), instances.get(o), "deep recursion on a virtual owner");
            }
            record(engine, run.name, calls.sum(), overflows.sum(), out, String.format(
                ", deepest fit tri(%,d) to tri(%,d) on %s, %,d safepoint samples, %,d deadline callbacks",
                minFit.get(), maxFit.get(), g.owners(), samples.sum(), callbacks.sum()), run);
            Stats.DEADLINE_CALLBACKS.add(callbacks.sum());
            for (Store s : stores) s.close();
        }
    }

    // ---------------------------------------------------------------- callbacks that misbehave

    /** Thrown by callbacks on purpose. */
    static final class CallbackFault extends RuntimeException {
        CallbackFault(String m) { super(m); }
    }

    @Test
    void deadlineCallbacksThatThrowBlockYieldOrReenter() throws Exception {
        Run run = Run.start("Faults.callbacks", Duration.ofSeconds(4), 0.05);
        // The listener below fails on purpose; keep its (expected) warnings out of the build log.
        java.util.logging.Logger storeLog = java.util.logging.Logger.getLogger("dev.patchbay.StoreCore"); // it logs failed listeners
        java.util.logging.Level level = storeLog.getLevel();
        storeLog.setLevel(java.util.logging.Level.OFF);
        try {
            callbacks(run);
        } finally {
            storeLog.setLevel(level);
        }
    }

    private void callbacks(Run run) throws Exception {
        SplittableRandom rnd = run.random(0);
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             EpochTicker ticker = EpochTicker.start(engine, Duration.ofMillis(1))) {
            Store store = new Store(engine);
            Instance loops = store.instantiate(engine.load(LOOPS));
            AtomicBoolean stop = new AtomicBoolean();
            Plans.Outcomes out = new Plans.Outcomes();
            Threads.Group g = new Threads.Group(run);
            AtomicReference<String> mode = new AtomicReference<>("continue");
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            // Requests to the interrupter-scheduler thread: 0 for none, else a fresh id (so a late
            // "done" for an old request can never erase a new one); interruptFor's low bit says
            // "wait 3 ms first".
            AtomicLong interruptFor = new AtomicLong(), resumeFor = new AtomicLong(), ids = new AtomicLong();
            AtomicBoolean reentered = new AtomicBoolean();
            LongAdder callbacks = new LongAdder(), listenerFaults = new LongAdder();
            java.util.Map<String, LongAdder> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();
            SplittableRandom lrnd = run.random(3);
            store.addSafepointListener(at -> {
                // A listener that fails now and then, with an exception or an Error.
                int r = lrnd.nextInt(50);
                if (r == 0) {
                    listenerFaults.increment();
                    throw new CallbackFault("listener fault");
                }
                if (r == 1) {
                    listenerFaults.increment();
                    throw new AssertionError("listener error");
                }
            });
            AtomicBoolean fired = new AtomicBoolean();
            store.onEpochDeadline(s -> {
                callbacks.increment();
                fired.set(true);
                String m = mode.get();
                switch (m) {
                    case "throw": {
                        CallbackFault f = new CallbackFault("callback fault");
                        thrown.set(f);
                        throw f;
                    }
                    case "error": {
                        HostFault f = new HostFault("callback error");
                        thrown.set(f);
                        throw f;
                    }
                    case "null":
                        return null;
                    case "block":
                        LockSupport.parkNanos(2_000_000L + rnd.nextInt(20_000_000)); // far past the 1-tick deadline
                        return EpochDecision.continueFor(1);
                    case "block-interrupted":
                        interruptFor.set(ids.addAndGet(2));   // the interrupter interrupts while we block
                        long until = System.nanoTime() + 5_000_000_000L;
                        while (interruptFor.get() != 0 && System.nanoTime() < until) LockSupport.parkNanos(100_000);
                        return EpochDecision.continueFor(1);
                    case "yield":
                        resumeFor.set(ids.addAndGet(2));      // the scheduler resumes us after a while
                        return EpochDecision.yieldFor(1);
                    case "yield-interrupted":
                        interruptFor.set(ids.addAndGet(2) + 1); // nobody resumes; an interrupt ends the yield
                        return EpochDecision.yieldFor(1);
                    case "patch":
                        s.request(rnd.nextBoolean() ? SitePlan.on() : SitePlan.off().function("sum"));
                        return EpochDecision.continueFor(1);
                    case "reenter":
                        if (reentered.compareAndSet(false, true)) {
                            // Guest -> epoch hook -> callback -> guest again.
                            long r = loops.func("calls").call(1000)[0];
                            if (r != Guests.calls(1000)) throw new AssertionError("reentrant calls(1000) = " + r);
                        }
                        return EpochDecision.continueFor(1);
                    default:
                        return EpochDecision.continueFor(1 + rnd.nextInt(3));
                }
            });
            g.start("controller", () -> Plans.controller(run, run.random(1), () -> store, LOOPS.patchSites.size(), FUNCTIONS, stop, out));
            SplittableRandom srnd = run.random(4);
            g.start("interrupter-scheduler", () -> {
                while (!stop.get()) {
                    long i = interruptFor.get();
                    if (i != 0) {
                        if ((i & 1) != 0) LockSupport.parkNanos(3_000_000);
                        if (store.interrupt()) interruptFor.compareAndSet(i, 0);
                    }
                    long y = resumeFor.get();
                    if (y != 0 && store.isYielded()) {
                        LockSupport.parkNanos(srnd.nextInt(3_000_000));
                        if (store.resume()) resumeFor.compareAndSet(y, 0);
                    }
                    LockSupport.parkNanos(100_000);
                }
            });
            String[] modes = {"continue", "throw", "error", "null", "block", "block-interrupted", "yield", "yield-interrupted", "patch", "reenter"};
            LongAdder calls = new LongAdder(), traps = new LongAdder();
            g.startOwner("guest", 0, () -> {
                try {
                    while (run.timeLeft() && !g.failed()) {
                        String m = modes[rnd.nextInt(modes.length)];
                        mode.set(m);
                        thrown.set(null);
                        reentered.set(false);
                        fired.set(false);
                        long n = 2_000_000 + rnd.nextInt(3_000_000);
                        store.setEpochDeadline(1);
                        String outcome;
                        try {
                            long r = loops.func("sum").call(n)[0];
                            assertEquals(Guests.sum(n), r, run.msg("sum(" + n + ") with callback " + m));
                            // A call may end before its first deadline; a callback that ran must have let it go on.
                            assertTrue(!fired.get() || List.of("continue", "block", "yield", "patch", "reenter").contains(m),
                                run.msg("callback " + m + " let the call return"));
                            outcome = "returned";
                        } catch (Trap t) {
                            traps.increment();
                            switch (m) {
                                case "throw": case "error":
                                    assertEquals(TrapCode.HOST_ERROR, t.code(), run.msg(m));
                                    assertSame(thrown.get(), t.getCause(), run.msg(m + ": the cause is what the callback threw"));
                                    break;
                                case "null":
                                    assertEquals(TrapCode.HOST_ERROR, t.code(), run.msg(m));
                                    assertInstanceOf(IllegalStateException.class, t.getCause(), run.msg(m));
                                    assertTrue(t.getCause().getMessage().contains("returned null"), run.msg(t.getCause().getMessage()));
                                    break;
                                case "block-interrupted": case "yield-interrupted":
                                    assertEquals(TrapCode.INTERRUPT, t.code(), run.msg(m));
                                    break;
                                default:
                                    throw new AssertionError(run.msg("callback " + m + ": unexpected trap " + t + "\n" + t.formatBacktrace()), t);
                            }
                            outcome = t.code().clifName();
                        } finally {
                            interruptFor.set(0);
                            resumeFor.set(0);
                            mode.set("continue");
                        }
                        outcomes.computeIfAbsent(m + "->" + outcome, k -> new LongAdder()).increment();
                        calls.increment();
                        // Usable after every fault: no deadline, a plain call.
                        store.setEpochDeadline(1_000_000_000L);
                        assertEquals(Guests.calls(777), loops.func("calls").call(777)[0], run.msg("usable after callback " + m));
                        Threads.ownerCall();
                        Threads.ownerPause();
                    }
                } finally {
                    stop.set(true);
                }
            });
            g.join(run.deadlinePlus(GUARD));
            g.rethrow();
            assertUsable(run, store, loops, "misbehaving callbacks");
            Stats.DEADLINE_CALLBACKS.add(callbacks.sum());
            record(engine, run.name, calls.sum(), traps.sum(), out, String.format(", %,d deadline callbacks, %,d listener faults, outcomes %s, on %s",
                callbacks.sum(), listenerFaults.sum(), outcomes, g.owners()), run);
            store.close();
        }
    }

    /** One guest call, chosen by a scenario. */
    interface GuestCall {
        long[] call();
    }
}
