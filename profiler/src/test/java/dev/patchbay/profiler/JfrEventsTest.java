/*
 * JFR events: with a recording that enables them, site patch batches and traps become
 * dev.patchbay.* events in the recording file (what JDK Mission Control reads).
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JfrEventsTest {
    @TempDir Path tmp;

    @Test
    void patchBatchesAndTrapsAreRecorded() throws Exception {
        Path file = tmp.resolve("patchbay.jfr");
        try (Engine engine = new Engine(); Store store = new Store(engine); Recording rec = new Recording()) {
            JfrEvents.register(engine).name(store, "jfr-store");
            rec.enable("dev.patchbay.SitePatchBatch");
            rec.enable("dev.patchbay.Trap");
            rec.enable("dev.patchbay.EpochInterrupt");
            rec.start();
            Instance inst = Programs.instantiate(engine, store, "calls.clif");
            try (Profiler p = Profiler.attach(store)) {
                p.enable().await(Duration.ofSeconds(5));
                assertThrows(Trap.class, () -> inst.func("deep").call(3));
            }
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent batch = events.stream().filter(e -> e.getEventType().getName().equals("dev.patchbay.SitePatchBatch"))
            .findFirst().orElseThrow(() -> new AssertionError("no patch batch event in " + events.size() + " events"));
        assertEquals("jfr-store", batch.getString("store"));
        assertTrue(batch.getInt("sites") > 0);
        RecordedEvent trap = events.stream().filter(e -> e.getEventType().getName().equals("dev.patchbay.Trap"))
            .findFirst().orElseThrow(() -> new AssertionError("no trap event"));
        assertEquals("user1", trap.getString("code"));
        assertTrue(trap.getString("frame").startsWith("%deep"), trap.getString("frame"));
        assertEquals(4, trap.getInt("frames"));
    }
}
