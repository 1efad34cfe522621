/*
 * A function type, [params] -> [results] (multi-value: any number of results).
 */
package dev.patchbay.wasm;

import java.util.List;

/**
 * A function type.
 *
 * @param params parameter types
 * @param results result types
 */
public record FuncType(List<ValType> params, List<ValType> results) {
    /** Copies the lists. */
    public FuncType {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    @Override public String toString() { return params + " -> " + results; }
}
