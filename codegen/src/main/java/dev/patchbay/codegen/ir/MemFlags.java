/*
 * Flags on loads and stores (CLIF `notrap`, `aligned`, `readonly`, ...). They do not change
 * what the backend emits today; `notrap` tells it no trap site needs recording.
 */
package dev.patchbay.codegen.ir;

import java.util.ArrayList;
import java.util.List;

/** Flags on a load or store, such as {@code notrap}, {@code aligned} and {@code readonly}. */
public final class MemFlags {
    public static final int NOTRAP = 1, ALIGNED = 2, READONLY = 4, LITTLE = 8, BIG = 16, CHECKED = 32,
        HEAP = 64, TABLE = 128, VMCTX = 256, CAN_MOVE = 512;
    private static final String[] NAMES = {
        "notrap", "aligned", "readonly", "little", "big", "checked", "heap", "table", "vmctx", "can_move",
    };

    public static final MemFlags NONE = new MemFlags(0);

    public final int bits;

    public MemFlags(int bits) { this.bits = bits; }

    public boolean has(int flag) { return (bits & flag) != 0; }

    /** Returns the bit for a flag word, or 0 if it is not a flag. */
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
