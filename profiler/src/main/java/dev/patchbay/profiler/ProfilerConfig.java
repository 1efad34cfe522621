/*
 * Problem: a profiled Store's metrics and reports need human names (Stores and modules have
 * none), and timing is optional (counting calls alone skips rdtsc and the exit sites).
 * Approach: a small mutable settings object passed to Profiler.attach.
 */
package dev.patchbay.profiler;

import dev.patchbay.Instance;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Settings for {@link Profiler#attach(dev.patchbay.Store, ProfilerConfig)}: names for the Store and
 * its modules in reports and metrics, and whether to time calls or only count them.
 */
public final class ProfilerConfig {
    private static final AtomicInteger STORES = new AtomicInteger();

    String storeName;
    final Map<Instance, String> moduleNames = new IdentityHashMap<>();
    boolean timing = true;

    /** The "store" tag of this Store's metrics (default store-N). */
    public ProfilerConfig storeName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("store name is empty");
        this.storeName = name;
        return this;
    }

    /** The "module" tag of an instance's functions (default module-I, I its position in the Store). */
    public ProfilerConfig moduleName(Instance instance, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("module name is empty");
        moduleNames.put(instance, name);
        return this;
    }

    /**
     * With timing (the default), entry and exit sites are on and record total and self time
     * with rdtsc; without it only entry sites are on and only calls are counted.
     */
    public ProfilerConfig timing(boolean on) {
        this.timing = on;
        return this;
    }

    String storeNameOrDefault() {
        return storeName != null ? storeName : "store-" + STORES.incrementAndGet();
    }
}
