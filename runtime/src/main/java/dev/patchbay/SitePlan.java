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

/**
 * Which sites a {@link Store#request} turns on or off: all of them, or those of some
 * kinds, of some functions, or with some ids. Filters combine with AND (a site must pass
 * each one given), and several values in one filter with OR. Immutable: each narrowing
 * returns a new plan.
 *
 * <p>{@code SitePlan.on().kind(SiteKind.PROFILE_ENTRY).function("fib")} turns on the
 * profile-entry sites of {@code fib}.
 */
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

    /**
     * A plan that turns every site on; narrow it with {@link #kind}, {@link #function} and
     * {@link #sites}.
     *
     * @return the plan
     */
    public static SitePlan on() { return new SitePlan(true, null, null, null); }

    /**
     * A plan that turns every site off; narrow it with {@link #kind}, {@link #function} and
     * {@link #sites}.
     *
     * @return the plan
     */
    public static SitePlan off() { return new SitePlan(false, null, null, null); }

    /**
     * Narrows the plan to sites of some kinds; called again, it adds kinds.
     *
     * @param ks the site kinds
     * @return the narrowed plan
     */
    public SitePlan kind(SiteKind... ks) {
        EnumSet<SiteKind> s = kinds == null ? EnumSet.noneOf(SiteKind.class) : EnumSet.copyOf(kinds);
        s.addAll(Arrays.asList(ks));
        return new SitePlan(on, s, functions, ids);
    }

    /**
     * Narrows the plan to sites of some functions; called again, it adds functions. A name
     * no module has matches nothing.
     *
     * @param names function names, without the {@code %} sigil
     * @return the narrowed plan
     */
    public SitePlan function(String... names) {
        Set<String> s = functions == null ? new TreeSet<>() : new TreeSet<>(functions);
        s.addAll(Arrays.asList(names));
        return new SitePlan(on, kinds, s, ids);
    }

    /**
     * Narrows the plan to some site ids ({@code PatchSite.id}, per module); called again, it
     * adds ids.
     *
     * @param siteIds the ids
     * @return the narrowed plan
     */
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

    /**
     * Whether the plan turns its sites on or off.
     *
     * @return true for on
     */
    public boolean turnsOn() { return on; }

    /** Whether the plan covers a site of a function. */
    boolean matches(PatchSite site, String function) {
        if (kinds != null && !kinds.contains(site.kind)) return false;
        if (functions != null && !functions.contains(function)) return false;
        return ids == null || Arrays.binarySearch(ids, site.id) >= 0;
    }

    /** The plan as text, such as {@code on kinds=[EPOCH] functions=[fib]}. */
    @Override public String toString() {
        return (on ? "on" : "off") + (kinds != null ? " kinds=" + kinds : "") + (functions != null ? " functions=" + functions : "")
            + (ids != null ? " sites=" + Arrays.toString(ids) : "");
    }
}
