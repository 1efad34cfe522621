/*
 * Which sites a request turns on or off: all sites, those of some kinds, of some
 * functions, or single site ids. Filters combine with AND; no filter means every site.
 * Immutable; build with SitePlan.on() / SitePlan.off().
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.machinst.PatchSite;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

public final class SitePlan {
    private final boolean on;
    private final EnumSet<SiteKind> kinds;
    private final Set<String> functions;
    private final int[] ids;

    private SitePlan(boolean on, EnumSet<SiteKind> kinds, Set<String> functions, int[] ids) {
        this.on = on;
        this.kinds = kinds;
        this.functions = functions;
        this.ids = ids;
    }

    /** A plan that turns every site on (narrow it with kind/function/sites). */
    public static SitePlan on() { return new SitePlan(true, null, null, null); }

    /** A plan that turns every site off (narrow it with kind/function/sites). */
    public static SitePlan off() { return new SitePlan(false, null, null, null); }

    public SitePlan kind(SiteKind... ks) {
        EnumSet<SiteKind> s = kinds == null ? EnumSet.noneOf(SiteKind.class) : EnumSet.copyOf(kinds);
        s.addAll(Arrays.asList(ks));
        return new SitePlan(on, s, functions, ids);
    }

    public SitePlan function(String... names) {
        Set<String> s = functions == null ? new TreeSet<>() : new TreeSet<>(functions);
        s.addAll(Arrays.asList(names));
        return new SitePlan(on, kinds, s, ids);
    }

    public SitePlan sites(int... siteIds) {
        int[] merged = ids == null ? siteIds.clone() : concat(ids, siteIds);
        Arrays.sort(merged);
        return new SitePlan(on, kinds, functions, merged);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    public boolean turnsOn() { return on; }

    /** Whether the plan covers a site of a function. */
    boolean matches(PatchSite site, String function) {
        if (kinds != null && !kinds.contains(site.kind)) return false;
        if (functions != null && !functions.contains(function)) return false;
        return ids == null || Arrays.binarySearch(ids, site.id) >= 0;
    }

    @Override public String toString() {
        return (on ? "on" : "off") + (kinds != null ? " kinds=" + kinds : "") + (functions != null ? " functions=" + functions : "")
            + (ids != null ? " sites=" + Arrays.toString(ids) : "");
    }
}
