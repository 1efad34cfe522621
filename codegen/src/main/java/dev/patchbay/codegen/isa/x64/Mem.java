// Problem: x86-64 memory operands come in a few shapes (base+disp, base+index*scale+disp,
// RIP-relative), and some combinations are unencodable (RSP as an index) — better to reject
// those where the operand is built than deep inside the encoder.
// Approach: an immutable value with static factories that validate eagerly. The byte-level
// quirks (SIB for RSP/R12, forced disp8 for RBP/R13, disp8 versus disp32) are left to the
// Assembler, which is the one place that knows the ModRM format.
package dev.patchbay.codegen.isa.x64;

import dev.patchbay.codegen.machinst.Label;
import java.util.Objects;

/**
 * An x86-64 memory operand (base plus displacement, base plus scaled index, or RIP-relative),
 * validated when it is built so unencodable combinations never reach the encoder.
 */
public final class Mem {
    private final Gpr base;     // null for RIP-relative
    private final Gpr index;    // null when absent
    private final int scale;    // 1 when there is no index
    private final int disp;     // displacement, or the addend for RIP-relative
    private final Label target; // non-null only for RIP-relative

    private Mem(Gpr base, Gpr index, int scale, int disp, Label target) {
        this.base = base;
        this.index = index;
        this.scale = scale;
        this.disp = disp;
        this.target = target;
    }

    /** {@code [base + disp]}. */
    public static Mem base(Gpr base, int disp) {
        if (base == null) {
            throw new IllegalArgumentException("base register must not be null (disp=" + disp + ")");
        }
        return new Mem(base, null, 1, disp, null);
    }

    /** {@code [base + index*scale + disp]}; scale is 1, 2, 4 or 8 and index may not be RSP. */
    public static Mem baseIndex(Gpr base, Gpr index, int scale, int disp) {
        if (base == null || index == null) {
            throw new IllegalArgumentException("base and index must not be null (base=" + base
                    + ", index=" + index + ")");
        }
        if (index == Gpr.RSP) {
            // SIB index 100 without REX.X means "no index", so RSP simply cannot be one.
            throw new IllegalArgumentException("RSP cannot be an index register (base=" + base
                    + ", scale=" + scale + ", disp=" + disp + ")");
        }
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale must be 1, 2, 4 or 8, got " + scale + " (base=" + base
                    + ", index=" + index + ")");
        }
        return new Mem(base, index, scale, disp, null);
    }

    /** {@code [rip + (target - end of instruction) + addend]}: the address of {@code target} plus addend. */
    public static Mem rip(Label target, int addend) {
        if (target == null) {
            throw new IllegalArgumentException("RIP-relative target label must not be null (addend=" + addend + ")");
        }
        return new Mem(null, null, 1, addend, target);
    }

    /** Null for RIP-relative operands. */
    public Gpr base() {
        return base;
    }

    /** Null when there is no index. */
    public Gpr index() {
        return index;
    }

    public int scale() {
        return scale;
    }

    /** Displacement; for RIP-relative operands, the addend applied to the label's address. */
    public int disp() {
        return disp;
    }

    public boolean isRipRelative() {
        return target != null;
    }

    /** Null unless RIP-relative. */
    public Label target() {
        return target;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Mem)) {
            return false;
        }
        Mem m = (Mem) o;
        return base == m.base && index == m.index && scale == m.scale && disp == m.disp && target == m.target;
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, index, scale, disp, System.identityHashCode(target));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        if (target != null) {
            sb.append(target);
        } else {
            sb.append(base.name(8));
            if (index != null) {
                sb.append('+').append(index.name(8)).append('*').append(scale);
            }
        }
        if (disp != 0) {
            sb.append(disp < 0 ? "-" : "+").append(Math.abs((long) disp));
        }
        return sb.append(']').toString();
    }
}
