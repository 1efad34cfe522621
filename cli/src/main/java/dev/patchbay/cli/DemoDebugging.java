/*
 * Part 6 of the demo: debugging the program while it runs, from another thread.
 *
 *  - A logpoint on the body of collatz_len's loop (one hit per Collatz step) is set while
 *    the guest calls count_steps(n) over and over, and removed a little later. The guest
 *    thread reads the logpoint's hit count between its calls (when no guest code runs),
 *    so every call that started after the logpoint was set and ended before its removal
 *    began must have added exactly its own result, the program's count of the steps it
 *    took. The demo checks that, call by call.
 *  - A breakpoint at the same place is set during one long call; the stop handler runs on
 *    the owner thread and blocks there (the guest is stopped) while the controller thread
 *    prints the stop, reads its values and removes the breakpoint; then the guest resumes
 *    and must return what a Java implementation of the same function returns.
 *
 * The location is the loop body's first instruction, found in the program's own Wasm (the
 * instruction after collatz_len's `loop`): a Wasm code offset, which the module's IR
 * carries as its source location.
 */
package dev.patchbay.cli;

import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.WasmFunction;
import dev.patchbay.debug.Breakpoint;
import dev.patchbay.debug.DebugAction;
import dev.patchbay.debug.Debugger;
import dev.patchbay.debug.Location;
import dev.patchbay.debug.StackFrame;
import dev.patchbay.debug.Variable;
import dev.patchbay.wasm.FunctionBody;
import dev.patchbay.wasm.Instruction;
import dev.patchbay.wasm.Op;
import dev.patchbay.wasm.WasmModule;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

final class DemoDebugging {
    private DemoDebugging() {}

    /** One count_steps call as the guest thread saw it. */
    private record Call(long start, long end, long hitsBefore, long hitsAfter, long result) {}

    /** The Wasm code offset of the first instruction in the body of `cName`'s first loop. */
    static int loopBody(byte[] wasm, String cName) {
        WasmModule m = WasmModule.decode(wasm);
        for (Map.Entry<Long, String> e : m.names().functionNames().entrySet()) {
            if (!e.getValue().equals(cName)) continue;
            FunctionBody body = m.functions().get((int) (e.getKey() - m.importedFunctionCount()));
            List<Instruction> code = body.instructions();
            for (int i = 0; i + 1 < code.size(); i++) if (code.get(i).op() == Op.LOOP) return code.get(i + 1).offset();
        }
        throw new IllegalStateException("demo.wasm has no loop in a function named " + cName);
    }

    /** The Collatz steps of 1..n, as demo.c's count_steps computes them. */
    static long countSteps(long n) {
        long total = 0;
        for (long i = 1; i <= n; i++) {
            for (long x = i; x != 1; x = (x & 1) != 0 ? 3 * x + 1 : x >>> 1) total++;
        }
        return total;
    }

    /** Part 6; returns false if a check failed (printed). */
    static boolean run(DemoCommand demo) throws Exception {
        PrintStream out = demo.out();
        demo.heading(6, "Debug a running guest: a logpoint that counts exactly, then a breakpoint with its values");
        String fn = demo.function("collatz_len");
        int offset = loopBody(demo.wasm, "collatz_len");
        Location at = Location.line(fn, offset);
        boolean ok;
        try (Store store = new Store(demo.engine)) {
            store.setStackLimit(WasiRun.DEFAULT_STACK_BYTES);
            WasmFunction steps = DemoCommand.instantiate(store, demo.module, List.of("demo.wasm"), new ByteArrayOutputStream())
                .instance().function("count_steps");
            Debugger debugger = store.debugger();
            out.printf("  location: the body of %%%s's loop, Wasm offset 0x%x (demo.c: x = (x & 1) ? 3 * x + 1 : x >> 1;)%n", fn, offset);
            ok = logpoint(demo, out, steps, debugger, at);
            ok &= breakpoint(demo, out, steps, debugger, at);
        }
        out.println("  With no breakpoint set the code is byte for byte what it is without a debugger; a hit costs a trap.");
        return ok;
    }

    private static boolean logpoint(DemoCommand demo, PrintStream out, WasmFunction steps, Debugger debugger, Location at) throws Exception {
        int n = 40;
        long windowMs = demo.quick ? 300 : 1000;
        AtomicReference<Breakpoint> set = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong setAt = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        java.util.concurrent.atomic.AtomicInteger whole = new java.util.concurrent.atomic.AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        List<Call> calls = new ArrayList<>();
        AtomicReference<Trap> trap = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread guest = new Thread(() -> {
            started.countDown();
            try {
                while (!done.get()) {
                    long t0 = System.nanoTime();
                    Breakpoint b = set.get();
                    long h0 = b == null ? 0 : b.hits();
                    long r = steps.call(n)[0];
                    long h1 = b == null ? 0 : b.hits();
                    calls.add(new Call(t0, System.nanoTime(), h0, h1, b == null ? -1 : r));
                    if (b != null && t0 > setAt.get() + 1_000_000) whole.incrementAndGet();
                }
            } catch (Trap t) {
                trap.set(t);
            }
        }, "demo-logpoint");
        guest.start();
        started.await();
        Thread.sleep(50);
        Breakpoint lp = debugger.edit().addLogpoint(at).apply().get(0);
        long addedAt = System.nanoTime();
        setAt.set(addedAt);
        set.set(lp);
        Thread.sleep(windowMs);
        // On a loaded machine calls take longer: keep it until three have run wholly under it.
        for (long giveUp = System.nanoTime() + 10_000_000_000L; whole.get() < 3 && System.nanoTime() < giveUp; ) Thread.sleep(10);
        long removing = System.nanoTime();
        debugger.edit().remove(lp).apply();
        Thread.sleep(50);
        done.set(true);
        guest.join(30_000);
        if (trap.get() != null) throw trap.get();
        // A call counts in full if it began after the logpoint was set (with 1 ms for the
        // new int3 to reach the guest's core) and ended before its removal began.
        long covered = 0, hits = 0, stepsDone = 0, wrong = 0;
        for (Call c : calls) {
            if (c.result < 0 || c.start < addedAt + 1_000_000 || c.end > removing) continue;
            covered++;
            hits += c.hitsAfter - c.hitsBefore;
            stepsDone += c.result;
            if (c.hitsAfter - c.hitsBefore != c.result) wrong++;
        }
        out.printf("  logpoint set from the controller thread while the guest called count_steps(%d) in a loop, removed %d ms later%n", n, (removing - addedAt) / 1_000_000);
        out.printf("  (it landed at %%%s+0x%x): %,d hits in all. Over the %d calls made wholly while it was set:%n",
            lp.function(), lp.machineOffset(), lp.hits(), covered);
        boolean exact = covered > 0 && wrong == 0 && hits == stepsDone;
        out.printf("  %,d hits = %,d steps, the program's own count (call by call: %s)%n", hits, stepsDone,
            exact ? demo.green("exact") : wrong + " calls differ");
        if (!exact) System.err.println("patchbay demo: the logpoint's count is not the program's (" + covered + " calls, " + wrong + " differ)");
        return exact;
    }

    private static boolean breakpoint(DemoCommand demo, PrintStream out, WasmFunction steps, Debugger debugger, Location at) throws Exception {
        long n = demo.quick ? 600_000 : 1_500_000;
        CountDownLatch stopped = new CountDownLatch(1), resume = new CountDownLatch(1);
        List<String> shown = new ArrayList<>();
        AtomicBoolean first = new AtomicBoolean(true);
        debugger.onStop(e -> {
            if (!first.getAndSet(false)) return DebugAction.CONTINUE;
            for (StackFrame f : e.frames()) shown.add("frame %" + f.function() + "+0x" + Integer.toHexString(f.offset()) + (f.line() > 0 ? " (@0x" + Integer.toHexString(f.line()) + ")" : ""));
            List<Variable> vs = e.variables(0);
            List<String> live = new ArrayList<>();
            int gone = 0;
            for (Variable v : vs) {
                if (v.available()) live.add(v.name() + " = " + v.value() + " (" + v.where() + ")");
                else gone++;
            }
            shown.add("values: " + String.join(", ", live.subList(0, Math.min(8, live.size()))) + (live.size() > 8 ? ", ..." : "")
                + "; " + gone + " optimized out here");
            stopped.countDown();
            try {
                // The guest stays stopped while the controller looks and removes the breakpoint.
                if (!resume.await(30, TimeUnit.SECONDS)) return DebugAction.INTERRUPT;
            } catch (InterruptedException ie) {
                return DebugAction.INTERRUPT;
            }
            return DebugAction.CONTINUE;
        });
        AtomicReference<long[]> result = new AtomicReference<>();
        AtomicReference<Trap> trap = new AtomicReference<>();
        // The guest calls count_steps(n) again and again until one call has been stopped: how
        // long one call takes is the machine's and the compiler's (a faster build finished
        // before the breakpoint was set, and nothing ever stopped), so no single call is
        // assumed to outlast the controller's 100 ms.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Thread guest = new Thread(() -> {
            try {
                do {
                    result.set(steps.call(n));
                } while (stopped.getCount() > 0 && System.nanoTime() < deadline);
            } catch (Trap t) {
                trap.set(t);
            }
        }, "demo-breakpoint");
        guest.start();
        Thread.sleep(100);
        long t0 = System.nanoTime();
        Breakpoint bp = debugger.edit().add(at).apply().get(0);
        boolean hit = stopped.await(10, TimeUnit.SECONDS);
        long stopUs = (System.nanoTime() - t0) / 1000;
        if (!hit) {
            System.err.println("patchbay demo: the breakpoint did not stop the guest");
            resume.countDown();
            guest.join(30_000);
            return false;
        }
        out.printf("  breakpoint set while the guest calls count_steps(%d) in a loop; it stopped %,d us later, on its owner thread:%n", n, stopUs);
        for (String s : shown) out.println("    " + s);
        debugger.edit().remove(bp).apply();
        resume.countDown();
        long expect = countSteps(n);
        guest.join(60_000);
        debugger.onStop(null);
        if (trap.get() != null) throw trap.get();
        boolean right = result.get() != null && result.get()[0] == expect;
        out.printf("  breakpoint removed, guest resumed: count_steps(%d) = %,d, %s%n", n, result.get() == null ? -1 : result.get()[0],
            right ? demo.green("what a Java implementation computes") : "but Java computes " + expect);
        return right;
    }
}
