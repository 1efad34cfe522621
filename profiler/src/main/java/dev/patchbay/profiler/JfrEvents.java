/*
 * Problem: runtime events (site patch batches, traps, epoch interrupts) and guest stack
 * samples should show up in JDK Mission Control next to GC and safepoints, as bars on the
 * guest thread's timeline that JFR thresholds can filter, at no cost without a recording,
 * and without the guest paying for JFR's set-up.
 * Approach: a RuntimeListener that commits JFR events. Event.isEnabled() is false unless a
 * recording enables the event, so the cost without one is a field check.
 *
 *   dev.patchbay.SitePatchBatch   sites rewritten at once: count, at a safepoint?
 *                                 duration: the rewrite (onPatchBatchStart to onPatchBatch)
 *   dev.patchbay.Trap             a guest call ended in a trap: code, innermost frame;
 *                                 duration: what the trap cost the host, from the call
 *                                 stopping to the Trap built (onTrapStart to onTrap)
 *   dev.patchbay.EpochInterrupt   an epoch deadline or interrupt() stopped a guest, or a
 *                                 deadline callback let it go on; duration, for an
 *                                 interrupt someone asked for: from the request (on the
 *                                 requesting thread) to the guest stopping (on the owner,
 *                                 whose event it is); a deadline's decision is an instant
 *   dev.patchbay.GuestSample      a sampled guest stack (SamplingProfiler), innermost
 *                                 frame first; JFR's own stack trace would be the Java
 *                                 frames of the safepoint upcall, so it is off
 *
 * Invariants:
 *  1 register() (and the constructor) registers the event classes with JFR and
 *    initializes them on the calling thread, which takes 45 to 90 ms there, so the first
 *    event on a guest thread sets up nothing: the first interrupt after register() cost
 *    46 to 85 ms when the guest's first event did it, and costs 0.18 to 0.28 ms now, as
 *    in a JVM whose JFR is initialized without this listener (0.22 to 1.3 ms; 0.07 to
 *    0.13 ms in one without JFR). FirstInterruptCost in the tests measures it;
 *  2 a duration event begins only where the work begins: the begun event waits in a
 *    ThreadLocal (patch batch, trap: same thread) or per Store (interrupt: requester to
 *    owner) for the event that ends it, and is committed by the thread that ends it.
 * Stores have no names of their own; name them with name(store, "...") or they show as
 * store@hash.
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.EpochOutcome;
import dev.patchbay.GuestFrame;
import dev.patchbay.RuntimeListener;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Records runtime events (site patch batches, traps, epoch interrupts) and guest stack
 * samples as JFR events, which cost a field check when no recording is running. Batches,
 * traps and requested interrupts are duration events, so JFR thresholds and the JMC
 * timeline apply to them.
 */
public final class JfrEvents implements RuntimeListener {
    @Name("dev.patchbay.SitePatchBatch")
    @Label("Site Patch Batch")
    @Category({"Patchbay", "Sites"})
    @Description("Patch sites rewritten at once, at a safepoint or directly in an idle Store; the duration is the rewrite")
    static final class PatchBatchEvent extends Event {
        @Label("Store") String store;
        @Label("Sites") int sites;
        @Label("At Safepoint") boolean atSafepoint;
    }

    @Name("dev.patchbay.Trap")
    @Label("Guest Trap")
    @Category({"Patchbay", "Traps"})
    @Description("A guest call ended in a trap; the duration is the host's work from the call stopping to the Trap built")
    static final class TrapEvent extends Event {
        @Label("Store") String store;
        @Label("Trap Code") String code;
        @Label("Innermost Frame") String frame;
        @Label("Frames") int frames;
    }

    @Name("dev.patchbay.EpochInterrupt")
    @Label("Epoch Interrupt")
    @Category({"Patchbay", "Epochs"})
    @Description("An epoch deadline or interrupt() stopped a guest at a site, or a deadline callback let it go on; "
        + "for a requested interrupt the duration runs from the request to the guest stopping")
    static final class EpochEvent extends Event {
        @Label("Store") String store;
        @Label("Decision") String decision;
        @Label("Since Request") @Timespan(Timespan.NANOSECONDS) long sinceRequest;
    }

    @Name("dev.patchbay.GuestSample")
    @Label("Guest Sample")
    @Category({"Patchbay", "Samples"})
    @Description("A guest stack sampled by the SamplingProfiler at the next patch site after its request (site-biased), "
        + "innermost frame first")
    @StackTrace(false)
    static final class GuestSampleEvent extends Event {
        @Label("Store") String store;
        @Label("Function") @Description("The innermost guest function") String function;
        @Label("Guest Stack") @Description("The guest frames, innermost first, one per line") String stack;
        @Label("Depth") int depth;
    }

    private static final List<Class<? extends Event>> EVENTS =
        List.of(PatchBatchEvent.class, TrapEvent.class, EpochEvent.class, GuestSampleEvent.class);

    private final Map<Store, String> names = new WeakHashMap<>();
    private final ThreadLocal<PatchBatchEvent> batch = new ThreadLocal<>();
    private final ThreadLocal<TrapEvent> trap = new ThreadLocal<>();
    /** Interrupts asked for and not yet taken, by Store (requester to owner; guarded by this). */
    private final Map<Store, EpochEvent> interrupts = new WeakHashMap<>();

    /**
     * A listener to add to an Engine yourself ({@link #register} does both). The event
     * classes are set up here, on the calling thread, as by {@link #register}.
     */
    public JfrEvents() { initializeEvents(); }

    /**
     * Creates a listener and adds it to an Engine. The event classes are set up here, on
     * the calling thread: registered with JFR and initialized, so that no guest thread pays
     * for it at its first event.
     *
     * @param engine the Engine whose Stores' events to record
     * @return the listener (remove it with {@link Engine#removeListener})
     */
    public static JfrEvents register(Engine engine) {
        JfrEvents e = new JfrEvents();
        engine.addListener(e);
        return e;
    }

    /**
     * Registers the event classes with JFR (its metadata, which a recording started later
     * needs) and makes one of each, which loads and initializes the class as the first event
     * on a guest thread otherwise would. Idempotent.
     */
    static void initializeEvents() {
        for (Class<? extends Event> c : EVENTS) FlightRecorder.register(c);
        new PatchBatchEvent().isEnabled();
        new TrapEvent().isEnabled();
        new EpochEvent().isEnabled();
        new GuestSampleEvent().isEnabled();
    }

    /**
     * Names a Store in its events; an unnamed Store's events carry its identity hash.
     *
     * @param store the Store (held weakly)
     * @param name the name its events carry
     * @return this listener
     */
    public synchronized JfrEvents name(Store store, String name) {
        names.put(store, name);
        return this;
    }

    private synchronized String nameOf(Store s) {
        String n = names.get(s);
        return n != null ? n : "store@" + Integer.toHexString(System.identityHashCode(s));
    }

    @Override public void onPatchBatchStart(Store store) {
        PatchBatchEvent e = new PatchBatchEvent();
        if (!e.isEnabled()) return;
        e.begin();
        batch.set(e);
    }

    @Override public void onPatchBatch(Store store, int sites, long nanos, boolean atSafepoint) {
        PatchBatchEvent e = batch.get();
        if (e != null) {
            batch.remove();
        } else {
            e = new PatchBatchEvent(); // not begun (no recording then, or registered mid-batch)
            if (!e.isEnabled()) return;
        }
        e.end();
        if (!e.shouldCommit()) return;
        e.store = nameOf(store);
        e.sites = sites;
        e.atSafepoint = atSafepoint;
        e.commit();
    }

    @Override public void onTrapStart(Store store) {
        TrapEvent e = new TrapEvent();
        if (!e.isEnabled()) return;
        e.begin();
        trap.set(e);
    }

    @Override public void onTrap(Store store, Trap t) {
        TrapEvent e = trap.get();
        if (e != null) {
            trap.remove();
        } else {
            e = new TrapEvent();
            if (!e.isEnabled()) return;
        }
        e.end();
        if (!e.shouldCommit()) return;
        e.store = nameOf(store);
        e.code = t.code().clifName();
        List<GuestFrame> bt = t.backtrace();
        e.frames = bt.size();
        e.frame = bt.isEmpty() ? "" : bt.get(0).toString();
        e.commit();
    }

    @Override public void onInterruptRequested(Store store) {
        EpochEvent e = new EpochEvent();
        if (!e.isEnabled()) return;
        e.begin();
        synchronized (this) {
            // A later request for the same call replaces it, as it replaces the runtime's
            // request time (what sinceRequest is measured from).
            interrupts.put(store, e);
        }
    }

    @Override public void onEpochDeadline(Store store, EpochOutcome outcome, long nanosSinceRequest) {
        EpochEvent e = null;
        // Only an interrupt someone asked for has a begun event; a deadline's has none, and
        // a request whose call ended first is replaced by the next request before it counts.
        if (outcome.kind() == EpochOutcome.Kind.INTERRUPT && nanosSinceRequest > 0) {
            synchronized (this) {
                e = interrupts.remove(store);
            }
        }
        if (e == null) {
            e = new EpochEvent();
            if (!e.isEnabled()) return;
        }
        e.end();
        if (!e.shouldCommit()) return;
        e.store = nameOf(store);
        e.decision = outcome.toString();
        e.sinceRequest = nanosSinceRequest;
        e.commit();
    }

    /**
     * A guest stack the sampler took (on the owner, at a safepoint): one GuestSample event
     * if a recording wants it.
     */
    static void sample(String store, List<GuestFrame> framesInnermostFirst) {
        GuestSampleEvent e = new GuestSampleEvent();
        if (!e.shouldCommit()) return;
        e.store = store;
        e.depth = framesInnermostFirst.size();
        e.function = framesInnermostFirst.isEmpty() ? "" : framesInnermostFirst.get(0).function();
        StringBuilder sb = new StringBuilder();
        for (GuestFrame f : framesInnermostFirst) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(f);
        }
        e.stack = sb.toString();
        e.commit();
    }
}
