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
    NONE, NOP, FUSED, CHECK, POLL, FUEL;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static EpochMode parse(String s) {
        for (EpochMode m : values()) if (m.label().equals(s)) return m;
        return null;
    }
}
