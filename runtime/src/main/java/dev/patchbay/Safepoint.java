/*
 * What a SafepointListener is handed: the place where the owner stopped, as a view.
 * It captures the stopped site's PC and the guest frame pointer, which user code never
 * sees; backtrace() walks from them (GuestStackWalker, bounded to the running call's
 * stack). The frames are live only while the listener runs, so every method checks that
 * it is called from within onSafepoint, on the owner thread, and throws otherwise
 * instead of walking a stack that may be gone.
 */
package dev.patchbay;

import java.util.List;

/**
 * The point at which a Store's owner thread stopped at a safepoint, as a {@link
 * SafepointListener} sees it: which Store, which instance and function, and the guest's
 * backtrace from there.
 *
 * <p>A Safepoint is valid only during the {@link SafepointListener#onSafepoint} call that
 * received it, and only on that (the owner) thread: the guest frames it describes exist
 * only while the owner is stopped. Called later, or from another thread, every method but
 * {@link #toString()} throws {@link IllegalStateException}. Do not keep it.
 */
public final class Safepoint {
    private final Store store;
    private final StoreCore core;
    private final long pc;
    private final long guestFp;
    private final Thread owner;
    private boolean active = true;

    Safepoint(Store store, StoreCore core, long pc, long guestFp) {
        this.store = store;
        this.core = core;
        this.pc = pc;
        this.guestFp = guestFp;
        this.owner = Thread.currentThread();
    }

    /** The listener has returned: the frames may be gone. */
    void end() { active = false; }

    private void check() {
        if (!active || Thread.currentThread() != owner) {
            throw new IllegalStateException("the safepoint is over: use a Safepoint only inside onSafepoint, on the thread that runs it");
        }
    }

    /**
     * The Store whose owner stopped here.
     *
     * @return the Store
     * @throws IllegalStateException if the safepoint is over or this is another thread
     */
    public Store store() {
        check();
        return store;
    }

    /**
     * The instance whose code holds the site the owner stopped at.
     *
     * @return that instance, or null if the site is in no instance of this Store
     * @throws IllegalStateException if the safepoint is over or this is another thread
     */
    public Instance instance() {
        check();
        LoadedModule m = core.loadedContaining(pc);
        return m == null ? null : m.handle();
    }

    /**
     * The innermost guest frame: the function holding the site and the site's offset in it.
     *
     * @return that frame, or null if the site is in no function of this Store
     * @throws IllegalStateException if the safepoint is over or this is another thread
     */
    public GuestFrame frame() {
        check();
        return core.frameAt(pc);
    }

    /**
     * Walks the guest stack from the site along the frame-pointer chain to the call's entry
     * frame. The walk follows a frame pointer only while it lies in the running call's stack
     * and stops after 4096 frames, so a guest that overwrote
     * a saved frame pointer gets a short backtrace, never a fault.
     *
     * @return the frames, innermost first; empty if the site is in no function of this Store
     * @throws IllegalStateException if the safepoint is over or this is another thread
     */
    public List<GuestFrame> backtrace() {
        check();
        return List.copyOf(core.backtrace(pc, guestFp));
    }

    /** The site as {@code "%function+0xoffset"}, or {@code "safepoint"} once it is over. */
    @Override public String toString() {
        if (!active || Thread.currentThread() != owner) return "safepoint";
        GuestFrame f = core.frameAt(pc);
        return f == null ? "safepoint" : f.toString();
    }
}
