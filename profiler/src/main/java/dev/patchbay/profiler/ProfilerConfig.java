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

    /** The defaults: store-N, module-I, timing on. */
    public ProfilerConfig() {}

    /**
     * Names the Store in reports and in the "store" tag of its metrics (default {@code
     * store-N}, N counting the profilers of the process).
     *
     * @param name the name
     * @return this config
     * @throws IllegalArgumentException if name is null or blank
     */
    public ProfilerConfig storeName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("store name is empty");
        this.storeName = name;
        return this;
    }

    /**
     * Names an instance's module in reports and in the "module" tag of its functions'
     * metrics (default {@code module-I}, I the instance's position in its Store).
     *
     * @param instance the instance
     * @param name the name
     * @return this config
     * @throws IllegalArgumentException if name is null or blank
     */
    public ProfilerConfig moduleName(Instance instance, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("module name is empty");
        moduleNames.put(instance, name);
        return this;
    }

    /**
     * With timing (the default), entry and exit sites are on and record total and self time
     * with {@code rdtsc}; without it only entry sites are on and only calls are counted.
     *
     * @param on whether to time calls
     * @return this config
     */
    public ProfilerConfig timing(boolean on) {
        this.timing = on;
        return this;
    }

    String storeNameOrDefault() {
        return storeName != null ? storeName : "store-" + STORES.incrementAndGet();
    }
}
