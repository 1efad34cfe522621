/*
 * The runtime's contract (issue 3, DESIGN.md invariants 1, 4, 5, 8): hostcalls in both
 * directions, exceptions that never get lost, traps with exact guest backtraces, stack
 * overflow that traps instead of crashing, single-owner Stores, use after close, and
 * Stores that give back every byte they mapped.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CallSite;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.TrapSite;
import dev.patchbay.internal.sys.ProcSelf;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class RuntimeTest {
    static CompiledModule compile(String clif) {
        return Compiler.compile(ClifParser.parse("test.clif", clif).functions(), CompileOptions.defaults());
    }

    static final Engine ENGINE = new Engine();

    static final String CHAIN = String.join("\n",
        "function %c(i64) -> i64 {",
        "block0(v0: i64):",
        "    v1 = iconst.i64 100",
        "    v2 = udiv v1, v0",
        "    return v2",
        "}",
        "function %b(i64) -> i64 {",
        "    fn0 = %c(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}",
        "function %a(i64) -> i64 {",
        "    fn0 = %b(i64) -> i64",
        "block0(v0: i64):",
        "    v1 = call fn0(v0)",
        "    v2 = iadd_imm v1, 1",
        "    return v2",
        "}");

    @Test
    void trapBacktraceIsExact() {
        CompiledModule cm = compile(CHAIN);
        try (Store store = new Store(ENGINE)) {
            Instance inst = store.instantiate(ENGINE.load(cm));
            assertEquals(27, inst.func("a").call(4)[0]);
            Trap t = assertThrows(Trap.class, () -> inst.func("a").call(0));
            assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, t.code());
            StackTraceElement[] st = t.getStackTrace();
            assertTrue(st.length > 3, "a fault carries the Java stack trace of the call");
            // The guest frames come first, so a logged Trap shows where the guest was.
            assertEquals(List.of("guest.%c", "guest.%b", "guest.%a"),
                java.util.Arrays.stream(st, 0, 3).map(e -> e.getClassName() + "." + e.getMethodName()).collect(java.util.stream.Collectors.toList()));
            assertNotEquals(Trap.GUEST_CLASS, st[3].getClassName(), "then the Java frames");
            java.io.StringWriter printed = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(printed));
            assertTrue(printed.toString().contains("at guest.%c(+0x"), printed.toString());
            FunctionInfo a = cm.function("a"), b = cm.function("b"), c = cm.function("c");
            TrapSite divz = cm.trapSites.stream().filter(s -> c.contains(s.offset) && s.code.equals(TrapCode.INTEGER_DIVISION_BY_ZERO))
                .findFirst().orElseThrow();
            CallSite bToC = cm.callSites.stream().filter(s -> b.contains(s.returnOffset)).findFirst().orElseThrow();
            CallSite aToB = cm.callSites.stream().filter(s -> a.contains(s.returnOffset)).findFirst().orElseThrow();
            assertEquals(List.of(
                // Each frame names its CLIF instruction: the udiv, then the two calls.
                new GuestFrame("c", divz.offset - c.start, "4:5"),
                new GuestFrame("b", bToC.returnOffset - b.start, "10:5"),
                new GuestFrame("a", aToB.returnOffset - a.start, "17:5")), t.backtrace());
            // The Store stays usable after a trap.
            assertEquals(12, inst.func("a").call(10)[0]);
        }
    }

    static final String HOST = String.join("\n",
        "function %add_then_host(i64, i64) -> i64 {",
        "    fn0 = %host_add(i64, i64) -> i64",
        "block0(v0: i64, v1: i64):",
        "    v2 = call fn0(v0, v1)",
        "    v3 = imul_imm v2, 10",
        "    return v3",
        "}",
        "function %many(i64) -> i64 {",
        "    fn0 = %host_sum8(i64, i64, i64, i64, i64, i64, i64, i64) -> i64",
        "block0(v0: i64):",
        "    v1 = iadd_imm v0, 1",
        "    v2 = iadd_imm v0, 2",
        "    v3 = iadd_imm v0, 3",
        "    v4 = iadd_imm v0, 4",
        "    v5 = iadd_imm v0, 5",
        "    v6 = iadd_imm v0, 6",
        "    v7 = iadd_imm v0, 7",
        "    v8 = call fn0(v0, v1, v2, v3, v4, v5, v6, v7)",
        "    return v8",
        "}",
        "function %fact(i64) -> i64 {",
        "    fn0 = %host_fact(i64) -> i64",
        "block0(v0: i64):",
        "    brif v0, block1, block2",
        "block1:",
        "    v1 = iadd_imm v0, -1",
        "    v2 = call fn0(v1)",
        "    v3 = imul v0, v2",
        "    return v3",
        "block2:",
        "    v4 = iconst.i64 1",
        "    return v4",
        "}");

    static Linker linker() {
        return new Linker()
            .define("host_add", (c, a) -> a[0] + a[1])
            .define("host_sum8", (c, a) -> {
                long s = 0;
                for (long x : a) s = s * 10 + x;
                return s;
            })
            .define("host_fact", (c, a) -> c.instance().func("fact").call(a[0])[0]);
    }

    @Test
    void hostcallsWithRegisterAndStackArguments() {
        try (Store store = new Store(ENGINE)) {
            Instance inst = linker().instantiate(store, ENGINE.load(compile(HOST)));
            assertEquals(70, inst.func("add_then_host").call(3, 4)[0]);
            assertEquals(1234567L + 10_000_000L * 0, inst.func("many").call(0)[0] - 0, "digits 0..7");
            assertEquals(12345678L, inst.func("many").call(1)[0]);
        }
    }

    @Test
    void guestHostGuestReentry() {
        try (Store store = new Store(ENGINE)) {
            Instance inst = linker().instantiate(store, ENGINE.load(compile(HOST)));
            // fact(n) calls host_fact(n-1), which calls fact(n-1) again: 2n alternating frames.
            assertEquals(3628800L, inst.func("fact").call(10)[0]);
            assertEquals(2432902008176640000L, inst.func("fact").call(20)[0]);
        }
    }

    @Test
    void hostcallExceptionBecomesTrapWithCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        Linker l = new Linker()
            .define("host_add", (c, a) -> {
                if (a[0] < 0) throw boom;
                return a[0] + a[1];
            })
            .define("host_sum8", (c, a) -> 0)
            .define("host_fact", (c, a) -> 1);
        try (Store store = new Store(ENGINE)) {
            CompiledModule cm = compile(HOST);
            Instance inst = l.instantiate(store, ENGINE.load(cm));
            Trap t = assertThrows(Trap.class, () -> inst.func("add_then_host").call(-1, 2));
            assertEquals(TrapCode.HOST_ERROR, t.code());
            assertSame(boom, t.getCause());
            assertEquals("add_then_host", t.backtrace().get(0).function());
            CallSite site = cm.callSites.stream().filter(s -> cm.function("add_then_host").contains(s.returnOffset)).findFirst().orElseThrow();
            assertEquals(site.returnOffset - cm.function("add_then_host").start, t.backtrace().get(0).offset());
            assertEquals(30, inst.func("add_then_host").call(1, 2)[0], "usable after a host error");
        }
    }

    @Test
    void innerGuestTrapPropagatesThroughHostcall() {
        try (Store store = new Store(ENGINE)) {
            Linker l = new Linker().define("host_div", (c, a) -> c.instance().func("div").call(a[0], a[1])[0]);
            String clif = "function %div(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = sdiv v0, v1\n    return v2\n}\n"
                + "function %outer(i64, i64) -> i64 {\n    fn0 = %host_div(i64, i64) -> i64\nblock0(v0: i64, v1: i64):\n"
                + "    v2 = call fn0(v0, v1)\n    return v2\n}\n";
            Instance inst = l.instantiate(store, ENGINE.load(compile(clif)));
            assertEquals(3, inst.func("outer").call(7, 2)[0]);
            Trap t = assertThrows(Trap.class, () -> inst.func("outer").call(7, 0));
            assertEquals(TrapCode.HOST_ERROR, t.code());
            Trap inner = assertInstanceOf(Trap.class, t.getCause());
            assertEquals(TrapCode.INTEGER_DIVISION_BY_ZERO, inner.code());
            assertEquals("div", inner.backtrace().get(0).function());
            assertEquals(3, inst.func("outer").call(7, 2)[0]);
        }
    }

    @Test
    void missingHostcallIsAClearError() {
        try (Store store = new Store(ENGINE)) {
            Module m = ENGINE.load(compile(HOST));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Linker().define("host_add", (c, a) -> 0).instantiate(store, m));
            assertTrue(e.getMessage().contains("host_sum8"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.instantiate(m));
        }
    }

    @Test
    void deepRecursionTrapsWithStackOverflow() {
        String clif = "function %down(i64) -> i64 {\n    fn0 = %down(i64) -> i64\nblock0(v0: i64):\n"
            + "    v1 = iadd_imm v0, 1\n    v2 = call fn0(v1)\n    v3 = iadd v2, v0\n    return v3\n}\n";
        try (Store store = new Store(ENGINE)) {
            store.setStackLimit(128 * 1024);
            Instance inst = store.instantiate(ENGINE.load(compile(clif)));
            for (int i = 0; i < 3; i++) {
                Trap t = assertThrows(Trap.class, () -> inst.func("down").call(0));
                assertEquals(TrapCode.STACK_OVERFLOW, t.code());
                assertFalse(t.backtrace().isEmpty());
                for (GuestFrame f : t.backtrace()) assertEquals("down", f.function());
            }
        }
    }

    @Test
    void secondThreadIsRejectedWhileRunning() throws Exception {
        CountDownLatch inHost = new CountDownLatch(1), release = new CountDownLatch(1);
        Linker l = new Linker()
            .define("host_add", (c, a) -> {
                inHost.countDown();
                assertTrue(release.await(10, TimeUnit.SECONDS));
                return a[0] + a[1];
            })
            .define("host_sum8", (c, a) -> 0)
            .define("host_fact", (c, a) -> 1);
        try (Store store = new Store(ENGINE)) {
            Instance inst = l.instantiate(store, ENGINE.load(compile(HOST)));
            AtomicReference<long[]> result = new AtomicReference<>();
            Thread owner = new Thread(() -> result.set(inst.func("add_then_host").call(1, 2)), "guest-owner");
            owner.start();
            assertTrue(inHost.await(10, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> inst.func("add_then_host").call(1, 2));
            assertTrue(e.getMessage().contains("guest-owner"), e.getMessage());
            release.countDown();
            owner.join(10_000);
            assertEquals(30, result.get()[0]);
        }
    }

    @Test
    void useAfterCloseFailsCleanly() {
        Store store = new Store(ENGINE);
        Instance inst = store.instantiate(ENGINE.load(compile(CHAIN)));
        Func a = inst.func("a");
        assertEquals(27, a.call(4)[0]);
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.call(4));
        assertEquals("store is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> store.instantiate(ENGINE.load(compile(CHAIN))));
        store.close();
    }

    @Test
    void tenThousandStoresGiveBackTheirMemory() {
        Module m = ENGINE.load(compile(CHAIN));
        // Warm up allocator pools and JIT so the baseline is stable.
        for (int i = 0; i < 200; i++) {
            try (Store s = new Store(ENGINE)) {
                s.instantiate(m).func("a").call(4);
            }
        }
        long patchbayBefore = ProcSelf.mappedBytesMatching(x -> x.path().contains("patchbay"));
        long totalBefore = ProcSelf.mappedBytesMatching(x -> true);
        for (int i = 0; i < 10_000; i++) {
            try (Store s = new Store(ENGINE)) {
                assertEquals(27, s.instantiate(m).func("a").call(4)[0]);
            }
        }
        assertEquals(patchbayBefore, ProcSelf.mappedBytesMatching(x -> x.path().contains("patchbay")));
        long totalAfter = ProcSelf.mappedBytesMatching(x -> true);
        // 10,000 leaked Stores would be at least 10,000 pages (40 MiB) of code alone.
        assertTrue(totalAfter - totalBefore < (16L << 20), "mapped bytes grew by " + (totalAfter - totalBefore));
    }

    @Test
    void noWritableExecutableMappings() {
        try (Store a = new Store(ENGINE); Store b = new Store(ENGINE)) {
            a.instantiate(ENGINE.load(compile(CHAIN)));
            b.instantiate(ENGINE.load(compile(CHAIN)));
            List<ProcSelf.Mapping> maps = ProcSelf.maps();
            assertTrue(maps.stream().anyMatch(x -> x.path().contains("patchbay") && x.executable()));
            for (ProcSelf.Mapping x : maps) {
                if (x.path().contains("patchbay")) assertFalse(x.writable() && x.executable(), "rwx mapping: " + x);
            }
        }
    }

    @Test
    void stackLimitNeverReachesTheJvmGuardZones() throws Exception {
        // A small Java thread stack and a guest budget far larger than it: the guest must
        // trap with stk_ovf at the floor instead of running into HotSpot's guard pages.
        String clif = "function %down(i64) -> i64 {\n    fn0 = %down(i64) -> i64\nblock0(v0: i64):\n"
            + "    v1 = iadd_imm v0, 1\n    v2 = call fn0(v1)\n    v3 = iadd v2, v0\n    return v3\n}\n";
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try (Store store = new Store(ENGINE)) {
                store.setStackLimit(1L << 30);
                Instance inst = store.instantiate(ENGINE.load(compile(clif)));
                inst.func("down").call(0);
            } catch (Throwable e) {
                got.set(e);
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join(30_000);
        Trap trap = assertInstanceOf(Trap.class, got.get());
        assertEquals(TrapCode.STACK_OVERFLOW, trap.code());
    }

    static final String SUM = "function %sum(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iconst.i64 0\n    jump block1(v1, v1)\n"
        + "block1(v2: i64, v3: i64):\n    v4 = iadd v3, v2\n    v5 = iadd_imm v2, 1\n    v6 = icmp ult v5, v0\n"
        + "    brif v6, block1(v5, v4), block2\nblock2:\n    return v4\n}\n";

    /**
     * Regression (stress suite, faults): two threads calling one Store at once could both
     * pass the owner check, share its argument buffer, and get each other's results.
     */
    @Test
    void twoThreadsNeverRunOneStoreAtOnce() throws Exception {
        try (Store store = new Store(ENGINE)) {
            Instance inst = store.instantiate(ENGINE.load(compile(SUM)));
            AtomicReference<Throwable> bad = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
            long end = System.nanoTime() + 1_000_000_000L;
            Thread[] ts = new Thread[2];
            for (int i = 0; i < ts.length; i++) {
                long n = 100 + 37 * i;
                ts[i] = new Thread(() -> {
                    while (System.nanoTime() < end && bad.get() == null) {
                        try {
                            long r = inst.func("sum").call(n)[0];
                            if (r != n * (n - 1) / 2) throw new AssertionError("sum(" + n + ") = " + r + " on a shared Store");
                        } catch (IllegalStateException e) {
                            if (!e.getMessage().contains("one owner at a time")) bad.compareAndSet(null, e);
                            refused.incrementAndGet();
                        } catch (Throwable t) {
                            bad.compareAndSet(null, t);
                        }
                    }
                });
                ts[i].start();
            }
            for (Thread t : ts) t.join(30_000);
            assertNull(bad.get(), () -> "a caller failed: " + bad.get());
        }
    }

    /**
     * Regression (stress suite, faults): close() racing with a call on another thread
     * threw a NullPointerException (it read `running` twice), and could free the code and
     * vmctx between the call's checks and its entry into guest code.
     */
    @Test
    void closeRacingWithACallFailsCleanly() throws Exception {
        Module m = ENGINE.load(compile(SUM));
        java.util.Random rnd = new java.util.Random(7);
        for (int round = 0; round < 150; round++) {
            Store store = new Store(ENGINE);
            Instance inst = store.instantiate(m);
            AtomicReference<Throwable> bad = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                for (int i = 0; ; i++) {
                    // Leave the closer a gap now and then, as well as back-to-back calls.
                    if (i % 16 == 15) java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    try {
                        assertEquals(499500, inst.func("sum").call(1000)[0]);
                    } catch (IllegalStateException e) {
                        if (!e.getMessage().equals("store is closed")) bad.set(e);
                        return;
                    } catch (Throwable t) {
                        bad.set(t);
                        return;
                    }
                }
            });
            caller.start();
            java.util.concurrent.locks.LockSupport.parkNanos(rnd.nextInt(100_000));
            while (true) {
                try {
                    store.close();
                    break;
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage().startsWith("cannot close a Store while thread"), e.getMessage());
                }
            }
            caller.join(30_000);
            assertNull(bad.get(), () -> "the caller got " + bad.get());
        }
    }

    /** Regression: two threads closing one Store at once closed it twice (liveStores went negative). */
    @Test
    void concurrentClosesCloseOnce() throws Exception {
        try (Engine engine = new Engine()) {
            Module m = engine.load(compile(SUM));
            for (int round = 0; round < 2000; round++) {
                Store store = new Store(engine);
                store.instantiate(m);
                java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
                Thread other = new Thread(() -> {
                    try {
                        go.await();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    store.close();
                });
                other.start();
                go.await();
                store.close();
                other.join(10_000);
                assertEquals(0, engine.liveStores(), "round " + round);
            }
        }
    }

    /**
     * Regression (stress suite, faults): after close(), isSiteOn said "instance does not
     * belong to this Store" (an IllegalArgumentException blaming the caller) instead of
     * saying the Store is closed, like every other use of a closed Store.
     */
    @Test
    void siteQueryAfterCloseSaysTheStoreIsClosed() {
        Store store = new Store(ENGINE);
        Instance inst = store.instantiate(ENGINE.load(Compiler.compile(ClifParser.parse("t.clif", SUM).functions(),
            CompileOptions.builder().plan(dev.patchbay.codegen.instrument.InstrumentationPlan.all()).build())));
        assertFalse(store.isSiteOn(inst, 0));
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.isSiteOn(inst, 0));
        assertEquals("store is closed", e.getMessage());
    }

    /**
     * Regression (stress suite, bad input: generated programs run with and without sites
     * must agree): a block parameter could be given a register that the block's first
     * instruction clobbers before it runs. Here v3 arrives in rax, and urem, the first
     * instruction of block1, puts its dividend in rax, so %f returned v4 / v4 = 1
     * instead of v3 = v1 = 0.
     */
    @Test
    void blockParameterSurvivesAClobberByTheFirstInstruction() {
        String clif = String.join("\n",
            "function %f(i64, i8, i8) -> i8, i64 {",
            "block0(v0: i64, v1: i8, v2: i8):",
            "    v5 = iconst.i32 -62182",
            "    v6 = band_imm v5, -49",
            "    brif v5, block1(v1, v5), block1(v2, v6)",
            "block1(v3: i8, v4: i32):",
            "    v10 = urem v4, v4",
            "    v11 = iconst.i64 -78",
            "    return v3, v11",
            "}",
            "function %g(i64, i64) -> i64, i64 {",
            "block0(v0: i64, v1: i64):",
            "    brif v0, block1(v1, v0), block1(v0, v1)",
            "block1(v2: i64, v3: i64):",
            "    v4 = sdiv v3, v3",
            "    v5 = iadd v2, v4",
            "    return v2, v5",
            "}");
        try (Store store = new Store(ENGINE)) {
            Instance inst = store.instantiate(ENGINE.load(compile(clif)));
            assertArrayEquals(new long[] {0, -78}, inst.func("f").call(-5958500012989834993L, 0, 1));
            assertArrayEquals(new long[] {1, -78}, inst.func("f").call(7, 1, 0));
            assertArrayEquals(new long[] {9, 10}, inst.func("g").call(5, 9));
        }
    }
}
