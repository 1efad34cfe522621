/*
 * One thread per Engine watches the deadlines of running Stores. incrementEpoch() only
 * bumps the counter and unparks this thread (lock-free, cheap from any thread); the
 * watcher then asks each running Store past its deadline to turn its epoch sites on,
 * which arms them, and the owner takes the deadline at its next site. While a Store has a
 * deadline or interrupt due and its guest has not reached the hook yet, the watcher
 * re-checks every millisecond.
 */
package dev.patchbay;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

final class EpochWatcher {
    private final Engine engine;
    private final Set<Store> watched = ConcurrentHashMap.newKeySet();
    private volatile Thread thread;
    private volatile boolean closed;

    EpochWatcher(Engine engine) {
        this.engine = engine;
    }

    void watch(Store s) {
        watched.add(s);
        ensureStarted();
    }

    void unwatch(Store s) { watched.remove(s); }

    /**
     * Starts the thread ahead of need: the first Store of an Engine with epoch interruption
     * calls this, so that no interrupt() or deadline pays for a thread start.
     */
    void start() { ensureStarted(); }

    void wake() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    private synchronized void ensureStarted() {
        if (thread != null || closed) return;
        Thread t = new Thread(this::run, "patchbay-epoch-watcher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run() {
        boolean outstanding = false;
        while (!closed) {
            // While a force is outstanding, look again soon even without ticks.
            if (outstanding) LockSupport.parkNanos(this, 1_000_000L);
            else LockSupport.park(this);
            long epoch = engine.currentEpoch();
            outstanding = false;
            for (Store s : watched) {
                try {
                    outstanding |= s.checkDeadline(epoch);
                } catch (RuntimeException e) {
                    // A Store closing under us: it leaves the watch list on close.
                }
            }
        }
    }

    void close() {
        closed = true;
        wake();
    }
}
