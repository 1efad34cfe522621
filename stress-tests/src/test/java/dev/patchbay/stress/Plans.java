/*
 * Random patch plans and a controller loop that sends them to a Store, for the suites
 * that need patching going on around whatever they test. Every request must complete
 * within the hang guard, or fail cleanly with IllegalStateException because the Store
 * closed (request() refuses, or await() reports it).
 */
package dev.patchbay.stress;

import dev.patchbay.PatchRequest;
import dev.patchbay.SitePlan;
import dev.patchbay.Store;
import dev.patchbay.codegen.instrument.SiteKind;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

final class Plans {
    private Plans() {}

    static final Duration AWAIT = Duration.ofSeconds(30);

    /** A random plan: all, some site ids, a function, a kind, or a kind in a function; null means safepoint-only. */
    static SitePlan random(SplittableRandom rnd, int sites, String[] functions) {
        SitePlan p = rnd.nextBoolean() ? SitePlan.on() : SitePlan.off();
        switch (rnd.nextInt(10)) {
            case 0: case 1: return p;
            case 2: case 3: {
                int k = 1 + rnd.nextInt(3);
                int[] ids = new int[k];
                for (int j = 0; j < k; j++) ids[j] = rnd.nextInt(Math.max(1, sites));
                return p.sites(ids);
            }
            case 4: case 5: return p.function(functions[rnd.nextInt(functions.length)]);
            case 6: return p.kind(SiteKind.values()[rnd.nextInt(3)]);
            case 7: return p.kind(SiteKind.values()[rnd.nextInt(3)]).function(functions[rnd.nextInt(functions.length)]);
            default: return null;
        }
    }

    /** Counts of what happened to requests. */
    static final class Outcomes {
        final LongAdder applied = new LongAdder(), refusedClosed = new LongAdder(), failedClosed = new LongAdder();

        long total() { return applied.sum() + refusedClosed.sum() + failedClosed.sum(); }
    }

    /**
     * Sends random plans to the Store `target` supplies until `stop`, awaiting each.
     * A Store that is closed makes request() throw or await() report it: both count as
     * clean failures; anything else, or a request still pending at the hang guard, fails.
     */
    static void controller(Run run, SplittableRandom rnd, Supplier<Store> target, int sites, String[] functions, AtomicBoolean stop,
                           Outcomes out) throws InterruptedException {
        while (!stop.get()) {
            Store store = target.get();
            if (store == null) {
                LockSupport.parkNanos(100_000);
                continue;
            }
            SitePlan p = random(rnd, sites, functions);
            PatchRequest req;
            try {
                req = p == null ? store.requestSafepoint() : store.request(p);
            } catch (IllegalStateException e) {
                if (!e.getMessage().equals("store is closed")) throw new AssertionError(run.msg("request() failed: " + e), e);
                out.refusedClosed.increment();
                LockSupport.parkNanos(rnd.nextInt(100_000));
                continue;
            }
            long t0 = System.nanoTime();
            try {
                if (!req.await(AWAIT)) {
                    throw new AssertionError(run.msg("request '" + p + "' not applied within " + AWAIT + "\n" + Internals.describe(store)
                        + Threads.dump()));
                }
                out.applied.increment();
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("closed before request")) throw new AssertionError(run.msg("await() failed: " + e), e);
                out.failedClosed.increment();
            }
            Stats.max(Stats.MAX_AWAIT_NANOS, System.nanoTime() - t0);
            if (rnd.nextInt(4) == 0) LockSupport.parkNanos(rnd.nextInt(200_000));
        }
    }
}
