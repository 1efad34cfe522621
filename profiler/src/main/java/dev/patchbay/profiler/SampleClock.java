/*
 * The sampling thread both samplers run: a daemon that calls a tick once per period, at a
 * fixed rate. SamplingProfiler's tick asks each Store for a safepoint; SignalSampler's sends
 * each owner thread a signal and drains the rings. Only what a tick does differs, so the
 * thread's life is written once, here.
 *
 * Invariants:
 * - At a fixed rate, never in bursts: a tick that falls behind (a slow tick, a descheduled
 *   thread) starts the next period from now rather than firing the missed ones back to
 *   back, which would sample one moment several times.
 * - After stop() returns, no tick runs and none will (stop joins the thread; a tick under
 *   way finishes first). stop() holds no lock while it joins, so a tick may take the
 *   sampler's lock.
 * - A period shorter than MIN_PERIOD is raised to it: a safepoint or a signal every few
 *   microseconds would be the guest's main work.
 */
package dev.patchbay.profiler;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** A daemon thread that calls a tick once per period until stopped. */
final class SampleClock {
    /** The shortest period used, whatever is asked. */
    static final long MIN_PERIOD_NANOS = 10_000;

    private final String threadName;
    private volatile Thread thread;
    private volatile Duration period;
    private volatile boolean running;

    /** A stopped clock; its thread, once started, has this name. */
    SampleClock(String threadName) { this.threadName = threadName; }

    /**
     * Starts the thread.
     *
     * @param period the time between ticks; at least MIN_PERIOD_NANOS is used
     * @param tick what each period runs, on the clock's thread
     * @throws IllegalArgumentException if period is null, zero or negative
     * @throws IllegalStateException if it is already running
     */
    synchronized void start(Duration period, Runnable tick) {
        if (period == null || period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive: " + period);
        if (running) throw new IllegalStateException("already sampling");
        long nanos = Math.max(MIN_PERIOD_NANOS, period.toNanos());
        this.period = Duration.ofNanos(nanos);
        running = true;
        Thread t = new Thread(() -> loop(nanos, tick), threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop(long periodNanos, Runnable tick) {
        long next = System.nanoTime() + periodNanos;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            next += periodNanos;
            if (next < System.nanoTime()) next = System.nanoTime() + periodNanos; // fell behind: do not burst
            tick.run();
        }
    }

    /** Stops the thread and waits (up to 5 s) for it to end; does nothing if it is not running. */
    void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t == null) return;
        LockSupport.unpark(t);
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the thread runs: started and not stopped. */
    boolean isRunning() { return running; }

    /** The period in use (after the minimum), or null if it was never started. */
    Duration period() { return period; }
}
