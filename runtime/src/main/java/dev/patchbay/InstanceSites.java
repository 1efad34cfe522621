/*
 * The patch sites of one Instance: their desired state (what requests asked for), their
 * current state (the form fully written in the code), and which are armed (0xCC written
 * over byte 0, waiting for the owner). Only the Store's patch lock holder touches this.
 *
 * Writes go through the RW alias. A full rewrite writes the tail (bytes 1..) first and
 * byte 0 last, so an armed site stays an int3 until the new form is complete. Sites are
 * 5 bytes (NOP / call) or, for fused epoch sites, 5 or 6 (a branch and its retargeted form).
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.FaultHandler;
import dev.patchbay.spi.SiteController;

final class InstanceSites {
    final LoadedModule instance;
    private final PatchSite[] sites;
    private final String[] functions;
    private final long writeBase;
    private final boolean[] desired, current, armed;
    /**
     * Sites whose byte 0 holds a debugger breakpoint. Invariant: whenever a held site's form
     * is written, its byte 0 is written as 0xCC, and arming a held site writes nothing (its
     * int3 is there already, or back within one instruction of a step over it).
     */
    private final java.util.BitSet held = new java.util.BitSet();
    private final FaultHandler.Registration registration;
    private long[] armBuffer = new long[16];

    InstanceSites(LoadedModule inst, FaultHandler faults) {
        this.instance = inst;
        CompiledModule cm = inst.module().compiled();
        this.sites = cm.patchSites.toArray(new PatchSite[0]);
        this.functions = new String[sites.length];
        int[] offsets = new int[sites.length];
        for (int i = 0; i < sites.length; i++) {
            if (sites[i].id != i) throw new IllegalStateException("patch site ids must be dense and in code order; site " + i + " has id " + sites[i].id);
            functions[i] = cm.functions.get(sites[i].functionIndex).name;
            offsets[i] = sites[i].offset;
        }
        this.writeBase = inst.code().writeBase();
        this.desired = new boolean[sites.length];
        this.current = new boolean[sites.length];
        this.armed = new boolean[sites.length];
        long exec = inst.code().execBase();
        // Every instance registers, sites or not and site controller or not: the signal
        // handlers also use the registry to recognise guest code that faults.
        this.registration = faults.registerCode(exec, exec + inst.code().size(), offsets);
    }

    int size() { return sites.length; }

    boolean hasKind(SiteKind kind) {
        for (PatchSite p : sites) if (p.kind == kind) return true;
        return false;
    }

    void setDesired(SitePlan plan) {
        boolean on = plan.turnsOn();
        for (int i = 0; i < sites.length; i++) if (plan.matches(sites[i], functions[i])) desired[i] = on;
    }

    /** Whether every site of a kind is desired on. */
    boolean desiresOn(SiteKind kind) {
        for (int i = 0; i < sites.length; i++) if (sites[i].kind == kind && !desired[i]) return false;
        return true;
    }

    boolean hasChanges() {
        for (int i = 0; i < sites.length; i++) if (desired[i] != current[i] || armed[i]) return true;
        return false;
    }

    /** Arms every site whose state must change and is not armed yet. Returns how many. */
    int arm(SiteController controller) {
        int n = 0;
        for (int i = 0; i < sites.length; i++) {
            if (desired[i] != current[i] && !armed[i]) {
                armed[i] = true;
                if (held.get(i)) continue;
                if (n == armBuffer.length) armBuffer = java.util.Arrays.copyOf(armBuffer, n * 2);
                armBuffer[n++] = writeBase + sites[i].offset;
            }
        }
        if (n > 0) controller.arm(armBuffer, n);
        return n;
    }

    /** Arms every site not armed yet, whatever its state (a safepoint-only request). */
    int armAll(SiteController controller) {
        int n = 0;
        for (int i = 0; i < sites.length; i++) {
            if (armed[i]) continue;
            armed[i] = true;
            if (held.get(i)) continue;
            if (n == armBuffer.length) armBuffer = java.util.Arrays.copyOf(armBuffer, n * 2);
            armBuffer[n++] = writeBase + sites[i].offset;
        }
        if (n > 0) controller.arm(armBuffer, n);
        return n;
    }

    /** Writes the desired form of every site that differs or is armed. Returns how many. */
    int applyAll() {
        int n = 0;
        for (int i = 0; i < sites.length; i++) {
            if (desired[i] == current[i] && !armed[i]) continue;
            byte[] b = desired[i] ? sites[i].onBytes() : sites[i].offBytes();
            long at = writeBase + sites[i].offset;
            Native.putInt(at + 1, (b[1] & 0xFF) | (b[2] & 0xFF) << 8 | (b[3] & 0xFF) << 16 | (b[4] & 0xFF) << 24);
            for (int k = 5; k < b.length; k++) Native.putByte(at + k, b[k]);
            Native.putByte(at, held.get(i) ? (byte) 0xCC : b[0]);
            current[i] = desired[i];
            armed[i] = false;
            n++;
        }
        return n;
    }

    boolean isOn(int siteId) { return current[siteId]; }

    /** The id of the site starting at a code offset, or -1. */
    int siteAt(int offset) {
        int lo = 0, hi = sites.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sites[mid].offset < offset) lo = mid + 1;
            else if (sites[mid].offset > offset) hi = mid;
            else return mid;
        }
        return -1;
    }

    /** Whether a site is armed, waiting for the owner (its byte 0 must stay 0xCC). */
    boolean isArmed(int siteId) { return armed[siteId]; }

    /** Marks a site's byte 0 as held by a breakpoint, or releases it (see `held`). */
    void hold(int siteId, boolean on) { held.set(siteId, on); }

    /** Byte 0 of the form the site holds now, what a breakpoint over it displaces. */
    byte currentByte0(int siteId) { return (current[siteId] ? sites[siteId].onBytes() : sites[siteId].offBytes())[0]; }

    int countOn() {
        int n = 0;
        for (boolean on : current) if (on) n++;
        return n;
    }

    void close() {
        registration.close();
    }
}
