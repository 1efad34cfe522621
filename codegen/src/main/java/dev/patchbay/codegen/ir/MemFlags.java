/*
 * Flags on loads and stores (CLIF `notrap`, `aligned`, `readonly`, ...). They do not change
 * what the backend emits today; `notrap` tells it no trap site needs recording.
 */
package dev.patchbay.codegen.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Flags on a load or store, such as {@code notrap}, {@code aligned} and {@code readonly}: one bit
 * each. Only {@link #NOTRAP} changes what Patchbay emits; the others are parsed, kept and printed.
 */
public final class MemFlags {
    /** {@code notrap}: the frontend promises the access cannot fault, so no trap site is recorded for it. */
    public static final int NOTRAP = 1;
    /** {@code aligned}: the address is aligned to the access width. */
    public static final int ALIGNED = 2;
    /** {@code readonly}: the memory does not change while the function runs. */
    public static final int READONLY = 4;
    /** {@code little}: little-endian, as x86-64 always is. */
    public static final int LITTLE = 8;
    /** {@code big}: big-endian (parsed; x86-64 code is little-endian). */
    public static final int BIG = 16;
    /** {@code checked}: Cranelift's proof-carrying-code flag. */
    public static final int CHECKED = 32;
    /** {@code heap}: the access is to a WebAssembly-style heap (an alias-analysis hint). */
    public static final int HEAP = 64;
    /** {@code table}: the access is to a table (an alias-analysis hint). */
    public static final int TABLE = 128;
    /** {@code vmctx}: the access is to the VM context (an alias-analysis hint). */
    public static final int VMCTX = 256;
    /** {@code can_move}: the access depends on no earlier control flow, so it could be hoisted. */
    public static final int CAN_MOVE = 512;
    private static final String[] NAMES = {
        "notrap", "aligned", "readonly", "little", "big", "checked", "heap", "table", "vmctx", "can_move",
    };

    /** No flags. */
    public static final MemFlags NONE = new MemFlags(0);

    /** The flags, an or of the constants above. */
    public final int bits;

    /**
     * Flags from their bits.
     *
     * @param bits an or of {@link #NOTRAP}, {@link #ALIGNED} and the other constants
     */
    public MemFlags(int bits) { this.bits = bits; }

    /**
     * Whether a flag is set.
     *
     * @param flag one of the constants above
     * @return true if it is set
     */
    public boolean has(int flag) { return (bits & flag) != 0; }

    /**
     * Returns the bit for a flag word, or 0 if it is not a flag.
     *
     * @param word a CLIF flag such as {@code "notrap"}
     * @return its bit, or 0
     */
    public static int parseFlag(String word) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(word)) return 1 << i;
        return 0;
    }

    @Override public String toString() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) if ((bits & (1 << i)) != 0) out.add(NAMES[i]);
        return String.join(" ", out);
    }
}
