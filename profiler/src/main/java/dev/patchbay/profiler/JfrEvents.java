/*
 * Problem: runtime events (site patch batches, traps, epoch interrupts) should show up in
 * JDK Mission Control next to GC and safepoints, at no cost without a recording.
 * Approach: a RuntimeListener that commits JFR events. Event.shouldCommit() is false
 * unless a recording enables the event, so the cost without one is a field check. Stores
 * have no names of their own; name them with name(store, "...") or they show as store@hash.
 *
 *   dev.patchbay.SitePatchBatch   sites rewritten at once: count, duration, at a safepoint?
 *   dev.patchbay.Trap             a guest call ended in a trap: code, innermost frame
 *   dev.patchbay.EpochInterrupt   an epoch deadline or interrupt() stopped a guest
 */
package dev.patchbay.profiler;

import dev.patchbay.Engine;
import dev.patchbay.RuntimeListener;
import dev.patchbay.Store;
import dev.patchbay.Trap;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Records runtime events (site patch batches, traps, epoch interrupts) as JFR events, which cost a
 * field check when no recording is running.
 */
public final class JfrEvents implements RuntimeListener {
    @Name("dev.patchbay.SitePatchBatch")
    @Label("Site Patch Batch")
    @Category({"Patchbay", "Sites"})
    @Description("Patch sites rewritten at once, at a safepoint or directly in an idle Store")
    static final class PatchBatchEvent extends Event {
        @Label("Store") String store;
        @Label("Sites") int sites;
        @Label("Batch Duration") @Timespan(Timespan.NANOSECONDS) long batchDuration;
        @Label("At Safepoint") boolean atSafepoint;
    }

    @Name("dev.patchbay.Trap")
    @Label("Guest Trap")
    @Category({"Patchbay", "Traps"})
    @Description("A guest call ended in a trap")
    static final class TrapEvent extends Event {
        @Label("Store") String store;
        @Label("Trap Code") String code;
        @Label("Innermost Frame") String frame;
        @Label("Frames") int frames;
    }

    @Name("dev.patchbay.EpochInterrupt")
    @Label("Epoch Interrupt")
    @Category({"Patchbay", "Epochs"})
    @Description("An epoch deadline or interrupt() stopped a guest at a site")
    static final class EpochEvent extends Event {
        @Label("Store") String store;
        @Label("Decision") String decision;
        @Label("Since Request") @Timespan(Timespan.NANOSECONDS) long sinceRequest;
    }

    private final Map<Store, String> names = new WeakHashMap<>();

    /**
     * Creates a listener and adds it to an Engine.
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

    @Override public void onPatchBatch(Store store, int sites, long nanos, boolean atSafepoint) {
        PatchBatchEvent e = new PatchBatchEvent();
        if (!e.shouldCommit()) return;
        e.store = nameOf(store);
        e.sites = sites;
        e.batchDuration = nanos;
        e.atSafepoint = atSafepoint;
        e.commit();
    }

    @Override public void onTrap(Store store, Trap trap) {
        TrapEvent e = new TrapEvent();
        if (!e.shouldCommit()) return;
        e.store = nameOf(store);
        e.code = trap.code().clifName();
        e.frames = trap.backtrace().size();
        e.frame = trap.backtrace().isEmpty() ? "" : trap.backtrace().get(0).toString();
        e.commit();
    }

    @Override public void onEpochDeadline(Store store, dev.patchbay.EpochOutcome outcome, long nanosSinceRequest) {
        EpochEvent e = new EpochEvent();
        if (!e.shouldCommit()) return;
        e.store = nameOf(store);
        e.decision = outcome.toString();
        e.sinceRequest = nanosSinceRequest;
        e.commit();
    }
}
