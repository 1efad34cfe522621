/*
 * A module's trap frames, decoded once per code offset and shared by every Store of it.
 *
 * Problem: a server that makes a Store per request and interrupts it pays, on the
 * guest's thread between the unwind and the throw, the symbolization of each frame (the
 * function's binary search, the location table's lookup, the location's string) and the
 * frame's synthetic stack trace element (two string concatenations). That Java runs a
 * few times per Store, so HotSpot never compiles it, and interpreted it was about 90 us
 * of a fresh Store's interrupt (README, "Peers"). What a code offset decodes to depends
 * only on the module, so it is decoded once per module and offset and looked up after.
 *
 * Invariants:
 *  - An entry is exactly what TrapDecoder would decode at that offset (the frame, and
 *    Trap.stackTraceElement of it): everything cached is immutable and a function of the
 *    module's immutable CompiledModule and the offset.
 *  - The cache is bounded (MAX_ENTRIES by default): past it, frames are decoded every time and not
 *    kept, so a guest with ever new backtraces cannot grow memory.
 *  - Any thread: owners of different Stores decode concurrently.
 */
package dev.patchbay;

import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

final class TrapFrames {
    static final int MAX_ENTRIES = 4096;

    /** A decoded frame and its stack trace element. */
    record Decoded(GuestFrame frame, StackTraceElement element) {}

    private final Module module;
    private final int maxEntries;
    /** Key: code offset * 2, + 1 when the offset is a return address (its call is the byte before). */
    private final ConcurrentHashMap<Long, Decoded> cache = new ConcurrentHashMap<>();
    /** How many frames were decoded rather than found; for tests. */
    private final AtomicLong decodes = new AtomicLong();

    TrapFrames(Module module) {
        this(module, MAX_ENTRIES);
    }

    /** A cache of at most `maxEntries` frames (tests use a small one). */
    TrapFrames(Module module, int maxEntries) {
        this.module = module;
        this.maxEntries = maxEntries;
    }

    /**
     * The frame at a code offset of the module, or null if the offset lies in no function.
     * `returnAddress`: the offset follows a call (every frame but the innermost), so its
     * location is the call's, the byte before.
     */
    Decoded at(int off, boolean returnAddress) {
        Long key = ((long) off << 1) | (returnAddress ? 1 : 0);
        Decoded d = cache.get(key);
        if (d != null) return d;
        CompiledModule cm = module.compiled();
        FunctionInfo f = off >= 0 && off < cm.codeSize() ? cm.functionAt(off) : null;
        if (f == null) return null;
        decodes.incrementAndGet();
        GuestFrame frame = new GuestFrame(f.name, off - f.start, TrapDecoder.location(module, f, returnAddress ? off - 1 : off));
        d = new Decoded(frame, Trap.stackTraceElement(frame));
        if (cache.size() < maxEntries) cache.putIfAbsent(key, d);
        return d;
    }

    long decodes() { return decodes.get(); }

    int size() { return cache.size(); }
}
