/*
 * How epoch sites are emitted. NOP is Patchbay's idle patch site. The others exist so
 * benchmarks compare like with like (DESIGN.md, "Comparison modes"): NONE has no sites;
 * CHECK is a Wasmtime-style load/compare/branch; POLL is a HotSpot-style load from a page
 * that is protected to arm it; FUEL is a Wasmtime-style counter decremented per block.
 */
package dev.patchbay.codegen.instrument;

/**
 * How epoch sites are emitted: Patchbay's idle patch sites, or one of the comparison modes
 * (Wasmtime-style checks and fuel, HotSpot-style polls) that benchmarks measure them against.
 */
public enum EpochMode {
    /** No epoch sites: the code cannot be interrupted. */
    NONE,
    /** A 5-byte NOP at each function entry and loop header, patched into a call when on. */
    NOP,
    /**
     * The default: each loop's back edge and the prologue's stack-limit branch are the sites, so
     * an idle site costs no instruction; on, the branch is retargeted to a stub that calls the hook.
     */
    FUSED,
    /** Wasmtime-style: load the epoch counter, compare with the deadline, branch, at every site. */
    CHECK,
    /** HotSpot-style: a load from a poll page, which is protected to arm it. */
    POLL,
    /** Wasmtime-style fuel: a counter charged at every block, trapping out_of_fuel when spent. */
    FUEL;

    /**
     * The mode's name on the command line and in metadata.
     *
     * @return {@code "none"}, {@code "fused"}, ...
     */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }

    /**
     * Parses a mode's label.
     *
     * @param s a label such as {@code "nop"}
     * @return the mode, or null if there is none of that label
     */
    public static EpochMode parse(String s) {
        for (EpochMode m : values()) if (m.label().equals(s)) return m;
        return null;
    }
}
