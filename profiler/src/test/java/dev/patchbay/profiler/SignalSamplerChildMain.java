/*
 * Child-JVM program for SignalSamplerChildTest: the signal sampler with a virtual-thread
 * owner (Thread.ofVirtual by reflection, so this builds for Java 17) that yields between
 * calls, so calls run on different carriers and the sampler must learn each carrier's tid;
 * then, after close, signals sent on purpose at the owner. Prints RESULT lines; a crash is a
 * missing line and a signal exit.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Func;
import dev.patchbay.Instance;
import dev.patchbay.Store;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

public final class SignalSamplerChildMain {
    private SignalSamplerChildMain() {}

    public static void main(String[] args) throws Exception {
        boolean virtual = args.length > 0 && args[0].equals("virtual");
        try (Engine engine = StraightLine.engine(); Store store = new Store(engine)) {
            Instance inst = StraightLine.instantiate(engine, store);
            Func main = inst.func("main");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Runnable body = () -> {
                try {
                    while (!stop.get()) {
                        main.call(200L, 3L);
                        Thread.yield();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            };
            Thread owner;
            if (virtual) {
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                owner = (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class).invoke(builder, body);
            } else {
                owner = new Thread(body, "guest");
            }
            owner.start();
            SignalSampler s = new SignalSampler().add(store, "main");
            s.start(Duration.ofMillis(1));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (s.samples() < 400 && System.nanoTime() < deadline) Thread.sleep(50);
            s.stop();
            Map<String, Long> self = s.selfSamplesByFunction();
            double a = SignalSamplerTest.share(self, "a");
            System.out.printf("RESULT samples=%d share_a=%.3f sent=%d notInGuest=%d idle=%d %s%n", s.samples(), a, s.signalsSent(),
                s.notInGuest(), s.idlePeriods(), self);
            int tid = s.lastTid(), slot = s.slotOf(store);
            s.close();
            for (int i = 0; i < 100; i++) {
                SignalSampler.sendRaw(tid, slot);
                Thread.sleep(1);
            }
            stop.set(true);
            owner.join(30_000);
            if (failure.get() != null) {
                failure.get().printStackTrace();
                System.exit(1);
            }
            System.out.println("RESULT ok=" + (a >= 0.62 && a <= 0.88 && s.samples() >= 300));
        }
    }
}
