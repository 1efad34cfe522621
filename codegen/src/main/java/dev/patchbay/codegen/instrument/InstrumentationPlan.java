/*
 * What the instrumentation pass inserts: a set of site kinds, and how epoch sites are
 * emitted. Every mode of epoch site sits at exactly the same places (function entry and
 * loop headers), except FUEL, which like Wasmtime's fuel charges every block.
 */
package dev.patchbay.codegen.instrument;

import java.util.EnumSet;
import java.util.Set;

/**
 * What the instrumentation pass inserts: a set of site kinds and how epoch sites are emitted.
 * Immutable.
 */
public final class InstrumentationPlan {
    /** No sites. */
    public static final InstrumentationPlan NONE = new InstrumentationPlan(EnumSet.noneOf(SiteKind.class), EpochMode.NONE);

    private final Set<SiteKind> kinds;
    private final EpochMode epochMode;

    private InstrumentationPlan(Set<SiteKind> kinds, EpochMode epochMode) {
        this.kinds = kinds;
        this.epochMode = epochMode;
    }

    /**
     * Idle patch sites of the given kinds; epoch sites (if included) in the FUSED form, which
     * costs no instruction while idle (see EpochMode). withEpochMode(NOP) gives 5-byte NOP
     * sites at the same places.
     *
     * @param kinds the kinds to insert; none gives {@link #NONE}'s sites
     * @return the plan
     * @throws IllegalArgumentException for {@link SiteKind#CUSTOM}, whose sites come from the IR
     */
    public static InstrumentationPlan of(SiteKind... kinds) {
        EnumSet<SiteKind> s = EnumSet.noneOf(SiteKind.class);
        for (SiteKind k : kinds) {
            if (k == SiteKind.CUSTOM) throw new IllegalArgumentException("CUSTOM sites come from the IR, not from a plan");
            s.add(k);
        }
        return new InstrumentationPlan(s, s.contains(SiteKind.EPOCH) ? EpochMode.FUSED : EpochMode.NONE);
    }

    /**
     * All of epoch, profile-entry and profile-exit, as idle sites.
     *
     * @return the plan, epoch sites fused
     */
    public static InstrumentationPlan all() {
        return of(SiteKind.EPOCH, SiteKind.PROFILE_ENTRY, SiteKind.PROFILE_EXIT);
    }

    /**
     * The same plan with epoch sites emitted in the given comparison mode (NONE removes them).
     *
     * @param mode how to emit epoch sites; anything but NONE adds them if the plan had none
     * @return a new plan
     */
    public InstrumentationPlan withEpochMode(EpochMode mode) {
        EnumSet<SiteKind> s = kinds.isEmpty() ? EnumSet.noneOf(SiteKind.class) : EnumSet.copyOf(kinds);
        if (mode == EpochMode.NONE) s.remove(SiteKind.EPOCH);
        else s.add(SiteKind.EPOCH);
        return new InstrumentationPlan(s, mode);
    }

    /**
     * Whether the plan inserts sites of a kind.
     *
     * @param k the kind
     * @return true if it does
     */
    public boolean includes(SiteKind k) { return kinds.contains(k); }

    /**
     * The kinds the plan inserts.
     *
     * @return a new, modifiable set
     */
    public Set<SiteKind> kinds() { return EnumSet.copyOf(kinds.isEmpty() ? EnumSet.noneOf(SiteKind.class) : kinds); }

    /**
     * How epoch sites are emitted.
     *
     * @return the mode; NONE when the plan has no epoch sites
     */
    public EpochMode epochMode() { return epochMode; }

    /**
     * Whether the plan inserts nothing.
     *
     * @return true for a plan of no kinds
     */
    public boolean isEmpty() { return kinds.isEmpty(); }

    @Override public String toString() { return "plan" + kinds + " epoch=" + epochMode.label(); }
}
