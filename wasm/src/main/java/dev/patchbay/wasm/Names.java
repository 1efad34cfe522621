/*
 * The name custom section, as far as Patchbay uses it: the module name, function names
 * (for backtraces) and local names (for a debugger's view of Wasm locals). A name section that is itself malformed is ignored, as the spec's
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
 * @param localNames function index to (local index to name)
 */
public record Names(Optional<String> moduleName, Map<Long, String> functionNames, Map<Long, Map<Long, String>> localNames) {
    /** No names. */
    public static final Names NONE = new Names(Optional.empty(), Map.of(), Map.of());

    /**
     * Copies the maps.
     *
     * @param moduleName the module name, if given
     * @param functionNames function index to name
     * @param localNames function index to (local index to name)
     */
    public Names {
        functionNames = Map.copyOf(functionNames);
        Map<Long, Map<Long, String>> copy = new java.util.HashMap<>();
        localNames.forEach((f, m) -> copy.put(f, Map.copyOf(m)));
        localNames = Map.copyOf(copy);
    }

    /**
     * Names without local names.
     *
     * @param moduleName the module name, if given
     * @param functionNames function index to name
     */
    public Names(Optional<String> moduleName, Map<Long, String> functionNames) { this(moduleName, functionNames, Map.of()); }
}
