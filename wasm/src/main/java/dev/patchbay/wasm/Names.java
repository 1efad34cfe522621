/*
 * The name custom section, as far as Patchbay uses it: the module name and function names
 * (for backtraces). A name section that is itself malformed is ignored, as the spec's
 * appendix allows for custom sections: it never makes the module malformed.
 */
package dev.patchbay.wasm;

import java.util.Map;
import java.util.Optional;

/**
 * Names from the name section.
 *
 * @param moduleName the module name, if given
 * @param functionNames function index to name
 */
public record Names(Optional<String> moduleName, Map<Long, String> functionNames) {
    /** No names. */
    public static final Names NONE = new Names(Optional.empty(), Map.of());

    /** Copies the map. */
    public Names { functionNames = Map.copyOf(functionNames); }
}
