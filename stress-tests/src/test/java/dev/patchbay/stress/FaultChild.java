/*
 * Fault scenarios that would take the whole process down if Patchbay got them wrong,
 * so FaultTest runs them in a child JVM (ChildJvm) and checks its exit status, output
 * and working directory (no hs_err file). Prints "RESULT key=value" lines.
 *   close-vs-call   one thread calls a Store in a loop while another closes it (the
 *                   caller is a virtual thread every other round, on JDK 21+)
 *   two-owners      two threads call the same Store at once (one platform, one virtual)
 *   wild-control    generated programs that call_indirect to arbitrary addresses and
 *                   overwrite their return addresses and saved frame pointers (ClifGen's
 *                   wild modules), with and without sites, each module on a fresh owner
 *                   (platform and virtual threads in turn): every call returns or traps,
 *                   a known-good guest in the same Store keeps working, and HotSpot's
 *                   implicit null checks still work afterwards
 * Arguments: mode, seed, milliseconds to run.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

public final class FaultChild {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long seed = Long.parseLong(args[1]);
        long millis = Long.parseLong(args[2]);
        System.out.println("RESULT seed=" + seed);
        switch (mode) {
            case "close-vs-call": closeVsCall(seed, millis); break;
            case "two-owners": twoOwners(seed, millis); break;
            case "wild-control": wildControl(seed, millis); break;
            default: throw new IllegalArgumentException(mode);
        }
        System.out.println("RESULT done=1");
        System.out.flush();
    }

    static void closeVsCall(long seed, long millis) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        long rounds = 0, callsOk = 0, callsRefused = 0, closeRefused = 0, virtualCalls = 0;
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true))) {
            Module m = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            // The budget starts once the setup is done: a child on a loaded machine can spend
            // most of a second starting up.
            long end = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < end) {
                Store store = new Store(engine);
                Instance inst = store.instantiate(m);
                AtomicLong ok = new AtomicLong(), refused = new AtomicLong();
                AtomicReference<Throwable> bad = new AtomicReference<>();
                CountDownLatch started = new CountDownLatch(1);
                long n = 1 + rnd.nextInt(2000);
                // Every other round the caller is a virtual thread (JDK 21+).
                boolean virtual = Threads.virtualOwners() && rounds % 2 == 1;
                Thread caller = Threads.newThread("caller", virtual, () -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                        // Back-to-back calls, and now and then a gap in which close() can win.
                        if (i % 32 == 31) LockSupport.parkNanos(20_000);
                        try {
                            long r = inst.func("sum").call(n)[0];
                            if (r != Guests.sum(n)) throw new AssertionError("sum(" + n + ") = " + r);
                            ok.incrementAndGet();
                        } catch (IllegalStateException e) {
                            if (!String.valueOf(e.getMessage()).contains("closed")) bad.set(e);
                            refused.incrementAndGet();
                            return;
                        } catch (Throwable t) {
                            bad.set(t);
                            return;
                        }
                    }
                });
                caller.start();
                started.await();
                LockSupport.parkNanos(rnd.nextInt(200_000));
                while (true) {
                    try {
                        if (rnd.nextBoolean()) store.request(rnd.nextBoolean() ? SitePlan.on() : SitePlan.off());
                        store.close();
                        break;
                    } catch (IllegalStateException e) {
                        if (!String.valueOf(e.getMessage()).contains("runs it")) throw e;
                        closeRefused++;
                    }
                }
                caller.join();
                if (bad.get() != null) throw new AssertionError("caller failed", bad.get());
                if (virtual) virtualCalls += ok.get();
                callsOk += ok.get();
                callsRefused += refused.get();
                rounds++;
            }
            if (engine.liveStores() != 0) throw new AssertionError(engine.liveStores() + " Stores still open");
        }
        System.out.println("RESULT rounds=" + rounds);
        System.out.println("RESULT calls-ok=" + callsOk);
        System.out.println("RESULT calls-refused=" + callsRefused);
        System.out.println("RESULT close-refused=" + closeRefused);
        System.out.println("RESULT virtual-calls=" + virtualCalls);
    }

    static void twoOwners(long seed, long millis) throws Exception {
        AtomicLong ok = new AtomicLong(), refused = new AtomicLong(), virtualCalls = new AtomicLong();
        CountDownLatch tried = new CountDownLatch(2);
        AtomicReference<Throwable> bad = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Engine engine = new Engine(); Store store = new Store(engine)) {
            Instance inst = store.instantiate(engine.load(Guests.compile("loops.clif", Guests.LOOPS)));
            Thread[] ts = new Thread[2];
            for (int i = 0; i < ts.length; i++) {
                SplittableRandom rnd = new SplittableRandom(seed + i);
                // The second caller is a virtual thread (JDK 21+): a platform and a virtual thread race for one Store.
                boolean virtual = Threads.virtualOwners() && i == 1;
                ts[i] = Threads.newThread("caller-" + i, virtual, () -> {
                    for (boolean first = true; !stop.get(); first = false) {
                        if (first) tried.countDown();
                        long n = 1 + rnd.nextInt(3000);
                        try {
                            long r = inst.func("calls").call(n)[0];
                            if (r != Guests.calls(n)) throw new AssertionError("calls(" + n + ") = " + r);
                            ok.incrementAndGet();
                            if (virtual) virtualCalls.incrementAndGet();
                        } catch (IllegalStateException e) {
                            if (!String.valueOf(e.getMessage()).contains("one owner at a time")) bad.compareAndSet(null, e);
                            refused.incrementAndGet();
                        } catch (Throwable t) {
                            bad.compareAndSet(null, t);
                        }
                    }
                });
                ts[i].start();
            }
            // The budget starts once both callers are about to make their first call.
            tried.await();
            long end = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < end && bad.get() == null) Thread.sleep(10);
            stop.set(true);
            for (Thread t : ts) t.join();
        }
        if (bad.get() != null) throw new AssertionError("a caller failed", bad.get());
        System.out.println("RESULT calls-ok=" + ok.get());
        System.out.println("RESULT calls-refused=" + refused.get());
        System.out.println("RESULT virtual-calls=" + virtualCalls.get());
    }

    static void wildControl(long seed, long millis) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        long modules = 0, virtualModules = 0;
        // Written by one owner thread at a time; start and join order the writes.
        long[] counts = new long[3]; // calls, returned, calls by virtual owners
        java.util.TreeMap<String, Long> traps = new java.util.TreeMap<>();
        java.nio.file.Path last = java.nio.file.Path.of("wild-last.clif");
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true));
             dev.patchbay.EpochTicker ticker = dev.patchbay.EpochTicker.start(engine, java.time.Duration.ofMillis(1))) {
            Module good = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            long end = System.nanoTime() + millis * 1_000_000L; // once the setup is done
            while (System.nanoTime() < end) {
                String text = ClifGen.wildModule(rnd).render();
                // If this program ever takes the JVM down, the parent shows it.
                java.nio.file.Files.writeString(last, text);
                java.util.List<dev.patchbay.codegen.ir.Function> fns = dev.patchbay.codegen.clif.ClifParser.parse("wild.clif", text).functions();
                dev.patchbay.codegen.instrument.InstrumentationPlan plan = rnd.nextBoolean()
                    ? dev.patchbay.codegen.instrument.InstrumentationPlan.all()
                    // Only epoch sites (an epoch Engine refuses code without them).
                    : dev.patchbay.codegen.instrument.InstrumentationPlan.of(dev.patchbay.codegen.instrument.SiteKind.EPOCH);
                dev.patchbay.codegen.machinst.CompiledModule cm = dev.patchbay.codegen.Compiler.compile(
                    dev.patchbay.codegen.clif.ClifParser.parse("wild.clif", text).functions(),
                    dev.patchbay.codegen.CompileOptions.builder().plan(plan).build());
                // Each module runs on a fresh owner: a platform thread and a virtual one (JDK 21+) in turn.
                boolean virtual = Threads.virtualOwners() && modules % 2 == 1;
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread owner = Threads.newThread("wild-owner", virtual, () -> {
                    try (Store store = new Store(engine)) {
                        store.setStackLimit(rnd.nextBoolean() ? 64 * 1024 : 256 * 1024);
                        Instance inst = store.instantiate(engine.load(cm));
                        Instance ok = store.instantiate(good);
                        if (rnd.nextInt(4) == 0) store.request(SitePlan.on());
                        for (dev.patchbay.codegen.ir.Function f : fns) {
                            String r = Runner.call(store, inst, f, Runner.args(f, rnd));
                            counts[0]++;
                            if (virtual) counts[2]++;
                            if (r.startsWith("=")) counts[1]++;
                            else traps.merge(r.substring(1), 1L, Long::sum);
                            long n = 1 + rnd.nextInt(500);
                            long sum = ok.func("sum").call(n)[0];
                            if (sum != Guests.sum(n)) throw new AssertionError("after %" + f.name + ": sum(" + n + ") = " + sum + "\n" + text);
                            if (virtual && rnd.nextInt(4) == 0) LockSupport.parkNanos(50_000); // may come back on another carrier
                        }
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                });
                owner.start();
                owner.join();
                if (failed.get() instanceof Exception) throw (Exception) failed.get();
                if (failed.get() instanceof Error) throw (Error) failed.get();
                if (failed.get() != null) throw new AssertionError(failed.get());
                if (virtual) virtualModules++;
                modules++;
            }
        }
        java.nio.file.Files.deleteIfExists(last);
        Object[] boxes = {new Object(), null};
        long npes = 0;
        for (int i = 0; i < 200_000; i++) {
            try {
                boxes[i & 1].hashCode();
            } catch (NullPointerException e) {
                npes++;
            }
        }
        System.out.println("RESULT npes=" + npes);
        System.out.println("RESULT modules=" + modules);
        System.out.println("RESULT calls=" + counts[0]);
        System.out.println("RESULT returned=" + counts[1]);
        System.out.println("RESULT virtual-modules=" + virtualModules);
        System.out.println("RESULT virtual-calls=" + counts[2]);
        System.out.println("RESULT traps=" + traps);
        System.out.println("RESULT bad-target=" + traps.getOrDefault("bad_target", 0L));
    }
}
