/*
 * Problem: one profiled Store needs native memory its generated hooks write (the state
 * block and one site table per instance, ProfilerLayout) and the hook code itself, all of
 * which must stay valid while any of the Store's code can still call the hooks.
 * Approach: this class owns those allocations. It numbers every (instance, function) pair
 * as a record, fills the site tables from the modules' patch-site metadata, generates the
 * hooks with ProfilerStubs into a private W^X CodeMemory, and reads the counters back as
 * plain 8-byte loads (the owner thread is the only writer). Freeing is the caller's job,
 * once no thread can be inside the hooks (see Profiler.close).
 */
package dev.patchbay.profiler;

import dev.patchbay.Instance;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;

import java.util.ArrayList;
import java.util.List;

final class NativeProfile {
    /** One profiled function of one instance. */
    static final class Record {
        final int index;
        final String function;
        final String module;
        final Instance instance;
        final int instanceIndex;

        Record(int index, String function, String module, Instance instance, int instanceIndex) {
            this.index = index;
            this.function = function;
            this.module = module;
            this.instance = instance;
            this.instanceIndex = instanceIndex;
        }
    }

    final List<Record> records = new ArrayList<>();
    final long state;
    private final List<Long> tables = new ArrayList<>();
    private final CodeMemory code;
    final long entryHook;
    final long exitHook;
    private boolean freed;
    /** The header's and the records' words as free() found them, laid out as in the native block. */
    private long[] lastHeader, lastRecords;

    NativeProfile(List<Instance> instances, List<String> moduleNames, boolean timing) {
        for (int i = 0; i < instances.size(); i++) {
            for (FunctionInfo f : instances.get(i).module().compiled().functions) {
                records.add(new Record(records.size(), f.name, moduleNames.get(i), instances.get(i), i));
            }
        }
        if (records.size() > ProfilerLayout.MAX_RECORDS) {
            throw new IllegalArgumentException("too many functions to profile: " + records.size());
        }
        state = Native.calloc(1, ProfilerLayout.size(Math.max(1, records.size())));
        List<ProfilerStubs.Region> regions = new ArrayList<>();
        int first = 0;
        CodeMemory mem = null;
        try {
            for (Instance inst : instances) {
                CompiledModule cm = inst.module().compiled();
                long table = Native.calloc(1, ProfilerLayout.siteTableSize(inst.codeSize()));
                tables.add(table);
                for (PatchSite s : cm.patchSites) {
                    if (s.kind != SiteKind.PROFILE_ENTRY && s.kind != SiteKind.PROFILE_EXIT) continue;
                    long slot = table + (long) (s.returnOffset() >> ProfilerLayout.SITE_SHIFT) * ProfilerLayout.SITE_SLOT_SIZE;
                    Native.putInt(slot, (int) ProfilerLayout.recordOffset(first + s.functionIndex));
                }
                regions.add(new ProfilerStubs.Region(dev.patchbay.internal.RuntimeInternals.codeAddress(inst), inst.codeSize(), table));
                first += cm.functions.size();
            }
            byte[] entry = ProfilerStubs.entryHook(state, regions, timing);
            byte[] exit = ProfilerStubs.exitHook(state, regions);
            int exitAt = (entry.length + 63) & ~63;
            mem = CodeMemory.allocate(exitAt + exit.length, "profiler");
            mem.write(0, entry);
            mem.write(exitAt, exit);
            code = mem;
            entryHook = mem.execAddress(0);
            exitHook = mem.execAddress(exitAt);
        } catch (RuntimeException | Error e) {
            if (mem != null) mem.close();
            for (long t : tables) Native.free(t);
            Native.free(state);
            throw e;
        }
    }

    long calls(Record r) { return field(r, ProfilerLayout.CALLS); }

    long totalTicks(Record r) { return field(r, ProfilerLayout.TOTAL); }

    long selfTicks(Record r) { return field(r, ProfilerLayout.SELF); }

    synchronized long header(int offset) { return freed ? lastHeader[offset / 8] : Native.getLong(state + offset); }

    private synchronized long field(Record r, int offset) {
        if (freed) return lastRecords[(int) (((long) r.index * ProfilerLayout.RECORD_SIZE + offset) / 8)];
        return Native.getLong(state + ProfilerLayout.recordOffset(r.index) + offset);
    }

    synchronized boolean isFreed() { return freed; }

    private static long[] words(long address, long bytes) {
        long[] w = new long[(int) (bytes / 8)];
        for (int i = 0; i < w.length; i++) w[i] = Native.getLong(address + 8L * i);
        return w;
    }

    /**
     * Frees everything; only when no thread can be running the hooks any more. The header
     * and the records are copied first, so a reader after this (a metrics scrape) sees the
     * counters' last values, never a counter fallen back to 0.
     */
    synchronized void free() {
        if (freed) return;
        lastHeader = words(state, ProfilerLayout.HEADER_SIZE);
        lastRecords = words(state + ProfilerLayout.RECORDS, (long) records.size() * ProfilerLayout.RECORD_SIZE);
        freed = true;
        code.close();
        for (long t : tables) Native.free(t);
        Native.free(state);
    }
}
