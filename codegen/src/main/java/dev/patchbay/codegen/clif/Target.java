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
 *
 * @param isa the ISA's name, such as {@code x86_64}
 * @param features the feature words after it, such as {@code has_avx}
 * @param loc where the line is
 */
public record Target(String isa, List<String> features, SourceLoc loc) {
    /**
     * A target line.
     *
     * @param isa the ISA's name
     * @param features the feature words, copied
     * @param loc where the line is
     */
    public Target {
        features = List.copyOf(features);
    }
}
