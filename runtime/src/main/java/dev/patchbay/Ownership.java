/*
 * Who runs a Store, and when it may be freed.
 *
 * Problem: a Store is single-threaded, yet any thread may call it, close it, or aim an
 * interrupt at the call it is running. Two threads must never run guest code in one Store
 * at once (they would share one vmctx and one guest stack limit); a Store must never be
 * freed while a call runs in it; and an interrupt must say which call it means.
 *
 * Invariants (the numbers are referred to elsewhere):
 *  1. At most one thread, the owner, runs guest code in a Store: claim() is a CAS on
 *     `running` from null. Nested calls (a hostcall or a listener calling back into the
 *     guest) are made by the owner and do not claim again.
 *  2. close() never frees a Store that has an owner, and no claim succeeds after close()
 *     has decided to free. Each side publishes its own flag (`running`, `closing`), then
 *     reads the other's: whichever goes second sees the first and backs off.
 *  3. Every outermost call has a number, from 1 upward, published in `activeCall` (and in
 *     the vmctx's ACTIVE_CALL) after the claim and reset to 0 before the release. An
 *     interrupt names the call it targets by that number, so it can never stop a later one.
 *  4. Only the owner writes `callSeq`.
 */
package dev.patchbay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

final class Ownership {
    private static final VarHandle RUNNING;

    static {
        try {
            RUNNING = MethodHandles.lookup().findVarHandle(Ownership.class, "running", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Thread running;
    private volatile boolean closed;
    /** Set by close() while it checks for an owner (invariant 2). */
    private volatile boolean closing;
    private long callSeq;
    private volatile long activeCall;

    /**
     * Makes the calling thread the owner, or throws. Returns the new call's number
     * (invariant 3); the caller publishes it to the vmctx.
     */
    long claim(Thread me) {
        while (true) {
            if (!RUNNING.compareAndSet(this, null, me)) {
                Thread owner = running;
                throw new IllegalStateException("Store is running on thread '" + (owner == null ? "?" : owner.getName())
                    + "'; a Store has one owner at a time");
            }
            if (!closing) {
                if (!closed) break;
                running = null;
                throw closedException();
            }
            // close() is deciding right now; it takes a few instructions either way.
            running = null;
            while (closing) Thread.onSpinWait();
            checkOpen();
        }
        activeCall = ++callSeq;
        return activeCall;
    }

    /** The outermost call has ended (invariant 3: the number goes first). */
    void release() {
        activeCall = 0;
        running = null;
    }

    /** The owner, or null while no call runs. */
    Thread owner() { return running; }

    boolean isOwner(Thread t) { return running == t; }

    /** The number of the outermost call running now, 0 while none. */
    long activeCall() { return activeCall; }

    boolean isClosed() { return closed; }

    /**
     * Decides to free (invariant 2), or throws if a thread runs the Store. Returns false if
     * the Store was already closed. The caller holds the Store's lock.
     */
    boolean close() {
        if (closed) return false;
        closing = true;
        Thread owner = running;
        if (owner != null) {
            closing = false;
            throw new IllegalStateException("cannot close a Store while thread '" + owner.getName() + "' runs it");
        }
        closed = true;
        closing = false;
        return true;
    }

    /** Marks a Store closed that nobody can reach any more (its Cleaner runs). */
    void closeUnreachable() { closed = true; }

    void checkOpen() {
        if (closed) throw closedException();
    }

    static IllegalStateException closedException() { return new IllegalStateException("store is closed"); }
}
