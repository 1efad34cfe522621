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
    EPOCH("epoch", "__patchbay_epoch"),
    PROFILE_ENTRY("profile-entry", "__patchbay_profile_entry"),
    PROFILE_EXIT("profile-exit", "__patchbay_profile_exit"),
    CUSTOM("custom", null);

    private final String label;
    private final String hookName;

    SiteKind(String label, String hookName) {
        this.label = label;
        this.hookName = hookName;
    }

    /** The kind's name as metadata and the CLI print it. */
    public String label() { return label; }

    /** The callee name the instrumentation pass uses for this kind, or null for CUSTOM. */
    public String hookName() { return hookName; }

    public static SiteKind forCallee(String name) {
        for (SiteKind k : values()) if (k.hookName != null && k.hookName.equals(name)) return k;
        return CUSTOM;
    }

    public static SiteKind parse(String label) {
        for (SiteKind k : values()) if (k.label.equals(label) || k.name().equalsIgnoreCase(label)) return k;
        return null;
    }
}
