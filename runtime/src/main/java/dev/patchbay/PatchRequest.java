/*
 * The handle a request returns. It completes when the Store's owner (or, for an idle
 * Store, the requesting controller) has applied a state at least as new as this request,
 * and fails if the Store closes first.
 *
 * The CompletableFuture behind toCompletableFuture() is made only when someone asks for
 * it: every interrupt's force is a request nobody sees, and completing a future (its
 * VarHandle CAS, run interpreted on a Store's first interrupts) sat on the guest's thread
 * between the unwind and the Trap. Invariant: once done, a future made at any time is
 * completed with the same outcome (complete() and toCompletableFuture() each settle it
 * after the latch, so whichever runs second does).
 */
package dev.patchbay;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The handle {@link Store#request} and {@link Store#requestSafepoint()} return. It is done
 * when the Store's owner (or, for an idle Store, the requesting thread) has applied a site
 * state at least as new as this request, and fails if the Store closes first. Thread-safe.
 */
public final class PatchRequest {
    private final long generation;
    private final long requestedAt;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean failed;
    private volatile long appliedAt;
    /** Completed with this request when applied, exceptionally when the Store closed first; made on demand. */
    private volatile CompletableFuture<PatchRequest> future;

    PatchRequest(long generation, long requestedAt) {
        this.generation = generation;
        this.requestedAt = requestedAt;
    }

    /**
     * The request's number: a Store numbers its requests 1, 2, 3 and applies them in order.
     *
     * @return the number
     */
    public long generation() { return generation; }

    void complete(long nanoTime) {
        appliedAt = nanoTime;
        done.countDown();
        CompletableFuture<PatchRequest> f = future;
        if (f != null) f.complete(this);
    }

    void fail() {
        failed = true;
        done.countDown();
        CompletableFuture<PatchRequest> f = future;
        if (f != null) settle(f);
    }

    private void settle(CompletableFuture<PatchRequest> f) {
        if (failed) f.completeExceptionally(new IllegalStateException("the Store closed before request " + generation + " was applied"));
        else f.complete(this);
    }

    /** Whether the future has been made; for tests. */
    boolean hasFuture() { return future != null; }

    /**
     * The request as a future, for code that composes asynchronously.
     *
     * @return a new future that completes with this request once applied, or exceptionally
     *         (IllegalStateException) if the Store closed first; completing or cancelling it
     *         does not affect the request
     */
    public CompletableFuture<PatchRequest> toCompletableFuture() {
        CompletableFuture<PatchRequest> f = future;
        if (f == null) {
            synchronized (this) {
                f = future;
                if (f == null) future = f = new CompletableFuture<>();
            }
        }
        // Done before the future existed: complete()/fail() did not see it, so settle it here.
        if (isDone()) settle(f);
        return f.copy();
    }

    /**
     * Whether the request is applied, or failed because the Store closed.
     *
     * @return true once it is either
     */
    public boolean isDone() { return done.getCount() == 0; }

    /**
     * Waits until the request is applied.
     *
     * @param timeout how long to wait at most
     * @return true if it was applied, false on timeout
     * @throws InterruptedException if this thread is interrupted while waiting
     * @throws IllegalStateException if the Store closed before applying it
     */
    public boolean await(Duration timeout) throws InterruptedException {
        boolean ok = done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (ok && failed) throw new IllegalStateException("the Store closed before request " + generation + " was applied");
        return ok;
    }

    /**
     * How long the request took to apply.
     *
     * @return nanoseconds from request to applied, or -1 while pending or failed
     */
    public long latencyNanos() { return isDone() && !failed ? appliedAt - requestedAt : -1; }
}
