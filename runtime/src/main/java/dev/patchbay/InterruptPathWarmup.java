/*
 * The first interrupt in a JVM took 10 to 65 ms on the 2-vCPU build VM, against a few
 * hundred microseconds for the next ones: its Java side ran for the first time, on the
 * requester (Store.interrupt(): the force's PatchRequest, whose CompletableFuture brings
 * in the common ForkJoinPool) and on the owner once the safepoint stub had unwound (the
 * sites put back, SiteMetrics' max accumulator, EpochOutcome, TrapDecoder, GuestFrame, the
 * Trap's stack trace elements), loading and initialising those classes and linking their
 * string concatenations on the way. None of that depends on a Store, so the first Engine
 * with epoch interruption does it, off the interrupt path: it initialises the classes and
 * runs the Java pieces once on throwaway objects.
 *
 * A real interrupt of a tiny guest at Engine creation would cover the path more surely,
 * but measured +100 to +600 ms on the first Engine (it compiles a module and runs a Store),
 * against the 1 to 5 ms this costs (InterruptLatency's cold rows, README "Peers").
 *
 * Invariants:
 *  - It runs at most once per JVM and touches no Store, Engine metrics or listener.
 *  - It never makes Engine creation fail: a failure is logged, and the first interrupt
 *    simply runs cold.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.TrapCode;

import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

final class InterruptPathWarmup {
    private static final System.Logger LOG = System.getLogger(InterruptPathWarmup.class.getName());
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private InterruptPathWarmup() {}

    /** Warms the interrupt path's Java if this JVM has not yet. */
    static void once() {
        if (!DONE.compareAndSet(false, true)) return;
        long t0 = System.nanoTime();
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (Class<?> c : List.of(EpochState.InterruptResult.class, EpochState.Action.class, EpochOutcome.class,
                    EpochOutcome.Kind.class, TrapDecoder.class, GuestFrame.class, PatchRequest.class, CompletableFuture.class)) {
                lookup.ensureInitialized(c);
            }
            // The requester's force and the owner's apply: a request made and completed.
            PatchRequest r = new PatchRequest(0, System.nanoTime());
            r.complete(System.nanoTime());
            new SiteMetrics().applied(r.latencyNanos());
            // The owner's decode: a Wasm frame's location and an INTERRUPT Trap with a frame.
            GuestFrame f = new GuestFrame("f0", 0, TrapDecoder.wasmLocation(0));
            new Trap(TrapCode.INTERRUPT, List.of(f), null).getStackTrace();
            LOG.log(System.Logger.Level.DEBUG, "interrupt path warmed in {0} us", (System.nanoTime() - t0) / 1000);
        } catch (RuntimeException | Error | IllegalAccessException e) {
            LOG.log(System.Logger.Level.WARNING, "warming the interrupt path failed; the first interrupt will run cold", e);
        }
    }
}
