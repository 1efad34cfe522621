/*
 * A `target ISA feature...` header line. Cranelift's run tests list every ISA they run
 * on; the runner picks the x86_64 lines, so the ISA and its feature words are kept apart.
 */
package dev.patchbay.codegen.clif;

import dev.patchbay.codegen.ir.SourceLoc;

import java.util.List;

/**
 * A {@code target ISA feature...} header line, with the ISA and its feature words apart, so a
 * runner can pick the x86_64 lines.
 */
public record Target(String isa, List<String> features, SourceLoc loc) {
    public Target {
        features = List.copyOf(features);
    }
}
