/*
 * The instrumentation profiler on known programs: exact call counts (fib(20) calls fib
 * 21,891 times), total and self time that add up, enabling by function name, counting
 * without timing, turning off, and a shadow stack that survives traps.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class ProfilerTest {
    @Test
    void fib20CallsFib21891Times() throws Exception {
        assertEquals(21_891, Programs.fibCalls(20));
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            try (Profiler p = Profiler.attach(store)) {
                assertTrue(p.enable().await(Duration.ofSeconds(5)));
                assertEquals(6765, inst.func("fib").call(20)[0]);
                ProfileSnapshot s = p.snapshot();
                FunctionProfile fib = s.function("fib");
                assertEquals(21_891, fib.calls());
                assertTrue(fib.totalNanos() > 0, "total time measured");
                // One function: all of its time is its own, and recursion is not counted twice.
                assertEquals(fib.totalNanos(), fib.selfNanos(), fib.totalNanos() / 100.0 + 10);
                assertEquals(0, s.staleFrames());
                assertEquals(0, s.unmatchedExits());
                assertEquals(0, s.overflows());
                assertEquals(75_025, inst.func("fib").call(25)[0]);
                assertEquals(21_891 + Programs.fibCalls(25), p.snapshot().function("fib").calls());
            }
        }
    }

    @Test
    void totalAndSelfTimeOfCallerAndCallee() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "calls.clif");
            try (Profiler p = Profiler.attach(store)) {
                p.enable().await(Duration.ofSeconds(5));
                int n = 100_000;
                inst.func("outer").call(n);
                ProfileSnapshot s = p.snapshot();
                FunctionProfile outer = s.function("outer"), leaf = s.function("leaf");
                assertEquals(1, outer.calls());
                assertEquals(n, leaf.calls());
                assertTrue(leaf.totalNanos() <= outer.totalNanos(), s.format());
                assertEquals(outer.totalNanos(), outer.selfNanos() + leaf.totalNanos(), outer.totalNanos() / 100.0 + 100, s.format());
                assertEquals(leaf.totalNanos(), leaf.selfNanos(), leaf.totalNanos() / 100.0 + 10);
                assertEquals(0, s.function("deep").calls());
                String table = s.format();
                assertTrue(table.contains("outer") && table.contains("leaf") && table.contains("100,000"), table);
            }
        }
    }

    @Test
    void enableByNameCountsOnlyThose() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "calls.clif");
            try (Profiler p = Profiler.attach(store)) {
                p.enable("leaf").await(Duration.ofSeconds(5));
                inst.func("outer").call(1000);
                assertEquals(1000, p.snapshot().function("leaf").calls());
                assertEquals(0, p.snapshot().function("outer").calls());
                p.disable("leaf").await(Duration.ofSeconds(5));
                p.enable("outer").await(Duration.ofSeconds(5));
                inst.func("outer").call(1000);
                assertEquals(1000, p.snapshot().function("leaf").calls());
                assertEquals(1, p.snapshot().function("outer").calls());
                assertThrows(IllegalArgumentException.class, () -> p.enable("nope"));
            }
        }
    }

    @Test
    void disableStopsCountingAndKeepsCounts() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            try (Profiler p = Profiler.attach(store)) {
                p.enable().await(Duration.ofSeconds(5));
                inst.func("fib").call(15);
                p.disable().await(Duration.ofSeconds(5));
                inst.func("fib").call(15);
                assertEquals(Programs.fibCalls(15), p.snapshot().function("fib").calls());
                p.reset();
                assertEquals(0, p.snapshot().function("fib").calls());
                p.enable().await(Duration.ofSeconds(5));
                inst.func("fib").call(10);
                assertEquals(Programs.fibCalls(10), p.snapshot().function("fib").calls());
            }
            assertEquals(0, store.sitesOn(), "close turns the sites off");
            assertEquals(55, inst.func("fib").call(10)[0]);
        }
    }

    @Test
    void countingWithoutTiming() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "fib.clif");
            try (Profiler p = Profiler.attach(store, new ProfilerConfig().timing(false).storeName("counting"))) {
                p.enable().await(Duration.ofSeconds(5));
                assertEquals(1, store.sitesOn(), "only the entry site is on");
                inst.func("fib").call(20);
                FunctionProfile fib = p.snapshot().function("fib");
                assertEquals(21_891, fib.calls());
                assertEquals(0, fib.totalNanos());
                assertEquals("counting", p.snapshot().store());
            }
        }
    }

    @Test
    void shadowStackSurvivesTraps() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "calls.clif");
            try (Profiler p = Profiler.attach(store)) {
                p.enable().await(Duration.ofSeconds(5));
                for (int i = 0; i < 100; i++) {
                    Trap t = assertThrows(Trap.class, () -> inst.func("deep").call(50));
                    assertEquals("user1", t.code().clifName());
                }
                assertEquals(100 * 51, p.snapshot().function("deep").calls());
                // The 51 frames of each trapped call never exited; later entries drop them.
                inst.func("outer").call(1000);
                ProfileSnapshot s = p.snapshot();
                assertEquals(1000, s.function("leaf").calls());
                assertEquals(100 * 51, s.staleFrames(), s.format());
                assertEquals(0, s.unmatchedExits());
                FunctionProfile outer = s.function("outer"), leaf = s.function("leaf");
                assertEquals(outer.totalNanos(), outer.selfNanos() + leaf.totalNanos(), outer.totalNanos() / 100.0 + 100, s.format());
            }
        }
    }

    @Test
    void deeperThanTheShadowStackStillCountsEveryCall() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "calls.clif");
            try (Profiler p = Profiler.attach(store)) {
                p.enable("down").await(Duration.ofSeconds(5));
                int depth = dev.patchbay.profiler.ProfilerLayout.STACK_MAX + 900;
                assertEquals(depth, inst.func("down").call(depth)[0]);
                ProfileSnapshot s = p.snapshot();
                assertEquals(depth + 1, s.function("down").calls());
                long untimed = depth + 1 - dev.patchbay.profiler.ProfilerLayout.STACK_MAX;
                assertEquals(untimed, s.overflows(), s.format());
                assertEquals(untimed, s.unmatchedExits(), "the untimed frames' exits find no frame");
                assertEquals(0, s.staleFrames());
                assertTrue(s.function("down").totalNanos() > 0);
                inst.func("down").call(10);
                assertEquals(depth + 12, p.snapshot().function("down").calls());
                assertEquals(untimed, p.snapshot().overflows(), "the stack is back to normal");
            }
        }
    }

    @Test
    void twoInstancesInOneStore() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance fib = Programs.instantiate(engine, store, "fib.clif");
            Instance calls = Programs.instantiate(engine, store, "calls.clif");
            try (Profiler p = Profiler.attach(store, new ProfilerConfig().moduleName(fib, "fib").moduleName(calls, "calls"))) {
                p.enable().await(Duration.ofSeconds(5));
                fib.func("fib").call(12);
                calls.func("outer").call(77);
                ProfileSnapshot s = p.snapshot();
                assertEquals(Programs.fibCalls(12), s.function("fib").calls());
                assertEquals("fib", s.function("fib").module());
                assertEquals(77, s.function("leaf").calls());
                assertEquals("calls", s.function("leaf").module());
                assertEquals(0, s.unmatchedExits() + s.staleFrames(), s.format());
                Programs.instantiate(engine, store, "toggle.clif");
                assertThrows(IllegalStateException.class, p::enable, "a later instance needs a new Profiler");
            }
        }
    }
}
