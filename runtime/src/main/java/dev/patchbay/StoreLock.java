/*
 * The Store's lock: a ReentrantLock whose lock() never waits behind a queued thread that
 * may never run again.
 *
 * Problem: guests on virtual threads pin their carriers for as long as a call runs (the
 * native frames cannot be unmounted). If a virtual thread is at the head of the lock's
 * queue (a controller in request(), say) while running guests pin every carrier, the lock
 * is free, but AQS has handed the next turn to that head, which has no carrier to run on.
 * Everyone queued behind it (the Engine's epoch watcher, an interrupt() from a platform
 * thread) waits too, so no deadline or interrupt reaches any guest, and the guests never
 * give their carriers back: a deadlock of the whole Engine (VirtualControllerDeadlockTest
 * reproduced it in about one run in two).
 *
 * Invariant: a thread in lock() takes the lock within about RETRY_NANOS of it becoming free,
 * whoever is queued. It barges (tryLock, which takes a free lock regardless of waiters),
 * and otherwise waits in the queue for at most RETRY_NANOS before barging again. Waiting
 * threads thus poll while the lock is contended, which for this lock (taken for
 * microseconds, on the rare paths: requests, interrupts, safepoints, close) costs little.
 * lock() stays uninterruptible, like ReentrantLock's: an interrupt that arrives while
 * waiting is kept for the caller.
 */
package dev.patchbay;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

final class StoreLock extends ReentrantLock {
    private static final long serialVersionUID = 1L;
    static final long RETRY_NANOS = 200_000L;

    @Override public void lock() {
        if (tryLock()) return;
        boolean interrupted = false;
        while (true) {
            try {
                if (tryLock(RETRY_NANOS, TimeUnit.NANOSECONDS)) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (tryLock()) break;
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
