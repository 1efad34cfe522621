/*
 * Trap codes, as CLIF spells them. Generated code stores the numeric code in the vmctx
 * when it traps, so every code has a stable number: the built-in codes use 1..15 and
 * user codes (`user1` .. `user255`) use 256 + N. Zero means "no trap". The runtime
 * raises interrupt, host_error, bad_target and debug itself; CLIF may name them too.
 */
package dev.patchbay.codegen.ir;

import java.util.Objects;

/**
 * A trap code as CLIF spells it, with the stable number generated code stores when it traps: 1 to
 * 15 for the built-in codes, 256 + N for {@code userN}.
 */
public final class TrapCode {
    /**
     * The guest stack ran past its limit (a function's entry check, or an entry trampoline's
     * stack arguments).
     */
    public static final TrapCode STACK_OVERFLOW = new TrapCode("stk_ovf", 1);
    /** A memory access faulted: the address is not mapped, or not accessible that way. */
    public static final TrapCode HEAP_OUT_OF_BOUNDS = new TrapCode("heap_oob", 2);
    /** Signed division overflowed (MIN / -1), or an explicit overflow check failed. */
    public static final TrapCode INTEGER_OVERFLOW = new TrapCode("int_ovf", 3);
    /** An integer division or remainder by zero. */
    public static final TrapCode INTEGER_DIVISION_BY_ZERO = new TrapCode("int_divz", 4);
    /** A float-to-integer conversion out of range (CLIF's code; Patchbay compiles no floats). */
    public static final TrapCode BAD_CONVERSION_TO_INTEGER = new TrapCode("bad_toint", 5);
    /** Code the frontend marked unreachable ran ({@code trap unreachable}). */
    public static final TrapCode UNREACHABLE = new TrapCode("unreachable", 6);
    /** An indirect call's signature does not match its callee's. */
    public static final TrapCode BAD_SIGNATURE = new TrapCode("bad_sig", 7);
    /** The embedder interrupted the guest (an epoch deadline, or {@code interrupt()}). */
    public static final TrapCode INTERRUPT = new TrapCode("interrupt", 8);
    /** A hostcall threw; the Java exception travels separately and becomes the Trap's cause. */
    public static final TrapCode HOST_ERROR = new TrapCode("host_error", 9);
    /** The FUEL comparison mode ran out of fuel. */
    public static final TrapCode OUT_OF_FUEL = new TrapCode("out_of_fuel", 10);
    /**
     * Guest code transferred control to an address that is not Patchbay code: a
     * call_indirect to a bad or non-executable address, or a ret to a corrupted return
     * address. Raised by the SIGSEGV/SIGBUS handler, never by generated code.
     */
    public static final TrapCode BAD_TARGET = new TrapCode("bad_target", 11);
    /** A CLIF `debugtrap` (an int3 in guest code) ran with no debugger attached. */
    public static final TrapCode DEBUG = new TrapCode("debug", 12);

    private static final TrapCode[] BUILTIN = {
        STACK_OVERFLOW, HEAP_OUT_OF_BOUNDS, INTEGER_OVERFLOW, INTEGER_DIVISION_BY_ZERO,
        BAD_CONVERSION_TO_INTEGER, UNREACHABLE, BAD_SIGNATURE, INTERRUPT, HOST_ERROR, OUT_OF_FUEL,
        BAD_TARGET, DEBUG,
    };

    private final String name;
    private final int code;

    private TrapCode(String name, int code) {
        this.name = name;
        this.code = code;
    }

    /**
     * A user trap code.
     *
     * @param n the user number, 0 to 255
     * @return {@code userN}, numbered 256 + n
     * @throws IllegalArgumentException if n is out of range
     */
    public static TrapCode user(int n) {
        if (n < 0 || n > 255) throw new IllegalArgumentException("user trap code out of range 0..255: " + n);
        return new TrapCode("user" + n, 256 + n);
    }

    /**
     * Parses a CLIF trap code name.
     *
     * @param s a name such as {@code "int_divz"} or {@code "user7"}
     * @return the trap code, or null if the name is none
     */
    public static TrapCode parse(String s) {
        for (TrapCode t : BUILTIN) if (t.name.equals(s)) return t;
        if (s.startsWith("user") && s.length() > 4 && s.length() <= 7) {
            try {
                int n = Integer.parseInt(s.substring(4));
                if (n >= 0 && n <= 255 && String.valueOf(n).equals(s.substring(4))) return user(n);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The trap code with a number, as generated code stores it in the vmctx.
     *
     * @param code 1 to 12 for the built-in codes, 256 to 511 for the user codes
     * @return the trap code
     * @throws IllegalArgumentException for any other number (0 means no trap)
     */
    public static TrapCode fromCode(int code) {
        for (TrapCode t : BUILTIN) if (t.code == code) return t;
        if (code >= 256 && code <= 511) return user(code - 256);
        throw new IllegalArgumentException("unknown trap code number " + code);
    }

    /**
     * The code's name in CLIF text.
     *
     * @return {@code "stk_ovf"}, {@code "user7"}, ...
     */
    public String clifName() { return name; }

    /**
     * The code's stable number, as generated code stores it in the vmctx.
     *
     * @return 1 to 15 for built-in codes, 256 + N for {@code userN}
     */
    public int code() { return code; }

    @Override public String toString() { return name; }

    @Override public boolean equals(Object o) {
        return o instanceof TrapCode && ((TrapCode) o).code == code;
    }

    @Override public int hashCode() { return Objects.hash(code); }
}
