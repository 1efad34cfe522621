/*
 * Epoch interruption options for `patchbay run`: --timeout interrupts the guest after a
 * wall-clock time (as ticks of --tick), --epoch-deadline sets the deadline in ticks
 * directly. Either one turns epoch interruption on for the run. validate() parses and
 * range-checks all three (see Values) before any work starts.
 *
 * An epoch deadline is noticed at the guest's next site, which a guest blocked in a
 * hostcall (WASI's sleep, a read) never reaches. So --timeout also has a watchdog thread
 * that calls Store.interrupt() when the time is up: interrupt() wakes a blocked hostcall,
 * and for a guest in its own code the deadline has normally fired already (interrupt() of
 * a call that ended is a no-op).
 *
 * Under --break, the time a stop's handler holds the guest (printing the stop) is not the
 * guest's: the epoch deadline moves later by it (Debugger.setDeadlineRunsWhileStopped's
 * default), and so does the watchdog (Running.pausing), which never fires during a stop.
 */
package dev.patchbay.cli;

import dev.patchbay.Engine;
import dev.patchbay.EngineConfig;
import dev.patchbay.Store;
import dev.patchbay.EpochTicker;
import picocli.CommandLine.Option;

import java.time.Duration;

final class EpochOptions {
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1), MAX_TIMEOUT = Duration.ofDays(365);
    static final Duration MIN_TICK = Duration.ofNanos(10_000), MAX_TICK = Duration.ofHours(1);
    /** Far beyond any real deadline, and far from overflowing the epoch counter it is added to. */
    static final long MAX_DEADLINE_TICKS = 1_000_000_000_000_000L;

    @Option(names = "--timeout", paramLabel = "DURATION",
        description = "Interrupt the guest after this long, e.g. 200ms, 2s (1ms to 365d, at least one --tick).")
    String timeout;

    @Option(names = "--epoch-deadline", paramLabel = "TICKS", description = "Interrupt the guest after this many epoch ticks (0 to 10^15).")
    Long deadlineTicks;

    @Option(names = "--tick", paramLabel = "DURATION", description = "Epoch tick period, 10us to 1h (default: ${DEFAULT-VALUE}).")
    String tick = "1ms";

    private Duration tickPeriod;
    private long ticks;

    boolean enabled() { return timeout != null || deadlineTicks != null; }

    EngineConfig config() { return new EngineConfig().epochInterruption(enabled()); }

    /** Parses and checks the options; throws IllegalArgumentException with a message naming the option. */
    void validate() {
        tickPeriod = Values.duration("--tick", tick, MIN_TICK, MAX_TICK);
        if (timeout != null && deadlineTicks != null) {
            throw new IllegalArgumentException("--timeout and --epoch-deadline both set the deadline; give one of them");
        }
        if (deadlineTicks != null) ticks = Values.count("--epoch-deadline", deadlineTicks, 0, MAX_DEADLINE_TICKS);
        if (timeout != null) {
            Duration t = Values.duration("--timeout", timeout, MIN_TIMEOUT, MAX_TIMEOUT);
            if (t.compareTo(tickPeriod) < 0) {
                throw new IllegalArgumentException("--timeout=" + timeout + " is shorter than one --tick (" + tick + ")");
            }
            ticks = t.toNanos() / tickPeriod.toNanos();
        }
    }

    /** Starts the ticker and sets the Store's deadline; returns what to close, or null. {@link #restart} starts the timeout's clock. */
    Running start(Engine engine, Store store) {
        if (!enabled()) return null;
        if (tickPeriod == null) validate();
        Running r = new Running(EpochTicker.start(engine, tickPeriod), store);
        store.setEpochDeadline(ticks);
        return r;
    }

    /**
     * Sets the deadline again, counting from now, and starts the --timeout watchdog: the
     * caller runs this just before the guest starts (its instantiation and start function
     * count), since a .wasm is compiled after the ticker starts, and the compiler's time
     * is not the guest's.
     */
    void restart(Store store, Running running) {
        if (!enabled()) return;
        store.setEpochDeadline(ticks);
        if (timeout != null) running.watchdog(ticks * tickPeriod.toNanos());
    }

    /**
     * The ticker and the watchdog of one run.
     *
     * Invariant (under this object's lock): stoppedSince is 0 unless a stop handler wrapped
     * by pausing() is running, and then the time it started; dueAt is the watchdog's time,
     * already moved later by every stop that has ended. The watchdog fires only when no stop
     * runs and dueAt has passed.
     */
    static final class Running implements AutoCloseable {
        private final EpochTicker ticker;
        private final Store store;
        private long dueAt, stoppedSince;
        private boolean closed;
        private Thread watchdog;

        Running(EpochTicker ticker, Store store) {
            this.ticker = ticker;
            this.store = store;
        }

        /** Interrupts the Store's call `nanos` from now (a later call moves the time). */
        synchronized void watchdog(long nanos) {
            dueAt = System.nanoTime() + nanos;
            notifyAll();
            if (watchdog != null) return;
            watchdog = new Thread(() -> {
                if (!awaitDue()) return;
                try {
                    store.interrupt();
                } catch (IllegalStateException closed) {
                    // The run ended and closed its Store first: nothing is left to stop.
                }
            }, "patchbay-timeout");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        /** Waits until the guest's time is up (true) or the run is closed (false). */
        private synchronized boolean awaitDue() {
            try {
                while (!closed) {
                    long left = dueAt - System.nanoTime();
                    if (stoppedSince != 0) wait();
                    else if (left > 0) java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                    else return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        /** The handler, with the time each of its stops lasts added to the watchdog's time. */
        dev.patchbay.debug.StopHandler pausing(dev.patchbay.debug.StopHandler handler) {
            return e -> {
                synchronized (this) {
                    stoppedSince = System.nanoTime();
                }
                try {
                    return handler.onStop(e);
                } finally {
                    synchronized (this) {
                        dueAt += System.nanoTime() - stoppedSince;
                        stoppedSince = 0;
                        notifyAll();
                    }
                }
            };
        }

        @Override public void close() {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
            ticker.close();
        }
    }

    /** The handler a --break run installs: paused for the watchdog if there is one. */
    static dev.patchbay.debug.StopHandler pausing(Running running, dev.patchbay.debug.StopHandler handler) {
        return running == null ? handler : running.pausing(handler);
    }
}
