/*
 * The guest stack floor of a virtual owner is the floor of the carrier the call runs on.
 * A virtual thread can unmount between StoreCore.invoke computing the floor and the
 * native call (it waits on the Store's lock when a controller is patching), and come
 * back on another carrier, whose stack lies elsewhere. Shallow calls (tri(500), some
 * 16 KiB of guest stack) on virtual owners while platform controllers patch their Stores
 * without a pause: none may trap stk_ovf. JDK 21+ only.
 */
package dev.patchbay.stress;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Instance;
import dev.patchbay.Module;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import dev.patchbay.codegen.ir.TrapCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.*;

class VirtualOwnerFloorTest {
    @Test
    void shallowCallsOnVirtualOwnersNeverOverflowWhileTheirStoresArePatched() throws Exception {
        if (!Threads.virtualOwners()) {
            System.out.println("[stress] VirtualOwnerFloor: skipped: no virtual threads on JDK " + Runtime.version().feature());
            Assumptions.abort("no virtual threads");
        }
        Run run = Run.start("VirtualOwnerFloor", Duration.ofSeconds(3), 0.02);
        int owners = 4;
        LongAdder calls = new LongAdder(), spurious = new LongAdder(), movedInCall = new LongAdder();
        AtomicReference<String> first = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Engine engine = new Engine(new EngineConfig())) {
            Module m = engine.load(Guests.compile("loops.clif", Guests.LOOPS));
            Threads.Group g = new Threads.Group(run), patchers = new Threads.Group(run);
            List<Store> stores = new ArrayList<>();
            for (int o = 0; o < owners; o++) {
                Store store = new Store(engine);
                stores.add(store);
                Instance inst = store.instantiate(m);
                patchers.start("patcher-" + o, () -> {
                    for (long i = 0; !stop.get(); i++) store.request(i % 2 == 0 ? SitePlan.on() : SitePlan.off()).await(Duration.ofSeconds(30));
                });
                g.startOwner("owner-" + o, true, () -> {
                    while (run.timeLeft()) {
                        String before = Threads.carrier(Thread.currentThread());
                        try {
                            assertEquals(Guests.tri(500), inst.func("tri").call(500)[0]);
                        } catch (Trap t) {
                            assertEquals(TrapCode.STACK_OVERFLOW, t.code(), t.toString());
                            spurious.increment();
                            first.compareAndSet(null, "tri(500) trapped stk_ovf on " + Thread.currentThread() + " (mounted on " + before
                                + " when the call began)");
                        }
                        if (!before.equals(Threads.carrier(Thread.currentThread()))) movedInCall.increment();
                        calls.increment();
                        Threads.ownerCall();
                    }
                });
            }
            try {
                g.join(run.deadlinePlus(Duration.ofSeconds(60)));
            } finally {
                stop.set(true);
            }
            patchers.join(run.deadlinePlus(Duration.ofSeconds(60)));
            g.rethrow();
            patchers.rethrow();
            for (Store s : stores) s.close();
        }
        String what = String.format("%,d calls on %d virtual owners, %,d came back on another carrier than the one they began on, "
            + "%,d trapped stk_ovf", calls.sum(), owners, movedInCall.sum(), spurious.sum());
        System.out.println("[stress] VirtualOwnerFloor: " + what);
        assertEquals(0, spurious.sum(), run.msg(what + "; the first: " + first.get()));
    }
}
