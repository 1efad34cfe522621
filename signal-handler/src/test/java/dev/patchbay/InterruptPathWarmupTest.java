/*
 * The interrupt path's warm-up (InterruptPathWarmup) and the per-module trap frames
 * (TrapFrames), proved without timing: the first epoch Engine rehearses the path in an
 * Engine of its own, a rehearsal (of interrupt() and of a passed deadline) runs the real
 * path and leaves its Store as it found it,
 * and a second Store of a module decodes none of its trap frames again.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.Relocation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class InterruptPathWarmupTest {
    static final EngineConfig EPOCHS = new EngineConfig().epochInterruption(true);
    /** EpochGuests' %runaway and the %outer that calls it, without the guests that need hostcalls. */
    static final String CLIF = dev.patchbay.epoch.EpochGuests.RUNAWAY_ONLY;

    @Test
    void theFirstEpochEngineRehearsesTheInterruptPathInAnEngineOfItsOwn() {
        try (Engine engine = new Engine(EPOCHS)) {
            // Once per JVM: whichever epoch Engine came first in this JVM did it.
            assertEquals(InterruptPathWarmup.REHEARSALS, InterruptPathWarmup.rehearsed(), "the warm-up failed or rehearsed less");
            assertEquals(0, engine.siteMetrics().requests(), "the rehearsals count in their own Engine, not the user's");
            assertEquals(0, engine.epochMetrics().interrupts());
        }
    }

    @Test
    void aRehearsalRunsTheRealPathAndLeavesTheStoreAsItFoundIt() throws Exception {
        try (Engine engine = new Engine(EPOCHS); Store store = new Store(engine)) {
            Instance inst = store.instantiate(Module.fromClif(engine, "r.clif", CLIF));
            CompiledModule cm = inst.module().compiled();
            PatchSite site = cm.patchSites.stream().filter(p -> p.kind == SiteKind.EPOCH).findFirst().orElseThrow();
            long pc = inst.loaded().code().execAddress(site.offset);
            for (int i = 1; i <= 3; i++) {
                Trap t = store.core().rehearseInterrupt(inst.loaded(), pc);
                assertEquals(TrapCode.INTERRUPT, t.code());
                assertEquals("runaway", t.backtrace().get(0).function(), t.formatBacktrace());
                assertEquals(i, engine.epochMetrics().interrupts(), "each rehearsal is an interrupt taken");
                assertEquals(i, engine.siteMetrics().requestsApplied(), "each force was applied");
                assertNull(store.core().ownership.owner(), "the rehearsal's call was released");
                assertFalse(store.core().epoch.forcePending(), "the borrowed deadline came back");
                assertPristine(inst, cm);
            }
            for (int i = 1; i <= 3; i++) {
                Trap t = store.core().rehearseDeadline(inst.loaded(), pc);
                assertEquals(TrapCode.INTERRUPT, t.code(), "the default deadline callback interrupts");
                assertEquals("runaway", t.backtrace().get(0).function(), t.formatBacktrace());
                assertEquals(i, engine.epochMetrics().deadlinesReached(), "each rehearsal is a deadline reached");
                assertNull(store.core().ownership.owner());
                assertFalse(store.core().epoch.forcePending());
                assertEquals(Long.MAX_VALUE, store.core().epoch.deadline(), "the deadline was taken");
                assertPristine(inst, cm);
            }
            // The Store still runs and is interrupted for real, and only then.
            assertEquals(0, inst.func("runaway").call(-6)[0], "runaway(-6) counts up to 0 and returns");
            Trap real = interruptRunaway(store, inst);
            assertEquals(TrapCode.INTERRUPT, real.code());
            assertPristine(inst, cm);
        }
    }

    @Test
    void aSecondStoreOfAModuleDecodesNoTrapFrameAgain() throws Exception {
        try (Engine engine = new Engine(EPOCHS)) {
            Module module = Module.fromClif(engine, "r.clif", CLIF);
            List<Trap> traps = new ArrayList<>();
            java.util.Set<String> distinct = new java.util.HashSet<>();
            int frames = 0;
            for (int s = 0; s < 3; s++) {
                try (Store store = new Store(engine)) {
                    Trap t = interruptRunaway(store, store.instantiate(module));
                    traps.add(t);
                    // A frame is decoded per code offset and per innermost-or-not.
                    for (int i = 0; i < t.backtrace().size(); i++) distinct.add((i == 0) + " " + t.backtrace().get(i));
                    frames += t.backtrace().size();
                }
            }
            assertEquals(distinct.size(), module.trapFrames().decodes(), "each distinct frame decoded once, for all three Stores");
            assertTrue(module.trapFrames().decodes() < frames, "later Stores found frames the first one decoded: " + distinct);
            for (Trap t : traps) {
                assertEquals(List.of("runaway", "outer"), t.backtrace().stream().map(GuestFrame::function).toList(), t.formatBacktrace());
                // Exactly what the public constructor computes from the frames.
                StackTraceElement[] want = new Trap(t.code(), t.backtrace(), null).getStackTrace();
                assertArrayEquals(Arrays.copyOf(want, 2), Arrays.copyOf(t.getStackTrace(), 2));
                assertEquals("%runaway", t.getStackTrace()[0].getMethodName());
            }
        }
    }

    @Test
    void pastItsBoundTheFrameCacheDecodesWithoutKeeping() {
        try (Engine engine = new Engine(EPOCHS)) {
            Module module = Module.fromClif(engine, "r.clif", CLIF);
            CompiledModule cm = module.compiled();
            TrapFrames small = new TrapFrames(module, 4);
            int start = cm.function("runaway").start, n = 10;
            for (int round = 0; round < 2; round++) {
                for (int off = start; off < start + n; off++) {
                    TrapFrames.Decoded d = small.at(off, false);
                    assertEquals("runaway", d.frame().function());
                    assertEquals(off - start, d.frame().offset());
                    assertEquals(Trap.stackTraceElement(d.frame()), d.element());
                }
            }
            assertEquals(4, small.size(), "never more than its bound");
            assertEquals(2L * n - 4, small.decodes(), "the 4 kept are found on the second round, the rest decoded again");
            assertNull(small.at(-1, false));
            assertNull(small.at(cm.codeSize(), true));
        }
    }

    /** Runs %outer (which calls %runaway) on a new thread and interrupts it; returns its Trap. */
    static Trap interruptRunaway(Store store, Instance inst) throws InterruptedException {
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread guest = new Thread(() -> {
            try {
                inst.func("outer").call(0);
            } catch (Throwable e) {
                got.set(e);
            }
        });
        guest.start();
        // Into the loop, almost surely, so that the Stores stop at the same site (any site
        // would be correct; the frame test wants some frames in common).
        Thread.sleep(20);
        while (!store.interrupt()) Thread.onSpinWait();
        guest.join(30_000);
        assertFalse(guest.isAlive(), "not stopped");
        return assertInstanceOf(Trap.class, got.get());
    }

    static void assertPristine(Instance inst, CompiledModule cm) {
        byte[] want = cm.code(), have = inst.codeBytes(0, cm.codeSize());
        for (Relocation r : cm.relocations) {
            for (int i = 0; i < 8; i++) have[r.offset + i] = want[r.offset + i];
        }
        assertArrayEquals(want, have, "every site back in its compiled form");
    }
}
