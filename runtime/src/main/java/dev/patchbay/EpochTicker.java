/*
 * A daemon thread that increments an Engine's epoch at a fixed period, like the timer
 * thread Wasmtime's documentation recommends. Close it to stop ticking.
 */
package dev.patchbay;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A daemon thread that increments an {@link Engine}'s epoch at a fixed period, which is
 * what makes epoch deadlines ({@link Store#setEpochDeadline}) pass, like the timer thread
 * Wasmtime's documentation recommends. {@link Store#interrupt()} needs no ticker. After a
 * stall longer than a period (a GC pause) it ticks once, not in a burst. Close it to stop
 * ticking; thread-safe.
 */
public final class EpochTicker implements AutoCloseable {
    private final Thread thread;
    private volatile boolean closed;

    private EpochTicker(Engine engine, long periodNanos) {
        thread = new Thread(() -> {
            long next = System.nanoTime() + periodNanos;
            while (!closed) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                    continue;
                }
                engine.incrementEpoch();
                next += periodNanos;
                // After a long stall (e.g. a GC pause), tick once rather than in a burst.
                if (next < System.nanoTime()) next = System.nanoTime() + periodNanos;
            }
        }, "patchbay-epoch-ticker");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts a ticker thread, named {@code patchbay-epoch-ticker}.
     *
     * @param engine the Engine whose epoch to advance
     * @param period the time between ticks
     * @return the running ticker
     * @throws IllegalArgumentException if period is zero or negative
     */
    public static EpochTicker start(Engine engine, Duration period) {
        if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("ticker period must be positive: " + period);
        return new EpochTicker(engine, period.toNanos());
    }

    /** Stops ticking, and waits up to a second for the thread to end. Closing twice does nothing. */
    @Override public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
