/*
 * Problem: a MeterBinder registers meters and Micrometer keeps them until someone removes
 * them. Patchbay's binders export per-Store meters, and Stores come and go: without
 * removal a long-lived registry collects the meters of every Store that ever lived, and a
 * re-used store name silently binds the new Store's meter id to the old Store's meter.
 * Approach: each binder records every meter it registered, with its registry, here;
 * close() removes them all, and a group (one Store's meters) can be removed alone.
 * Registering a meter whose id a registry already has is refused, since Micrometer would
 * hand back the existing meter, which reads some other object.
 *
 * Invariant: a meter is removed only from the registry it was registered in, and only by
 * the binder that registered it.
 */
package dev.patchbay.profiler;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

final class BoundMeters {
    private static final class Bound {
        final MeterRegistry registry;
        final Meter meter;
        final Object group;

        Bound(MeterRegistry registry, Meter meter, Object group) {
            this.registry = registry;
            this.meter = meter;
            this.group = group;
        }
    }

    private final List<Bound> bound = new ArrayList<>();
    private boolean closed;

    /**
     * Registers a meter and records it. A meter id the registry has already is refused:
     * Micrometer would return the meter that is there, which reads another object, and
     * this binder's close would remove it from under its owner. The check compares the
     * registered meter (with the registry's common tags and filters applied) against the
     * ones present before, so it sees the id the registry really uses.
     */
    synchronized <M extends Meter> M register(MeterRegistry registry, String name, Object group, Supplier<M> registration) {
        checkOpen();
        Set<Meter> before = Collections.newSetFromMap(new IdentityHashMap<>());
        before.addAll(registry.find(name).meters());
        M meter = registration.get();
        if (before.contains(meter)) {
            throw new IllegalStateException("the registry has a meter " + meter.getId() + " already; give each Store its own "
                + "name (ProfilerConfig.storeName, SiteMeterBinder.store), or close the binder that registered it first");
        }
        bound.add(new Bound(registry, meter, group));
        return meter;
    }

    synchronized void checkOpen() {
        if (closed) throw new IllegalStateException("the binder is closed");
    }

    synchronized boolean isClosed() { return closed; }

    /** Removes the meters of one group from every registry. */
    synchronized void removeGroup(Object group) {
        for (Iterator<Bound> it = bound.iterator(); it.hasNext(); ) {
            Bound b = it.next();
            if (Objects.equals(b.group, group)) {
                b.registry.remove(b.meter);
                it.remove();
            }
        }
    }

    /** Removes every meter and refuses new ones. */
    synchronized void close() {
        closed = true;
        for (Bound b : bound) b.registry.remove(b.meter);
        bound.clear();
    }

    synchronized int size() { return bound.size(); }
}
