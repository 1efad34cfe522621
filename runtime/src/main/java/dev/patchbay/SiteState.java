/*
 * The patch sites of one Store: what requests asked for (desired), what the code holds
 * (current), and which sites are armed with int3 waiting for the owner.
 *
 * Problem: a controller on any thread may ask for sites to change while the owner runs
 * the code, and no thread but the owner may write more than one byte into code another
 * thread executes (DESIGN.md invariant 2).
 *
 * Protocol:
 *  - request(): with nobody running the Store, the requester applies the desired state
 *    itself. With an owner, it arms (one 0xCC per site that must change) and the owner
 *    applies everything at its next site (StoreCore.safepoint) or when its call ends.
 *  - A Dekker handshake keeps the two cases apart: the requester sets `patching` and
 *    then reads the owner; the owner publishes itself and then reads `patching`, waiting
 *    on the lock if it is set (StoreCore.invoke). One of them always sees the other.
 *
 * Invariant: every field here is read and written with the Store's lock held, except
 * `patching` and the generations, which are volatile for the handshake and for
 * release()'s quick check.
 */
package dev.patchbay;

import dev.patchbay.spi.SiteController;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

final class SiteState {
    private final StoreCore core;
    private final ReentrantLock lock;
    private final List<InstanceSites> tables = new ArrayList<>();
    private final List<PatchRequest> pending = new ArrayList<>();
    private volatile boolean patching;
    private volatile long requestedGen, appliedGen;

    SiteState(StoreCore core, ReentrantLock lock) {
        this.core = core;
        this.lock = lock;
    }

    private SiteController controller() { return core.engine.controller(); }

    private SiteMetrics metrics() { return core.engine.siteMetrics(); }

    /** Adds an instance's sites (under the lock). */
    void add(InstanceSites t) { tables.add(t); }

    boolean isPatching() { return patching; }

    /**
     * Runs `body` inside the Dekker handshake with the owner's entry (see the header), so
     * that when `body` sees no owner, no owner can start running the code until it is done.
     * Caller holds the lock. The debugger writes breakpoint bytes this way.
     */
    void patchingLocked(Runnable body) {
        patching = true;
        try {
            body.run();
        } finally {
            patching = false;
        }
    }

    boolean hasUnapplied() { return appliedGen != requestedGen; }

    /**
     * Sets the desired state and arms or applies it. `epochForced` keeps the epoch sites on
     * while an interrupt or a passed deadline is being delivered: the owner turns them off
     * once it has taken it. Caller holds the lock.
     */
    PatchRequest requestLocked(SitePlan plan, boolean epochForced) {
        long requestedAt = System.nanoTime();
        long generation = ++requestedGen;
        for (InstanceSites t : tables) t.setDesired(plan);
        if (epochForced && plan != EPOCH_ON) for (InstanceSites t : tables) t.setDesired(EPOCH_ON);
        PatchRequest req;
        patching = true;
        try {
            if (core.ownership.owner() == null) {
                req = track(generation, requestedAt);
                applyLocked();
            } else if (controller() != null) {
                // The 0xCC bytes first, the bookkeeping after: an interrupt's latency runs
                // from here to the owner's trap at its first armed site, and the owner
                // cannot act on the trap before this thread has let go of the lock anyway.
                int armed = 0;
                for (InstanceSites t : tables) armed += t.arm(controller());
                req = track(generation, requestedAt);
                if (armed > 0) metrics().arm(armed);
                if (!anyChangePending()) completeLocked();
            } else {
                req = track(generation, requestedAt);
            }
        } finally {
            patching = false;
        }
        return req;
    }

    /** Counts a request and keeps it until it is applied. Caller holds the lock. */
    private PatchRequest track(long generation, long requestedAt) {
        metrics().request();
        PatchRequest req = new PatchRequest(generation, requestedAt);
        pending.add(req);
        return req;
    }

    /** Arms every site so the owner stops at its next one; caller holds the lock. */
    PatchRequest requestSafepointLocked() {
        PatchRequest req = track(++requestedGen, System.nanoTime());
        patching = true;
        try {
            if (core.ownership.owner() != null && controller() != null) {
                int armed = 0;
                for (InstanceSites t : tables) armed += t.armAll(controller());
                if (armed > 0) metrics().arm(armed);
                if (armed == 0 && !anyChangePending()) completeLocked();
            } else {
                applyLocked();
            }
        } finally {
            patching = false;
        }
        return req;
    }

    /** Writes the desired state of every site (only the owner or an idle Store gets here). */
    void applyLocked() {
        // Listeners hear the start only of a batch that will rewrite something, so every
        // onPatchBatchStart has its onPatchBatch (hasChanges() is what applyAll() writes).
        Store handle = core.engine.hasListeners() && anyChangePending() ? core.handle() : null;
        if (handle != null) for (RuntimeListener l : core.engine.listeners()) l.onPatchBatchStart(handle);
        long t0 = System.nanoTime();
        int n = 0;
        for (InstanceSites t : tables) n += t.applyAll();
        if (n > 0) {
            metrics().patched(n);
            long dt = System.nanoTime() - t0;
            boolean atSafepoint = core.ownership.owner() != null;
            if (handle == null && core.engine.hasListeners()) handle = core.handle();
            if (handle != null) for (RuntimeListener l : core.engine.listeners()) l.onPatchBatch(handle, n, dt, atSafepoint);
        }
        completeLocked();
    }

    void setDesiredLocked(SitePlan plan) {
        for (InstanceSites t : tables) t.setDesired(plan);
    }

    boolean desiresOnLocked(dev.patchbay.codegen.instrument.SiteKind kind) {
        for (InstanceSites t : tables) if (!t.desiresOn(kind)) return false;
        return true;
    }

    int countOnLocked() {
        int n = 0;
        for (InstanceSites t : tables) n += t.countOn();
        return n;
    }

    InstanceSites tableOf(LoadedModule m) {
        for (InstanceSites t : tables) if (t.instance == m) return t;
        return null;
    }

    /** The Store is closing: requests fail, registrations go. Caller holds the lock. */
    void closeLocked() {
        for (PatchRequest r : pending) r.fail();
        pending.clear();
        for (InstanceSites t : tables) t.close();
        tables.clear();
    }

    private boolean anyChangePending() {
        for (InstanceSites t : tables) if (t.hasChanges()) return true;
        return false;
    }

    private void completeLocked() {
        appliedGen = requestedGen;
        long now = System.nanoTime();
        Store handle = pending.isEmpty() || !core.engine.hasListeners() ? null : core.handle();
        for (PatchRequest r : pending) {
            r.complete(now);
            metrics().applied(r.latencyNanos());
            if (handle != null) for (RuntimeListener l : core.engine.listeners()) l.onRequestApplied(handle, r.latencyNanos());
        }
        pending.clear();
    }

    static final SitePlan EPOCH_ON = SitePlan.on().kind(dev.patchbay.codegen.instrument.SiteKind.EPOCH);
    static final SitePlan EPOCH_OFF = SitePlan.off().kind(dev.patchbay.codegen.instrument.SiteKind.EPOCH);
}
