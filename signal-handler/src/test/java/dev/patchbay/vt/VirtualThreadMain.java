/*
 * Child-JVM program for VirtualThreadTest: guests on virtual threads that sleep between
 * calls, so each call may run on another carrier thread with another native stack. Built
 * for Java 17 and run on a JDK with virtual threads: Thread.ofVirtual is reached by
 * reflection. Prints RESULT lines; any stk_ovf in the shallow calls, or a wrong result,
 * is a failure (exit 1). Then Thread.interrupt() of virtual owners in runaway loops, with
 * EngineConfig.interruptOnThreadInterrupt: each must end in an interrupt Trap whose cause
 * is an InterruptedException, with its interrupt status consumed. A crash is a missing RESULT line and a signal exit.
 */
package dev.patchbay.vt;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

public final class VirtualThreadMain {
    static final String REC = String.join("\n",
        "function %rec(i64) -> i64 {",
        "    fn0 = %rec(i64) -> i64",
        "block0(v0: i64):",
        "    brif v0, block1, block2",
        "block1:",
        "    v1 = iadd_imm v0, -1",
        "    v2 = call fn0(v1)",
        "    v3 = iadd_imm v2, 1",
        "    return v3",
        "block2:",
        "    return v0",
        "}");

    public static void main(String[] args) throws Exception {
        CompiledModule cm = Compiler.compile(ClifParser.parse("rec.clif", REC).functions(), CompileOptions.defaults());
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        java.lang.reflect.Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        AtomicInteger ok = new AtomicInteger(), spurious = new AtomicInteger(), deepTraps = new AtomicInteger(), other = new AtomicInteger();
        try (Engine engine = new Engine(new EngineConfig())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                Thread vt = (Thread) unstarted.invoke(builder, (Runnable) () -> {
                    try (Store store = new Store(engine)) {
                        Instance inst = store.instantiate(engine.load(cm));
                        for (int i = 0; i < 25; i++) {
                            try {
                                if (inst.func("rec").call(100)[0] == 100) ok.incrementAndGet();
                                else other.incrementAndGet();
                            } catch (Trap e) {
                                if (e.code().equals(TrapCode.STACK_OVERFLOW)) spurious.incrementAndGet();
                                else other.incrementAndGet();
                            }
                            // A guest that recurses without end must trap, on whatever carrier.
                            if (i % 5 == 0) {
                                try {
                                    inst.func("rec").call(100_000_000L);
                                    other.incrementAndGet();
                                } catch (Trap e) {
                                    if (e.code().equals(TrapCode.STACK_OVERFLOW)) deepTraps.incrementAndGet();
                                    else other.incrementAndGet();
                                }
                            }
                            Thread.sleep(1 + (i % 3));
                        }
                    } catch (Throwable e) {
                        e.printStackTrace();
                        other.incrementAndGet();
                    }
                });
                threads.add(vt);
                vt.start();
            }
            for (Thread t : threads) t.join();
        }
        int interrupted = threadInterrupts(builder, unstarted);
        System.out.println("RESULT vinterrupt=" + interrupted);
        System.out.println("RESULT ok=" + ok.get());
        System.out.println("RESULT spurious=" + spurious.get());
        System.out.println("RESULT deep=" + deepTraps.get());
        System.out.println("RESULT other=" + other.get());
        System.exit(interrupted == 8 && ok.get() == 400 && spurious.get() == 0 && deepTraps.get() == 80 && other.get() == 0 ? 0 : 1);
    }

    /** Virtual owners in runaway loops, each stopped by Thread.interrupt(); returns how many ended right. */
    static int threadInterrupts(Object builder, java.lang.reflect.Method unstarted) throws Exception {
        AtomicInteger right = new AtomicInteger();
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true).interruptOnThreadInterrupt(true))) {
            dev.patchbay.Module m = dev.patchbay.Module.fromClif(engine, "runaway.clif", dev.patchbay.epoch.EpochGuests.RUNAWAY);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread vt = (Thread) unstarted.invoke(builder, (Runnable) () -> {
                    try (Store store = new Store(engine)) {
                        // Owners that find no free carrier (the running ones pin theirs) are
                        // interrupted before their call starts: it stops at its first site.
                        new dev.patchbay.Linker().define("host_wait", (c, a) -> a[0]).instantiate(store, m).func("runaway").call(1);
                    } catch (Trap e) {
                        if (e.code().equals(TrapCode.INTERRUPT) && e.getCause() instanceof InterruptedException
                                && !Thread.currentThread().isInterrupted()) right.incrementAndGet();
                        else e.printStackTrace();
                    } catch (Throwable e) {
                        e.printStackTrace();
                    }
                });
                threads.add(vt);
                vt.start();
            }
            Thread.sleep(50);
            for (Thread t : threads) t.interrupt();
            for (Thread t : threads) t.join(30_000);
        }
        return right.get();
    }
}
