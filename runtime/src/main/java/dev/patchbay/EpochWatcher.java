/*
 * One thread per Engine watches the deadlines of running Stores. incrementEpoch() only
 * bumps the counter and unparks this thread (lock-free, cheap from any thread); the
 * watcher then asks each running Store past its deadline to turn its epoch sites on,
 * which arms them, and the owner takes the deadline at its next site. While a force is
 * outstanding the watcher looks again after the Store's back-off (EpochState, invariant 4)
 * instead of every millisecond forever.
 *
 * With EngineConfig.interruptOnThreadInterrupt it also polls, every OWNER_POLL_NANOS, the
 * interrupt status of the owner of each Store whose call is running (`owners`), since
 * Thread.interrupt() runs nothing in the thread it targets. The set is empty while no
 * call runs, and then the watcher does not wake for it.
 *
 * The thread refers to the Engine's epoch counter and to the Stores' internals, never to
 * the Engine: an Engine dropped without close() becomes unreachable once its Stores are
 * gone, and its Cleaner stops this thread.
 */
package dev.patchbay;

import dev.patchbay.internal.sys.Native;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

final class EpochWatcher {
    private final ByteBuffer epochView;
    static final long OWNER_POLL_NANOS = 1_000_000L;

    private final Set<StoreCore> watched = ConcurrentHashMap.newKeySet();
    /** Stores of an Engine with thread interrupts whose outermost call runs now. */
    private final Set<StoreCore> owners = ConcurrentHashMap.newKeySet();
    /** True while the thread is parked with nothing to poll: a new owner must wake it. */
    private volatile boolean idle;
    private volatile Thread thread;
    private volatile boolean closed;

    EpochWatcher(ByteBuffer epochView) {
        this.epochView = epochView;
    }

    void watch(StoreCore s) {
        watched.add(s);
        ensureStarted();
    }

    void unwatch(StoreCore s) { watched.remove(s); }

    /** A call started on an Engine with thread interrupts: poll its owner's status. */
    void watchOwner(StoreCore s) {
        owners.add(s);
        ensureStarted();
        if (idle) wake();
    }

    void unwatchOwner(StoreCore s) { owners.remove(s); }

    /** Stores watched now; for tests. */
    int watchedCount() { return watched.size(); }

    boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

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
        long wait = -1;
        while (!closed) {
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            } else {
                idle = true;
                // Re-checked after publishing `idle`: an owner added just before would
                // otherwise wait for the next tick to be polled.
                if (owners.isEmpty()) LockSupport.park(this);
                idle = false;
            }
            if (closed) break;
            for (StoreCore s : owners) {
                try {
                    s.epoch.pollOwnerInterrupt();
                } catch (RuntimeException e) {
                    // A Store closing under us: its call ends and it leaves the set.
                }
            }
            long epoch = (long) Native.LONG_ATOMIC.getVolatile(epochView, 0);
            long now = System.nanoTime();
            wait = -1;
            for (StoreCore s : watched) {
                long w;
                try {
                    w = s.epoch.checkDeadline(epoch, now);
                } catch (RuntimeException e) {
                    // A Store closing under us: it leaves the watch list on close.
                    continue;
                }
                if (w >= 0 && (wait < 0 || w < wait)) wait = Math.max(1, w);
            }
            if (!owners.isEmpty() && (wait < 0 || wait > OWNER_POLL_NANOS)) wait = OWNER_POLL_NANOS;
        }
    }

    /** Stops the thread and waits briefly for it, so the epoch counter can be freed after. */
    void close() {
        closed = true;
        Thread t = thread;
        if (t == null) return;
        LockSupport.unpark(t);
        if (t != Thread.currentThread()) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
