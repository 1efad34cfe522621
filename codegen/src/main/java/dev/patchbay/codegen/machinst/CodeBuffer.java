// Problem: an instruction encoder needs somewhere to put bytes, a way to refer to positions that are
// not known yet (labels), and a guarantee that every such reference is eventually filled in.
// Approach: a growable little-endian byte array plus a list of pending relative fixups per label.
// A fixup is resolved the moment its label is bound (or immediately if it already is), so the only
// work left for finish() is to prove nothing was left dangling. The buffer knows nothing about any
// ISA: padding takes the ISA's table of NOP encodings as a parameter.
package dev.patchbay.codegen.machinst;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A growable buffer of little-endian machine code with labels and relative fixups; it checks that
 * every label use is resolved before the code is finished.
 */
public final class CodeBuffer {
    private record Fixup(int fieldOffset, int fieldSize, int pcAfter) {}

    private byte[] data;
    private int size;
    private final List<Label> labels = new ArrayList<>();
    // Indexed by label id; null until the label is first used while unbound.
    private final List<List<Fixup>> pending = new ArrayList<>();
    private final List<Boolean> used = new ArrayList<>();

    /** An empty buffer with room for 256 bytes before it first grows. */
    public CodeBuffer() {
        this(256);
    }

    /**
     * An empty buffer.
     *
     * @param initialCapacity bytes to reserve before the first growth, at least 1
     */
    public CodeBuffer(int initialCapacity) {
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("initialCapacity must be positive, got " + initialCapacity);
        }
        data = new byte[initialCapacity];
    }

    /**
     * Number of bytes emitted so far; also the offset the next byte will land at.
     *
     * @return the current size in bytes
     */
    public int offset() {
        return size;
    }

    /**
     * Appends one byte.
     *
     * @param v the byte, signed (-128..127) or unsigned (0..255)
     * @throws IllegalArgumentException if v does not fit in a byte
     */
    public void put1(int v) {
        checkFits("put1", v, 1);
        ensure(1);
        data[size++] = (byte) v;
    }

    /**
     * Appends two bytes, little-endian.
     *
     * @param v the value, signed or unsigned 16-bit
     * @throws IllegalArgumentException if v does not fit in 16 bits
     */
    public void put2(int v) {
        checkFits("put2", v, 2);
        ensure(2);
        data[size++] = (byte) v;
        data[size++] = (byte) (v >>> 8);
    }

    /**
     * Appends four bytes, little-endian.
     *
     * @param v the value
     */
    public void put4(int v) {
        ensure(4);
        writeLe(size, v, 4);
        size += 4;
    }

    /**
     * Appends eight bytes, little-endian.
     *
     * @param v the value
     */
    public void put8(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            data[size++] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * Appends bytes as they are.
     *
     * @param bytes the bytes, copied
     */
    public void putBytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, data, size, bytes.length);
        size += bytes.length;
    }

    /**
     * Copy of the emitted range; later emission does not affect the returned array.
     *
     * @return the bytes emitted so far
     */
    public byte[] bytes() {
        return Arrays.copyOf(data, size);
    }

    /**
     * Unsigned byte at an already-emitted offset.
     *
     * @param at an offset in [0, {@link #offset()})
     * @return the byte, 0..255
     */
    public int get1(int at) {
        checkRange("get1", at, 1);
        return data[at] & 0xFF;
    }

    /**
     * Overwrites one already-emitted byte.
     *
     * @param at an offset in [0, {@link #offset()})
     * @param v the byte, signed or unsigned
     */
    public void patch1(int at, int v) {
        checkRange("patch1", at, 1);
        checkFits("patch1", v, 1);
        data[at] = (byte) v;
    }

    /**
     * Overwrites four already-emitted bytes, little-endian.
     *
     * @param at the first byte's offset; all four must be emitted already
     * @param v the value
     */
    public void patch4(int at, int v) {
        checkRange("patch4", at, 4);
        writeLe(at, v, 4);
    }

    // ---- labels -------------------------------------------------------------------------------

    /**
     * Makes a label of this buffer, not yet bound.
     *
     * @return the label
     */
    public Label newLabel() {
        Label l = new Label(this, labels.size());
        labels.add(l);
        pending.add(null);
        used.add(Boolean.FALSE);
        return l;
    }

    /**
     * Binds {@code label} to the current offset and resolves every fixup waiting on it. If a pending
     * rel8 fixup cannot reach, throws {@link BranchRangeException} before changing anything, so the
     * label stays unbound and the buffer is unchanged.
     *
     * @param label an unbound label of this buffer
     * @throws IllegalArgumentException if it is already bound or belongs to another buffer
     */
    public void bind(Label label) {
        checkOwned(label);
        if (label.isBound()) {
            throw new IllegalArgumentException("label L" + label.id() + " is already bound at offset "
                    + label.offset() + "; cannot bind again at " + size);
        }
        List<Fixup> waiting = pending.get(label.id());
        if (waiting != null) {
            for (Fixup f : waiting) {
                checkRel(label, f, size);
            }
        }
        label.bindAt(size);
        if (waiting != null) {
            for (Fixup f : waiting) {
                writeRel(f, size);
            }
            pending.set(label.id(), null);
        }
    }

    /**
     * Whether a label has been bound.
     *
     * @param label a label of this buffer
     * @return true once {@link #bind} has run for it
     */
    public boolean isBound(Label label) {
        checkOwned(label);
        return label.isBound();
    }

    /**
     * Where a label is bound.
     *
     * @param label a bound label of this buffer
     * @return its offset
     * @throws IllegalStateException if it is not bound yet
     */
    public int labelOffset(Label label) {
        checkOwned(label);
        if (!label.isBound()) {
            throw new IllegalStateException("label L" + label.id() + " is not bound yet");
        }
        return label.offset();
    }

    /**
     * Records that the {@code fieldSize}-byte field at {@code fieldOffset} (already emitted, usually
     * as zeros) must hold {@code target - pcAfter}, where target is the label's offset. For a plain
     * branch pcAfter is the end of the instruction; callers fold any addend into it. A bound label's
     * field is written at once, an unbound one's when it is bound.
     *
     * @param label a label of this buffer
     * @param fieldOffset offset of the displacement field
     * @param fieldSize 1 (rel8) or 4 (rel32)
     * @param pcAfter the offset the displacement is relative to
     * @throws BranchRangeException if the label is bound and a rel8 field cannot reach it
     */
    public void useLabelRel(Label label, int fieldOffset, int fieldSize, int pcAfter) {
        checkOwned(label);
        if (fieldSize != 1 && fieldSize != 4) {
            throw new IllegalArgumentException("fieldSize must be 1 or 4, got " + fieldSize
                    + " (label L" + label.id() + ", field at " + fieldOffset + ")");
        }
        checkRange("useLabelRel", fieldOffset, fieldSize);
        Fixup f = new Fixup(fieldOffset, fieldSize, pcAfter);
        used.set(label.id(), Boolean.TRUE);
        if (label.isBound()) {
            checkRel(label, f, label.offset());
            writeRel(f, label.offset());
            return;
        }
        List<Fixup> waiting = pending.get(label.id());
        if (waiting == null) {
            waiting = new ArrayList<>(2);
            pending.set(label.id(), waiting);
        }
        waiting.add(f);
    }

    /**
     * Proves that every label that was referenced got bound (all fixups are resolved at bind time,
     * so nothing else remains).
     *
     * @throws IllegalStateException naming the first label used but never bound
     */
    public void finish() {
        for (Label l : labels) {
            if (used.get(l.id()) && !l.isBound()) {
                List<Fixup> waiting = pending.get(l.id());
                int uses = waiting == null ? 0 : waiting.size();
                throw new IllegalStateException("label L" + l.id() + " is used by " + uses
                        + " fixup(s) but was never bound");
            }
        }
    }

    // ---- padding ------------------------------------------------------------------------------

    /**
     * Emits exactly {@code len} bytes of NOPs, greedily using the largest unit first.
     *
     * @param len the number of bytes, at least 0
     * @param units the ISA's NOP encodings: {@code units[i]} is one NOP of length i + 1
     */
    public void putNop(int len, byte[][] units) {
        if (len < 0) {
            throw new IllegalArgumentException("NOP length must be >= 0, got " + len);
        }
        checkUnits(units);
        int left = len;
        while (left > 0) {
            int n = Math.min(left, units.length);
            putBytes(units[n - 1]);
            left -= n;
        }
    }

    /**
     * Pads with NOPs (see {@link #putNop}) until offset() is a multiple of {@code alignment}.
     *
     * @param alignment a power of two, in bytes
     * @param units the ISA's NOP encodings, as for {@link #putNop}
     */
    public void alignTo(int alignment, byte[][] units) {
        if (alignment < 1 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a positive power of two, got " + alignment);
        }
        putNop((alignment - (size & (alignment - 1))) & (alignment - 1), units);
    }

    // ---- internals ----------------------------------------------------------------------------

    private static void checkUnits(byte[][] units) {
        if (units == null || units.length == 0) {
            throw new IllegalArgumentException("NOP unit table must be non-empty");
        }
        for (int i = 0; i < units.length; i++) {
            if (units[i] == null || units[i].length != i + 1) {
                throw new IllegalArgumentException("NOP unit table entry " + i + " must be " + (i + 1)
                        + " bytes long, got " + (units[i] == null ? "null" : units[i].length + " bytes"));
            }
        }
    }

    private static void checkRel(Label label, Fixup f, int target) {
        long rel = (long) target - f.pcAfter();
        if (f.fieldSize() == 1 && (rel < Byte.MIN_VALUE || rel > Byte.MAX_VALUE)) {
            throw new BranchRangeException(label.id(), f.fieldOffset(), rel);
        }
        if (rel < Integer.MIN_VALUE || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rel32 displacement " + rel + " to label L" + label.id()
                    + " does not fit in 32 bits");
        }
    }

    private void writeRel(Fixup f, int target) {
        writeLe(f.fieldOffset(), target - f.pcAfter(), f.fieldSize());
    }

    private void checkOwned(Label label) {
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        if (label.owner != this) {
            throw new IllegalArgumentException("label L" + label.id() + " belongs to a different CodeBuffer");
        }
    }

    private void checkRange(String op, int at, int len) {
        if (at < 0 || at > size - len) {
            throw new IllegalArgumentException(op + ": offset " + at + " with length " + len
                    + " is outside the emitted range [0, " + size + ")");
        }
    }

    private static void checkFits(String op, int v, int bytes) {
        int bits = 8 * bytes;
        // Accept both signed and unsigned readings of the value, reject anything wider.
        if (v < -(1 << (bits - 1)) || v > (1 << bits) - 1) {
            throw new IllegalArgumentException(op + ": value " + v + " does not fit in " + bytes + " byte(s)");
        }
    }

    private void writeLe(int at, int v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            data[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private void ensure(int extra) {
        if (size + extra > data.length) {
            int want = Math.max(data.length * 2, size + extra);
            data = Arrays.copyOf(data, want);
        }
    }
}
