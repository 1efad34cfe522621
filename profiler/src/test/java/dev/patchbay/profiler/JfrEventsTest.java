/*
 * JFR events: with a recording that enables them, site patch batches, traps and
 * interrupts are duration events (a real begin, so JFR thresholds and the JMC timeline
 * apply), an interrupt is committed on the guest thread it stopped, the sampler's guest
 * stacks are GuestSample events, and the JDK's own `jfr print` shows them all in the
 * file. register() sets the event classes up itself: in a fresh JVM, JFR knows them
 * right after it, before any event was made.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class JfrEventsTest {
    static final String[] EVENTS = {"dev.patchbay.SitePatchBatch", "dev.patchbay.Trap", "dev.patchbay.EpochInterrupt", "dev.patchbay.GuestSample"};

    @TempDir Path tmp;

    static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    /** Records patch batches, a trap, samples and an interrupt of a running guest; returns the file. */
    Path record() throws Exception {
        Path file = tmp.resolve("patchbay.jfr");
        try (Engine engine = new Engine(new EngineConfig().epochInterruption(true)); Store store = new Store(engine);
             Recording rec = new Recording()) {
            JfrEvents.register(engine).name(store, "jfr-store");
            for (String e : EVENTS) rec.enable(e).withThreshold(Duration.ZERO);
            rec.start();
            Instance calls = Programs.instantiate(engine, store, "calls.clif");
            Instance hotcold = Programs.instantiate(engine, store, "hotcold.clif");
            try (Profiler p = Profiler.attach(store)) {
                assertTrue(p.enable().await(Duration.ofSeconds(5)));
                assertThrows(Trap.class, () -> calls.func("deep").call(3));
            }
            try (SamplingProfiler sp = new SamplingProfiler().add(store, "jfr-store")) {
                AtomicReference<Throwable> ended = new AtomicReference<>();
                Thread guest = new Thread(() -> {
                    try {
                        hotcold.func("main").call(Long.MAX_VALUE / 20);
                    } catch (Throwable t) {
                        ended.set(t);
                    }
                }, "guest");
                guest.start();
                sp.start(Duration.ofMillis(1));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (sp.samples() < 20 && System.nanoTime() < deadline) Thread.sleep(10);
                sp.stop();
                assertTrue(sp.samples() >= 20, "samples: " + sp.samples());
                while (!store.interrupt()) Thread.sleep(1);
                guest.join(20_000);
                assertInstanceOf(Trap.class, ended.get());
            }
            rec.stop();
            rec.dump(file);
        }
        return file;
    }

    @Test
    void batchesTrapsInterruptsAndSamplesAreRecordedWithTheirDurations() throws Exception {
        List<RecordedEvent> events = RecordingFile.readAllEvents(record());

        List<RecordedEvent> batches = named(events, "dev.patchbay.SitePatchBatch");
        assertFalse(batches.isEmpty(), "no patch batch in " + events.size() + " events");
        for (RecordedEvent b : batches) {
            assertEquals("jfr-store", b.getString("store"));
            assertTrue(b.getInt("sites") > 0);
            assertTrue(b.getDuration().toNanos() > 0, "a batch is a duration event: " + b);
        }
        assertTrue(batches.stream().anyMatch(b -> b.getBoolean("atSafepoint")), "the owner applied some at a safepoint (samples, the interrupt)");

        List<RecordedEvent> traps = named(events, "dev.patchbay.Trap");
        RecordedEvent user = traps.stream().filter(t -> t.getString("code").equals("user1")).findFirst()
            .orElseThrow(() -> new AssertionError("no user1 trap in " + traps));
        assertTrue(user.getString("frame").startsWith("%deep"), user.getString("frame"));
        assertEquals(4, user.getInt("frames"));
        assertTrue(user.getDuration().toNanos() > 0, "a trap is a duration event: " + user);
        assertTrue(traps.stream().anyMatch(t -> t.getString("code").equals("interrupt")), traps::toString);

        List<RecordedEvent> interrupts = named(events, "dev.patchbay.EpochInterrupt");
        assertEquals(1, interrupts.size(), interrupts::toString);
        RecordedEvent in = interrupts.get(0);
        assertEquals("interrupt", in.getString("decision"));
        assertTrue(in.getLong("sinceRequest") > 0);
        assertEquals("guest", in.getThread().getJavaName(), "committed on the guest thread it stopped");
        // It begins at the request, on the test's thread: before the guest stopped (the
        // trap's begin), and it lasts about as long as the runtime's own measure of it.
        RecordedEvent stop = traps.stream().filter(t -> t.getString("code").equals("interrupt")).findFirst().orElseThrow();
        assertTrue(in.getStartTime().isBefore(stop.getStartTime()), "requested at " + in.getStartTime() + ", stopped at " + stop.getStartTime());
        assertTrue(in.getDuration().toNanos() >= in.getLong("sinceRequest") / 2, in.getDuration() + " from the request, since " + in.getLong("sinceRequest") + " ns");
        // The trap's duration spans the host's work for it, the interrupt's bookkeeping included.
        assertFalse(in.getEndTime().isBefore(stop.getStartTime()), "the interrupt was taken inside the trap's handling");
        assertFalse(in.getEndTime().isAfter(stop.getEndTime()), "the interrupt was taken inside the trap's handling");

        List<RecordedEvent> samples = named(events, "dev.patchbay.GuestSample");
        assertTrue(samples.size() >= 20, "samples: " + samples.size());
        for (RecordedEvent s : samples) {
            assertEquals("jfr-store", s.getString("store"));
            String stack = s.getString("stack");
            assertEquals(s.getInt("depth"), stack.split("\n").length, stack);
            assertTrue(stack.startsWith("%" + s.getString("function") + "+0x"), "innermost first: " + stack);
            assertTrue(stack.endsWith("%main+0x" + stack.substring(stack.lastIndexOf("+0x") + 3)), "outermost last: " + stack);
            assertNull(s.getStackTrace(), "no Java stack: the guest's is the field");
        }
        assertTrue(samples.stream().anyMatch(s -> s.getString("stack").contains("%hot+0x")), "the hot loop was sampled");
    }

    @Test
    void jfrPrintShowsTheEvents() throws Exception {
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        if (!Files.isExecutable(jfr)) {
            String why = "no jfr tool at " + jfr + " (a JRE without the JDK tools): skipping the jfr print check";
            System.out.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        Path file = record();
        Process p = new ProcessBuilder(jfr.toString(), "print", "--events", String.join(",", EVENTS), file.toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        for (String e : EVENTS) assertTrue(out.contains(e + " {"), "jfr print shows " + e + ":\n" + out);
        assertTrue(out.contains("sites = "), out);
        assertTrue(out.contains("code = \"user1\""), out);
        assertTrue(out.contains("decision = \"interrupt\""), out);
        assertTrue(out.contains("stack = \"%"), out);
        assertTrue(out.contains("%hot+0x"), "a guest frame in the print:\n" + out);
        assertTrue(out.matches("(?s).*duration = (0\\.0*)?[1-9][0-9.]* [mun]?s.*"), "a non-zero duration:\n" + out);
    }

    @Test
    void registerSetsTheEventClassesUpBeforeAnyEvent() throws Exception {
        // A fresh JVM: in this one, other tests have made events already.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--sun-misc-unsafe-memory-access=allow"); // as ./patchbay passes on JDK 23+
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RegisterProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        for (String e : EVENTS) assertTrue(out.contains(e + "\n"), "JFR knows " + e + " right after register():\n" + out);
    }

    /** The child JVM: register, then list the dev.patchbay event types JFR knows, having made no event. */
    public static final class RegisterProbe {
        public static void main(String[] args) {
            try (Engine engine = new Engine()) {
                JfrEvents.register(engine);
                for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
                    if (t.getName().startsWith("dev.patchbay.")) System.out.println(t.getName());
                }
            }
        }
    }
}
