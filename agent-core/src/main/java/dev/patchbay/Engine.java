/*
 * The shared, thread-safe entry point: it holds configuration and the engine-wide state
 * generated code may read (the epoch counter, for the CHECK comparison mode, and a poll
 * page, for POLL), and turns compiled code into immutable Modules. Stores hold the
 * per-execution state and keep their Engine reachable, so its native state outlives any
 * code that could read it.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.internal.sys.Native;

import java.lang.ref.Cleaner;

public final class Engine {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Native u64 epoch counter (8-byte aligned, from malloc). */
    private final long epochCounter;
    /** A readable page for the POLL comparison mode. */
    private final long pollPage;

    public Engine() {
        Native.checkPlatform();
        long counter = Native.calloc(1, 8);
        int page = Native.pageSize();
        long poll = Native.mmap(0, page, Native.PROT_READ, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS, -1, 0);
        this.epochCounter = counter;
        this.pollPage = poll;
        CLEANER.register(this, () -> {
            Native.free(counter);
            Native.munmap(poll, page);
        });
    }

    /** Wraps compiled code as an immutable module image that any Store can instantiate. */
    public Module load(CompiledModule compiled) {
        if (compiled == null) throw new IllegalArgumentException("compiled module is null");
        return new Module(this, compiled);
    }

    long epochCounterAddress() { return epochCounter; }

    long pollPageAddress() { return pollPage; }
}
