/*
 * The first interrupts in a JVM, and every interrupt of a fresh Store, ran the interrupt
 * path's Java cold: the requester's (Store.interrupt(): the force, the sites armed, the
 * PatchRequest) and the owner's once the safepoint stub has unwound (the sites put back,
 * the metrics, TrapDecoder, the Trap). A JVM's very first interrupt took 10 to 65 ms
 * loading and initialising those classes and linking their call sites; after that, a
 * server that makes a Store per request still never interrupts often enough for HotSpot
 * to compile that Java (thousands of runs), so each interrupt ran it interpreted, about
 * 250 us of a fresh Store's 320 us on the 2-vCPU build VM, against Wasmtime's 200 us
 * (README, "Peers").
 *
 * So the first Engine with epoch interruption and a controller, once per JVM:
 *  1. initialises the path's classes (what a cold JVM's first interrupt used to load);
 *  2. rehearses the path REHEARSALS times in a throwaway Engine and Store of its own, on
 *     a tiny looping module: StoreCore.rehearseInterrupt runs the very methods of a real
 *     interrupt of a running call (claim, Store.interrupt() arming the loop's site, the
 *     owner's takeStubInterrupt and Trap decoding, release), with this thread as both
 *     requester and owner and no guest code run; every other time, rehearseDeadline runs
 *     those of a deadline of 1 passed by incrementEpoch() (the watcher's force, the
 *     owner's safepoint upcall and deadline callback). That is enough runs for HotSpot to
 *     compile them (C1 at a few hundred), so interrupts of the user's Stores run compiled
 *     code from the first.
 *
 * Why not a real interrupt of a running guest: it needs a second thread and a guest that
 * runs until stopped, hundreds of times, where a rehearsal costs microseconds once warm.
 *
 * Invariants:
 *  - It runs at most once per JVM and touches no Store, Engine, metrics or listener of the
 *    user's: the rehearsals count in the throwaway Engine's metrics, closed with it.
 *  - It never makes Engine creation fail: a failure is logged, and interrupts simply run
 *    cold.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.PatchSite;

import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

final class InterruptPathWarmup {
    private static final System.Logger LOG = System.getLogger(InterruptPathWarmup.class.getName());
    private static final AtomicBoolean DONE = new AtomicBoolean();
    /**
     * How many interrupts are rehearsed: past HotSpot's C1 thresholds (a few hundred
     * calls) with room for the methods called once per interrupt to be compiled by the
     * time the last rehearsals run. On the build VM (one scratch run each, fresh Stores
     * stopped 20 ms in), a fresh Store's p50 was 308 us with none, 250 us after 500 and
     * 158 us after 2000, beside Wasmtime's 200 to 230 us; 2000 cost about 50 ms once.
     */
    static final int REHEARSALS = 2000;
    /** How many the last warm-up rehearsed; for tests. */
    private static volatile int rehearsed;

    /** The rehearsals' guest: a loop whose back edge is an epoch site, never run. */
    private static final String LOOP = String.join("\n",
        "function %warmup_loop(i64) -> i64 {",
        "block0(v0: i64):",
        "    jump block1(v0)",
        "block1(v1: i64):",
        "    v2 = iadd_imm v1, 1",
        "    brif v2, block1(v2), block2",
        "block2:",
        "    return v2",
        "}",
        "");

    private InterruptPathWarmup() {}

    /** Warms the interrupt path's Java if this JVM has not yet. */
    static void once() {
        if (!DONE.compareAndSet(false, true)) return;
        long t0 = System.nanoTime();
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (Class<?> c : List.of(EpochState.InterruptResult.class, EpochState.Action.class, EpochOutcome.class,
                    EpochOutcome.Kind.class, TrapDecoder.class, TrapFrames.class, GuestFrame.class, PatchRequest.class,
                    CompletableFuture.class)) {
                lookup.ensureInitialized(c);
            }
            long t1 = System.nanoTime();
            int n = rehearse(REHEARSALS);
            rehearsed = n;
            LOG.log(System.Logger.Level.DEBUG, "interrupt path warmed in {0} us (classes {1} us, {2} rehearsals)",
                (System.nanoTime() - t0) / 1000, (t1 - t0) / 1000, n);
        } catch (RuntimeException | Error | IllegalAccessException e) {
            LOG.log(System.Logger.Level.WARNING, "warming the interrupt path failed; interrupts will run cold", e);
        }
    }

    /** Rehearses `times` interrupts in a throwaway Engine; returns how many ran. */
    static int rehearse(int times) {
        if (times <= 0) return 0;
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Module module = Module.fromClif(engine, "interrupt-warmup.clif", LOOP);
            LoadedModule loaded = store.instantiate(module).loaded();
            long pc = 0;
            for (PatchSite s : module.compiled().patchSites) {
                if (s.kind == SiteKind.EPOCH) {
                    pc = loaded.code().execAddress(s.offset);
                    break;
                }
            }
            if (pc == 0) throw new IllegalStateException("the warm-up loop has no epoch site");
            StoreCore core = store.core();
            int n = 0;
            for (; n < times; n++) {
                check(core.rehearseInterrupt(loaded, pc));
                // Every other one, a deadline passed by incrementEpoch() too: the watcher's
                // force and the owner's safepoint upcall, which interrupt() never takes.
                if ((n & 1) == 0) check(core.rehearseDeadline(loaded, pc));
            }
            return n;
        }
    }

    private static void check(Trap t) {
        if (!t.code().equals(TrapCode.INTERRUPT) || t.backtrace().isEmpty()) {
            throw new IllegalStateException("a rehearsed interrupt gave " + t.code() + " with " + t.backtrace());
        }
        WasmFunction.wasmTrap(t);
    }

    /** How many interrupts the warm-up rehearsed (0 before it ran or if it failed); for tests. */
    static int rehearsed() { return rehearsed; }
}
