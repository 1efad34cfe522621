/*
 * What a debugger shows at a stop: the IR values (function arguments, block parameters,
 * instruction results) and where each one is. The register allocator gives every value
 * one location for its whole life (invariant 16) and knows the positions where it is live;
 * emission turns those positions into ranges of instruction-start offsets, after relax(),
 * so a stop at the start of an instruction knows exactly which values its location holds.
 * A value outside its ranges (dead, or not computed yet) is "optimized out", never guessed.
 *
 * Invariants:
 * - A value's ranges are closed ranges of machine offsets [start, end], each the offset of
 *   an instruction start: at a stop at an instruction start inside one, the value's
 *   location holds it (its register, or its frame slot at RBP + frameOffset).
 * - A constant (iconst) has no location: it is rematerialised at every use; its value is
 *   recorded instead, and it is available everywhere in its function.
 * - Values with no location and no constant (merged into their users, never used) have no
 *   entry: a debugger reports them as optimized out.
 * - Immutable.
 * Test: DebuggerValuesTest (signal-handler), against the interpreter's values.
 */
package dev.patchbay.codegen.machinst;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Per function, where each IR value lives over which ranges of machine code. */
public final class ValueTable {
    /** The table of a module built without it. */
    public static final ValueTable EMPTY = new ValueTable(List.of());

    /** Where a value is kept. */
    public enum Kind {
        /** In a general-purpose register: {@link Value#where} is its x86 encoding (0 = RAX). */
        REGISTER,
        /** In the frame: {@link Value#where} is its offset from the frame's RBP. */
        FRAME_SLOT,
        /** A constant: {@link Value#constant} is its value. */
        CONSTANT
    }

    /**
     * One IR value of one function.
     *
     * @param function the function's index
     * @param value the IR value number (vN)
     * @param name its display name, or null for the default {@code v<value>} ({@link #name()})
     * @param bits its type's width (8, 16, 32 or 64)
     * @param kind where it is kept
     * @param where the register's encoding or the RBP offset (see {@link Kind})
     * @param constant the value of a CONSTANT
     * @param ranges closed machine-offset ranges [s0, e0, s1, e1, ...] in the module's code
     *     where the location holds the value (empty for a CONSTANT, which holds everywhere)
     */
    public record Value(int function, int value, String name, int bits, Kind kind, int where, long constant, int[] ranges) {
        /**
         * A value; the ranges are copied.
         *
         * @param function the function's index
         * @param value the value number
         * @param name its display name
         * @param bits its width
         * @param kind where it is kept
         * @param where register encoding or RBP offset
         * @param constant a CONSTANT's value
         * @param ranges the ranges, copied
         */
        public Value {
            ranges = ranges.clone();
        }

        /**
         * The ranges, a copy.
         *
         * @return [s0, e0, s1, e1, ...]
         */
        @Override public int[] ranges() { return ranges.clone(); }

        /**
         * The display name. A value without a name of its own is {@code v<value>}, made when
         * asked: a large function's table holds hundreds of thousands of values, and most are
         * never shown.
         *
         * @return the name
         */
        @Override public String name() { return name != null ? name : "v" + value; }

        /**
         * Whether the value is in its location at a stop at an instruction start.
         *
         * @param offset the offset of that instruction in the module's code
         * @return true if it is a constant or a range contains the offset
         */
        public boolean availableAt(int offset) {
            if (kind == Kind.CONSTANT) return true;
            for (int i = 0; i < ranges.length; i += 2) if (offset >= ranges[i] && offset <= ranges[i + 1]) return true;
            return false;
        }

        @Override public boolean equals(Object o) {
            return o instanceof Value v && v.function == function && v.value == value && v.name().equals(name()) && v.bits == bits
                && v.kind == kind && v.where == where && v.constant == constant && Arrays.equals(v.ranges, ranges);
        }

        @Override public int hashCode() { return 31 * (31 * function + value) + Arrays.hashCode(ranges); }

        @Override public String toString() {
            return name() + ":i" + bits + " " + kind + (kind == Kind.CONSTANT ? "=" + constant : "@" + where + " " + Arrays.toString(ranges));
        }
    }

    private final List<Value> values;

    /**
     * A table.
     *
     * @param values the values, by function and then value number
     */
    public ValueTable(List<Value> values) { this.values = List.copyOf(values); }

    /**
     * Every value of a function that has a location or a constant, by value number.
     *
     * @param function the function's index
     * @return a new list
     */
    public List<Value> of(int function) {
        List<Value> out = new ArrayList<>();
        for (Value v : values) if (v.function == function) out.add(v);
        return out;
    }

    /**
     * All entries.
     *
     * @return the values, unmodifiable
     */
    public List<Value> values() { return values; }
}
