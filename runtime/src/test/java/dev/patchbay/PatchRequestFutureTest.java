/*
 * PatchRequest as a CompletableFuture: done at once on an idle Store, and, with no
 * controller to arm a running one, when the owner leaves guest code. The future is made
 * only when asked for (an interrupt's force is a request nobody asks), and whenever it is
 * made it has the request's outcome.
 */
package dev.patchbay;

import dev.patchbay.codegen.CompileOptions;
import dev.patchbay.codegen.Compiler;
import dev.patchbay.codegen.clif.ClifParser;
import dev.patchbay.codegen.instrument.InstrumentationPlan;
import dev.patchbay.codegen.instrument.SiteKind;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class PatchRequestFutureTest {
    @Test
    void theFutureCompletesWhenTheRequestIsApplied() throws Exception {
        String clif = "function %wait(i64) -> i64 {\n    fn0 = %host_wait(i64) -> i64\nblock0(v0: i64):\n    v1 = call fn0(v0)\n    return v1\n}\n";
        CountDownLatch inHost = new CountDownLatch(1), release = new CountDownLatch(1);
        try (Engine engine = new Engine(new EngineConfig().noSiteController()); Store store = new Store(engine)) {
            Instance inst = new Linker().define("host_wait", (c, a) -> {
                inHost.countDown();
                assertTrue(release.await(10, TimeUnit.SECONDS));
                return a[0];
            }).instantiate(store, engine.load(Compiler.compile(ClifParser.parse("w.clif", clif).functions(),
                CompileOptions.builder().plan(InstrumentationPlan.of(SiteKind.PROFILE_ENTRY)).build())));
            PatchRequest idle = store.request(SitePlan.on());
            assertSame(idle, idle.toCompletableFuture().get(1, TimeUnit.SECONDS), "an idle Store is patched at once");
            Thread guest = new Thread(() -> inst.func("wait").call(1));
            guest.start();
            assertTrue(inHost.await(10, TimeUnit.SECONDS));
            PatchRequest running = store.request(SitePlan.off());
            CompletableFuture<PatchRequest> f = running.toCompletableFuture();
            assertFalse(f.isDone(), "no controller: it waits for the owner to leave guest code");
            release.countDown();
            assertSame(running, f.get(10, TimeUnit.SECONDS));
            assertTrue(running.latencyNanos() > 0);
            guest.join();
        }
    }

    @Test
    void aFutureAskedForAfterTheRequestIsDoneHasItsOutcome() throws Exception {
        PatchRequest applied = new PatchRequest(1, System.nanoTime());
        applied.complete(System.nanoTime());
        assertFalse(applied.hasFuture(), "completing a request nobody asked a future of makes none");
        assertSame(applied, applied.toCompletableFuture().get(1, TimeUnit.SECONDS));

        PatchRequest failed = new PatchRequest(2, System.nanoTime());
        failed.fail();
        assertFalse(failed.hasFuture());
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> failed.toCompletableFuture().get(1, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("request 2"), e.getCause().getMessage());
    }

    @Test
    void aFutureAskedForBeforeTheRequestIsDoneCompletesWithIt() throws Exception {
        PatchRequest r = new PatchRequest(3, System.nanoTime());
        CompletableFuture<PatchRequest> before = r.toCompletableFuture();
        assertFalse(before.isDone());
        r.complete(System.nanoTime());
        assertSame(r, before.get(1, TimeUnit.SECONDS));
        assertSame(r, r.toCompletableFuture().get(1, TimeUnit.SECONDS), "asked again after: the same outcome");
        PatchRequest f = new PatchRequest(4, System.nanoTime());
        CompletableFuture<PatchRequest> pending = f.toCompletableFuture();
        f.fail();
        assertTrue(pending.isCompletedExceptionally());
    }
}
