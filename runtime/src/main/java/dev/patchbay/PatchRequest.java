/*
 * The handle a request returns. It completes when the Store's owner (or, for an idle
 * Store, the requesting controller) has applied a state at least as new as this request,
 * and fails if the Store closes first.
 */
package dev.patchbay;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public final class PatchRequest {
    private final long generation;
    private final long requestedAt;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean failed;
    private volatile long appliedAt;
    /** Completed with this request when applied, exceptionally when the Store closed first. */
    private final CompletableFuture<PatchRequest> future = new CompletableFuture<>();

    PatchRequest(long generation, long requestedAt) {
        this.generation = generation;
        this.requestedAt = requestedAt;
    }

    public long generation() { return generation; }

    void complete(long nanoTime) {
        appliedAt = nanoTime;
        done.countDown();
        future.complete(this);
    }

    void fail() {
        failed = true;
        done.countDown();
        future.completeExceptionally(new IllegalStateException("the Store closed before request " + generation + " was applied"));
    }

    /**
     * The request as a future, for code that composes asynchronously: it completes with this
     * request once applied, or exceptionally (IllegalStateException) if the Store closed
     * first. Completing or cancelling the returned copy does not affect the request.
     */
    public CompletableFuture<PatchRequest> toCompletableFuture() { return future.copy(); }

    public boolean isDone() { return done.getCount() == 0; }

    /**
     * Waits until the request is applied. Returns false on timeout; throws
     * IllegalStateException if the Store closed before applying it.
     */
    public boolean await(Duration timeout) throws InterruptedException {
        boolean ok = done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (ok && failed) throw new IllegalStateException("the Store closed before request " + generation + " was applied");
        return ok;
    }

    /** Nanoseconds from request to applied, or -1 while pending or failed. */
    public long latencyNanos() { return isDone() && !failed ? appliedAt - requestedAt : -1; }
}
