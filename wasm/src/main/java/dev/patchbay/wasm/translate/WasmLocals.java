/*
 * Which IR value holds each Wasm local, at each Wasm instruction of one function: the
 * translator's own knowledge (locals are SSA values, renamed at every local.set and block
 * boundary), kept so a debugger stopped at a Wasm offset can show the locals by reading
 * those values where the register allocator put them.
 *
 * Invariants:
 * 1. at(offset) is the mapping in force just before the instruction at the offset runs
 *    (the last one recorded at or before it); it is recorded only where it changed.
 * 2. A function whose locals live in stack slots (more than Translator.SSA_LOCALS) has no
 *    mapping (inSlots()): its locals are not IR values, and nothing pretends they are.
 */
package dev.patchbay.wasm.translate;

import dev.patchbay.wasm.ValType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The IR values of one function's Wasm locals, by Wasm code offset. */
public final class WasmLocals {
    private final List<ValType> types;
    private final boolean inSlots;
    private final List<Integer> offsets = new ArrayList<>();
    private final List<int[]> values = new ArrayList<>();

    WasmLocals(List<ValType> types, boolean inSlots) {
        this.types = List.copyOf(types);
        this.inSlots = inSlots;
    }

    /** Records the mapping before the instruction at offset, if it differs from the last. */
    void record(int offset, int[] irValues) {
        if (!values.isEmpty() && Arrays.equals(values.get(values.size() - 1), irValues)) return;
        offsets.add(offset);
        values.add(irValues.clone());
    }

    /** @return each local's Wasm type: the parameters, then the declared locals */
    public List<ValType> types() { return types; }

    /** @return whether the function keeps its locals in stack slots, so none has an IR value */
    public boolean inSlots() { return inSlots; }

    /**
     * The IR value of each local just before the instruction at a Wasm offset.
     *
     * @param offset a Wasm code offset in the function
     * @return the value numbers, one per local; empty before the first instruction or in slot mode
     */
    public Optional<int[]> at(int offset) {
        int lo = 0, hi = offsets.size() - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets.get(mid) <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(values.get(found).clone());
    }
}
