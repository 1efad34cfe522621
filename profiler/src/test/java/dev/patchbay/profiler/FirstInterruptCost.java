/*
 * A measurement, not a test: what the first interrupt after JfrEvents.register costs on
 * the guest's side, against one without the listener. Each run is a fresh JVM (the cost
 * is one-time class loading and JFR set-up), so run it several times per mode:
 *
 *   mvn -q -pl profiler test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 *   for m in none listener jfr register record; do for i in 1 2 3 4 5; do
 *     java -cp profiler/target/test-classes:profiler/target/classes:$(cat profiler/cp.txt) \
 *       dev.patchbay.profiler.FirstInterruptCost $m; done; done
 *
 * Modes: none (no listener), listener (a RuntimeListener that does nothing: what any
 * listener costs), jfr (JFR's recorder initialized, no listener: what JFR itself costs
 * a JVM, for one its exception statistics instrument every Throwable, a Trap too), register (JfrEvents.register, no recording), record (a recording with
 * the dev.patchbay events enabled is running, then register). Each run
 * warms the interrupt path up with WARMUP interrupts, then registers (or not), then
 * times the next interrupts: from interrupt() to the guest thread holding its Trap.
 * It prints one line: the mode, register()'s own time, and the interrupts after it.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import jdk.jfr.Recording;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

public final class FirstInterruptCost {
    static final int WARMUP = 5, MEASURED = 3;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "register";
        if (!List.of("none", "listener", "jfr", "register", "record").contains(mode)) {
            throw new IllegalArgumentException("mode: none, listener, jfr, register or record");
        }
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine)) {
            Instance inst = Programs.instantiate(engine, store, "hotcold.clif");
            Func hot = inst.func("hot");
            for (int i = 0; i < WARMUP; i++) interruptOnce(store, hot);
            Recording rec = null;
            if (mode.equals("record")) {
                rec = new Recording();
                for (String e : new String[] {"SitePatchBatch", "Trap", "EpochInterrupt", "GuestSample"}) rec.enable("dev.patchbay." + e);
                rec.start();
            }
            long r0 = System.nanoTime();
            if (mode.equals("listener")) engine.addListener(new dev.patchbay.RuntimeListener() {});
            else if (mode.equals("jfr")) jdk.jfr.FlightRecorder.getFlightRecorder();
            else if (!mode.equals("none")) JfrEvents.register(engine);
            long registerNanos = System.nanoTime() - r0;
            List<String> after = new ArrayList<>();
            for (int i = 0; i < MEASURED; i++) after.add(ms(interruptOnce(store, hot)));
            if (rec != null) rec.close();
            System.out.println(String.format(Locale.ROOT, "%-8s register %s ms; interrupts after it: %s ms", mode,
                mode.equals("none") || mode.equals("listener") || mode.equals("jfr") ? "-" : ms(registerNanos), String.join(", ", after)));
        }
    }

    static String ms(long nanos) { return String.format(Locale.ROOT, "%.2f", nanos / 1e6); }

    /** Runs the guest's long loop on a thread, interrupts it, and returns interrupt() to Trap in hand. */
    static long interruptOnce(Store store, Func hot) throws Exception {
        SynchronousQueue<Long> caught = new SynchronousQueue<>();
        Thread guest = new Thread(() -> {
            try {
                hot.call(Long.MAX_VALUE / 20);
                throw new AssertionError("the loop ended on its own");
            } catch (Trap t) {
                long at = System.nanoTime();
                try {
                    caught.put(at);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "guest");
        guest.start();
        long t0;
        do {
            Thread.sleep(2);
            t0 = System.nanoTime();
        } while (!store.interrupt());
        Long t1 = caught.poll(30, TimeUnit.SECONDS);
        if (t1 == null) throw new AssertionError("the guest was not interrupted in 30 s");
        guest.join();
        return t1 - t0;
    }
}
