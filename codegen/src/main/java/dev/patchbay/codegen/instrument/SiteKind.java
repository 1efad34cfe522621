/*
 * The kinds of patch site (DESIGN.md, "Site kinds"). The instrumentation pass inserts
 * patchable calls to one well-known hook name per kind; the backend recognises the name,
 * and the runtime attaches the kind's hook trampoline. A patchable call to any other
 * callee is a CUSTOM site whose on form calls that callee.
 */
package dev.patchbay.codegen.instrument;

/**
 * The kinds of patch site. Each kind has one well-known hook that the backend recognises and the
 * runtime attaches; a patchable call to any other callee is a CUSTOM site.
 */
public enum SiteKind {
    /**
     * Epoch sites, at function entries and loop headers: where a running guest can be
     * interrupted or yield.
     */
    EPOCH("epoch", "__patchbay_epoch"),
    /** At each function's entry, for the profiler's call counts and timers. */
    PROFILE_ENTRY("profile-entry", "__patchbay_profile_entry"),
    /** Before each return, for the profiler's timers. */
    PROFILE_EXIT("profile-exit", "__patchbay_profile_exit"),
    /** A patchable call written in the IR to a callee of its own choosing; its on form calls that callee. */
    CUSTOM("custom", null);

    private final String label;
    private final String hookName;

    SiteKind(String label, String hookName) {
        this.label = label;
        this.hookName = hookName;
    }

    /**
     * The kind's name as metadata and the CLI print it.
     *
     * @return {@code "epoch"}, {@code "profile-entry"}, ...
     */
    public String label() { return label; }

    /**
     * The callee name the instrumentation pass uses for this kind, or null for CUSTOM.
     *
     * @return the hook's name, such as {@code "__patchbay_epoch"}
     */
    public String hookName() { return hookName; }

    /**
     * The kind of a patchable call, from its callee.
     *
     * @param name the callee's name
     * @return the kind whose hook that is, or {@link #CUSTOM} for any other callee
     */
    public static SiteKind forCallee(String name) {
        for (SiteKind k : values()) if (k.hookName != null && k.hookName.equals(name)) return k;
        return CUSTOM;
    }

    /**
     * Parses a kind from its label or its constant name, ignoring case for the latter.
     *
     * @param label such as {@code "profile-entry"} or {@code "PROFILE_ENTRY"}
     * @return the kind, or null if there is none of that name
     */
    public static SiteKind parse(String label) {
        for (SiteKind k : values()) if (k.label.equals(label) || k.name().equalsIgnoreCase(label)) return k;
        return null;
    }
}
