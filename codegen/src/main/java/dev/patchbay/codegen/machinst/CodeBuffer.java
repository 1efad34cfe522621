// Problem: an instruction encoder needs somewhere to put bytes, a way to refer to positions that are
// not known yet (labels), a guarantee that every such reference is eventually filled in, branches
// as short as their distance allows, and the metadata that names positions in the code (trap
// sites, call returns, patch sites with their on/off bytes, references to module symbols) kept
// right when code moves. One sink for code and metadata, so no position is kept anywhere else.
//
// Approach: a growable little-endian byte array plus a list of relative fixups per label. A fixup
// is resolved the moment its label is bound (or immediately if it already is). Branches whose
// size is not decided yet ("relaxable") are emitted in their long form and registered; relax()
// then picks each one's size by a fixpoint and moves everything recorded after it. The buffer
// knows nothing about any ISA: padding takes the ISA's table of NOP encodings as a parameter, and
// a relaxable branch names its own short opcode.
//
// Invariants (held outside the scope of every public method, in the manner of Cranelift's
// MachBuffer):
// - Labels. A label is bound at most once, to an offset no greater than the tail. A label's
//   offset, once bound, changes only in relax(), which maps it with everything else. Every use of
//   a label (a fixup) is recorded, resolved or not: a bound label's uses hold target - pcAfter
//   in their fields; an unbound label's uses are pending, and finish() refuses any left.
// - Positions. Every position the buffer records (label bindings, fixup fields, relaxable
//   branches, alignment points, metadata) is recorded in emission order together with the
//   number of alignment points before it (its "epoch"), so a position equal to the start of
//   a padding run is known to be before or after the padding even when the run is empty.
// - Relaxable branches. Each is [start, start + nearLen) with its rel32 as the last four bytes
//   and the label's fixup on that field; branches do not overlap and are in ascending order.
//   Short form: shortOpcode, rel8 (2 bytes). A branch is short after relax() only if its rel8
//   reaches its target in the final layout (checked, not assumed: the fixpoint starts with all
//   short and only ever turns a branch long, so it ends, and it ends only when every short
//   branch is in range in the layout it computed).
// - Alignment. An alignment point is padding that makes the next byte a multiple of its
//   alignment; relax() recomputes its length from the new offset, so aligned code stays aligned.
// - Metadata offsets are instruction boundaries in this buffer; relax() maps them like labels.
// - Instruction starts. The encoder calls instructionStart() before each instruction it emits
//   and putNop records each NOP unit; alignment padding's units are computed from its final
//   length, since relax() may lay it out anew. instructionStarts() is therefore every
//   instruction start of the final layout, and nothing else (data such as jump tables is
//   written with put* alone and has none).
//   A patch site's off form equals the code's bytes at its offset when its forms are set.
package dev.patchbay.codegen.machinst;

import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A growable buffer of little-endian machine code with labels and relative fixups; it checks that
 * every label use is resolved before the code is finished.
 */
public final class CodeBuffer {
    private record Fixup(int fieldOffset, int fieldSize, int pcAfter) {}

    /** Every label use ever made, for relax() to move and re-resolve. */
    private record Use(Label label, Fixup fixup, int epoch) {}

    private record Relaxable(int start, int nearLen, int shortOpcode, Label target, int epoch, int use) {}

    private record AlignPoint(int start, int alignment, int pad, byte[][] units, int epoch) {}

    /** A call's return address (the offset after the call) and its callee, or null for an indirect call. */
    public record CallReturn(int offset, String callee) {}

    /** A rel32 field at {@code field} that must hold {@code symbol - (field + 4)}: a module symbol, resolved by the module's assembler. */
    public record SymbolRef(int field, String symbol) {}

    /**
     * A patch site recorded in the buffer. Its offset follows the code through relax(); its
     * forms are set once they are final ({@link #setForms}), or stay null for a site whose on
     * form is a call of {@code targetSymbol} made by the module's assembler.
     */
    public static final class Site {
        private int offset;
        private final int epoch;
        /** The site's kind. */
        public final SiteKind kind;
        /** The callee the site calls when on (the hook's name, or a CUSTOM site's callee). */
        public final String callee;
        /** The module symbol the on form calls, or null when the forms are explicit. */
        public final String targetSymbol;
        /** Where the site is in the IR, for diagnostics. */
        public final String irLocation;
        private byte[] on, off;

        private Site(int offset, int epoch, SiteKind kind, String callee, String targetSymbol, String irLocation) {
            this.offset = offset;
            this.epoch = epoch;
            this.kind = kind;
            this.callee = callee;
            this.targetSymbol = targetSymbol;
            this.irLocation = irLocation;
        }

        /**
         * Where the site starts.
         *
         * @return its offset in the buffer
         */
        public int offset() { return offset; }

        /**
         * The on form, if explicit.
         *
         * @return a copy, or null
         */
        public byte[] on() { return on == null ? null : on.clone(); }

        /**
         * The off form, if explicit.
         *
         * @return a copy, or null
         */
        public byte[] off() { return off == null ? null : off.clone(); }
    }

    private final List<Use> uses = new ArrayList<>();
    private final IntList labelEpochs = new IntList(64);
    private final List<Relaxable> relaxables = new ArrayList<>();
    private final List<AlignPoint> aligns = new ArrayList<>();
    private boolean relaxed;
    private final List<TrapSite> traps = new ArrayList<>();
    private final IntList trapEpochs = new IntList(64);
    private final List<CallReturn> callReturns = new ArrayList<>();
    private final IntList callEpochs = new IntList(64);
    private final List<SymbolRef> symbolRefs = new ArrayList<>();
    private final IntList symbolEpochs = new IntList(64);
    private final List<Site> sites = new ArrayList<>();
    /** Positions recorded with mark(), for metadata kept outside the buffer (frame rows). */
    private final IntList marks = new IntList(64);
    private final IntList markEpochs = new IntList(64);
    /** Instruction starts (see instructionStart), with their epochs; relax() maps them. */
    private int[] insns, insnEpochs;
    private int numInsns;
    /** Where each alignment point's padding is and how long, in the final layout; null until relax() moves any. */
    private int[] alignAt, alignPad;

    private byte[] data;
    private int size;
    private final List<Label> labels = new ArrayList<>();
    // Indexed by label id; null until the label is first used while unbound.
    private final List<List<Fixup>> pending = new ArrayList<>();
    private final java.util.BitSet used = new java.util.BitSet();

    /** An empty buffer with room for 256 bytes before it first grows. */
    public CodeBuffer() {
        this(256);
    }

    /**
     * An empty buffer.
     *
     * @param initialCapacity bytes to reserve before the first growth, at least 1
     */
    public CodeBuffer(int initialCapacity) { this(initialCapacity, initialCapacity / 4); }

    /**
     * An empty buffer sized for what the caller expects to emit, so that a large function's
     * arrays are allocated once rather than doubled into place (each doubling of a
     * megabyte-sized array is a humongous allocation for G1).
     *
     * @param initialCapacity bytes to reserve before the first growth, at least 1
     * @param expectedInstructions instruction starts to reserve room for
     */
    public CodeBuffer(int initialCapacity, int expectedInstructions) {
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("initialCapacity must be positive, got " + initialCapacity);
        }
        data = new byte[initialCapacity];
        insns = new int[Math.max(64, expectedInstructions)];
        insnEpochs = new int[insns.length];
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
        labelEpochs.add(-1);
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
        labelEpochs.set(label.id(), aligns.size());
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
        used.set(label.id());
        uses.add(new Use(label, f, aligns.size()));
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
    public void putNop(int len, byte[][] units) { putNop(len, units, true); }

    private void putNop(int len, byte[][] units, boolean record) {
        if (len < 0) {
            throw new IllegalArgumentException("NOP length must be >= 0, got " + len);
        }
        checkUnits(units);
        int left = len;
        while (left > 0) {
            int n = Math.min(left, units.length);
            if (record) instructionStart();
            putBytes(units[n - 1]);
            left -= n;
        }
    }

    /**
     * Records that an instruction starts at the current offset (the encoder calls it before
     * each one; calling it twice at one offset records one start). Emits nothing.
     */
    public void instructionStart() {
        int last = numInsns - 1;
        if (last >= 0 && insns[last] == size && insnEpochs[last] == aligns.size()) return;
        if (numInsns == insns.length) {
            insns = java.util.Arrays.copyOf(insns, 2 * numInsns);
            insnEpochs = java.util.Arrays.copyOf(insnEpochs, 2 * numInsns);
        }
        insns[numInsns] = size;
        insnEpochs[numInsns++] = aligns.size();
    }

    /**
     * Every instruction start of the code, in the final layout (after relax()), ascending:
     * those recorded by {@link #instructionStart()} and {@link #putNop}, and the NOP units of
     * alignment padding.
     *
     * @return the offsets, a new array
     */
    public int[] instructionStarts() {
        int n = numInsns;
        for (int j = 0; j < aligns.size(); j++) {
            int pad = alignAt == null ? aligns.get(j).pad : alignPad[j], unit = aligns.get(j).units.length;
            n += (pad + unit - 1) / unit;
        }
        int[] all = java.util.Arrays.copyOf(insns, n);
        int k = numInsns;
        for (int j = 0; j < aligns.size(); j++) {
            AlignPoint a = aligns.get(j);
            int at = alignAt == null ? a.start : alignAt[j], pad = alignAt == null ? a.pad : alignPad[j];
            for (int o = 0; o < pad; o += Math.min(pad - o, a.units.length)) all[k++] = at + o;
        }
        java.util.Arrays.sort(all, 0, k);
        // Distinct, and a start recorded at the very end (after the last instruction) is no instruction's.
        int m = 0;
        for (int i = 0; i < k; i++) {
            if (all[i] >= size) break;
            if (m == 0 || all[i] != all[m - 1]) all[m++] = all[i];
        }
        return m == all.length ? all : java.util.Arrays.copyOf(all, m);
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
        int pad = (alignment - (size & (alignment - 1))) & (alignment - 1);
        checkUnits(units);
        aligns.add(new AlignPoint(size, alignment, pad, units, aligns.size()));
        putNop(pad, units, false);
    }

    // ---- metadata -----------------------------------------------------------------------------

    /**
     * Records a trap site at the current offset: the instruction emitted next may trap.
     *
     * @param code what a trap there reports (null: the site is only a position, for a trap sequence's own lookup)
     */
    public void addTrap(TrapCode code) {
        traps.add(new TrapSite(size, code));
        trapEpochs.add(aligns.size());
    }

    /**
     * Records a call return at the current offset (right after the call instruction).
     *
     * @param callee the direct callee's name, or null
     */
    public void addCallReturn(String callee) {
        callReturns.add(new CallReturn(size, callee));
        callEpochs.add(aligns.size());
    }

    /**
     * Records that the rel32 field at {@code field} (already emitted) refers to a module symbol.
     *
     * @param field the field's offset
     * @param symbol the symbol's name
     */
    public void addSymbolRef(int field, String symbol) {
        checkRange("addSymbolRef", field, 4);
        symbolRefs.add(new SymbolRef(field, symbol));
        symbolEpochs.add(aligns.size());
    }

    /**
     * Records the current offset as a position that follows the code through relax(), for
     * metadata the caller keeps itself (the frame rows of UnwindRange).
     *
     * @return the handle that {@link #markOffset} reads the position by
     */
    public int mark() {
        marks.add(size);
        markEpochs.add(aligns.size());
        return marks.size() - 1;
    }

    /**
     * Where a position recorded by {@link #mark} is now (after relax(), in the final layout).
     *
     * @param handle what mark() returned
     * @return its offset
     */
    public int markOffset(int handle) { return marks.get(handle); }

    /**
     * Records a patch site starting at the current offset.
     *
     * @param kind the site's kind
     * @param callee the callee its on form calls
     * @param targetSymbol the module symbol the module's assembler makes its on form call, or null when the forms are set explicitly
     * @param irLocation where it is in the IR
     * @return the record
     */
    public Site addPatchSite(SiteKind kind, String callee, String targetSymbol, String irLocation) {
        Site site = new Site(size, aligns.size(), kind, callee, targetSymbol, irLocation);
        sites.add(site);
        return site;
    }

    /**
     * Sets a site's explicit forms, once they are final (after relax()): the off form must be
     * the bytes the code holds at the site, and both forms equally long.
     *
     * @param site a site of this buffer
     * @param on its on form
     * @param off its off form
     * @throws IllegalStateException if the code does not hold the off form
     */
    public void setForms(Site site, byte[] on, byte[] off) {
        if (on.length != off.length) throw new IllegalArgumentException("site forms differ in length");
        checkRange("setForms", site.offset, off.length);
        for (int i = 0; i < off.length; i++) {
            if (data[site.offset + i] != off[i]) {
                throw new IllegalStateException("site at " + site.offset + " does not hold its off form");
            }
        }
        site.on = on.clone();
        site.off = off.clone();
    }

    /**
     * The trap sites recorded so far, in order.
     *
     * @return an unmodifiable view
     */
    public List<TrapSite> traps() { return Collections.unmodifiableList(traps); }

    /**
     * The call returns recorded so far, in order.
     *
     * @return an unmodifiable view
     */
    public List<CallReturn> callReturns() { return Collections.unmodifiableList(callReturns); }

    /**
     * The references to module symbols recorded so far, in order.
     *
     * @return an unmodifiable view
     */
    public List<SymbolRef> symbolRefs() { return Collections.unmodifiableList(symbolRefs); }

    /**
     * The patch sites recorded so far, in order.
     *
     * @return an unmodifiable view
     */
    public List<Site> sites() { return Collections.unmodifiableList(sites); }

    // ---- branch relaxation --------------------------------------------------------------------

    /**
     * Registers the branch just emitted, [start, offset()), in its long form with its rel32 as
     * its last four bytes (the last label use recorded), as one relax() may shorten to
     * {@code shortOpcode rel8}. After relax() has run, this does nothing: the branch stays long.
     *
     * @param start where the branch starts
     * @param shortOpcode the short form's one opcode byte
     * @param target the label it branches to
     */
    public void relaxableBranch(int start, int shortOpcode, Label target) {
        checkOwned(target);
        if (relaxed) return;
        int nearLen = size - start;
        Use u = uses.isEmpty() ? null : uses.get(uses.size() - 1);
        if (u == null || u.label != target || u.fixup.fieldSize() != 4 || u.fixup.fieldOffset() != size - 4
                || u.fixup.pcAfter() != size || nearLen < 5) {
            throw new IllegalArgumentException("relaxableBranch: [" + start + ", " + size + ") is not a rel32 branch to L" + target.id());
        }
        if (!relaxables.isEmpty()) {
            Relaxable last = relaxables.get(relaxables.size() - 1);
            if (start < last.start + last.nearLen) throw new IllegalArgumentException("relaxable branches overlap at " + start);
        }
        checkFits("relaxableBranch", shortOpcode, 1);
        relaxables.add(new Relaxable(start, nearLen, shortOpcode & 0xFF, target, aligns.size(), uses.size() - 1));
    }

    /**
     * Picks each relaxable branch's size and lays the code out again: a branch becomes short
     * when its rel8 reaches its target in the final layout. Labels, fixups, alignment padding
     * and metadata move with the code. Runs once; labels bound later are not relaxed.
     *
     * @return how many branches became short
     */
    public int relax() {
        if (relaxed) throw new IllegalStateException("relax() runs once");
        relaxed = true;
        int n = relaxables.size();
        if (n == 0) return 0;
        boolean[] isShort = new boolean[n];
        for (int i = 0; i < n; i++) isShort[i] = relaxables.get(i).target.isBound();
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) starts[i] = relaxables.get(i).start;
        long[] shrinkPrefix = new long[n + 1];
        int[] padDelta = new int[aligns.size() + 1];
        int[] newPad = new int[aligns.size()];
        for (boolean changed = true; changed; ) {
            layout(isShort, shrinkPrefix, padDelta, newPad);
            changed = false;
            for (int i = 0; i < n; i++) {
                if (!isShort[i]) continue;
                Relaxable r = relaxables.get(i);
                // The branches before branch i are exactly 0..i-1: no search for its own start.
                int from = (int) (r.start - shrinkPrefix[i] + padDelta[r.epoch]) + 2;
                int to = map(r.target.offset(), labelEpochs.get(r.target.id()), starts, shrinkPrefix, padDelta);
                long rel = (long) to - from;
                if (rel < Byte.MIN_VALUE || rel > Byte.MAX_VALUE) {
                    isShort[i] = false;
                    changed = true;
                }
            }
        }
        // Rebuild the bytes: copy what lies between branches and padding runs, re-encode short
        // branches (their rel8 is written below, once labels have moved), and pad again at each
        // alignment point (an alignment point at the same offset as a branch came first).
        long room = size;
        for (AlignPoint a : aligns) room += a.alignment;
        byte[] out = new byte[(int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, room))];
        int o = 0, x = 0, bi = 0, ai = 0;
        while (true) {
            int nextB = bi < n ? relaxables.get(bi).start : Integer.MAX_VALUE;
            int nextA = ai < aligns.size() ? aligns.get(ai).start : Integer.MAX_VALUE;
            int next = Math.min(Math.min(nextB, nextA), size);
            System.arraycopy(data, x, out, o, next - x);
            o += next - x;
            x = next;
            if (nextA == x && nextA <= nextB) {
                AlignPoint a = aligns.get(ai);
                byte[] pad = nops(newPad[ai], a.units);
                System.arraycopy(pad, 0, out, o, pad.length);
                o += pad.length;
                x += a.pad;
                ai++;
            } else if (nextB == x) {
                Relaxable r = relaxables.get(bi);
                if (isShort[bi]) {
                    out[o] = (byte) r.shortOpcode;
                    out[o + 1] = 0;
                    o += 2;
                } else {
                    System.arraycopy(data, x, out, o, r.nearLen);
                    o += r.nearLen;
                }
                x += r.nearLen;
                bi++;
            } else {
                break;
            }
        }
        // Move labels, then re-resolve every use.
        for (Label l : labels) {
            if (l.isBound()) l.bindAt(map(l.offset(), labelEpochs.get(l.id()), starts, shrinkPrefix, padDelta));
        }
        boolean[] shortUse = new boolean[uses.size()];
        for (int i = 0; i < n; i++) if (isShort[i]) shortUse[relaxables.get(i).use] = true;
        for (int i = 0; i < pending.size(); i++) pending.set(i, null);
        data = out;
        size = o;
        Cursor useCursor = new Cursor(starts, shrinkPrefix, padDelta);
        for (int i = 0; i < uses.size(); i++) {
            Use u = uses.get(i);
            if (shortUse[i]) continue; // a short branch's own field: the rel8 right after its opcode, below
            int field = useCursor.map(u.fixup.fieldOffset(), u.epoch);
            Fixup f = new Fixup(field, u.fixup.fieldSize(), field + (u.fixup.pcAfter() - u.fixup.fieldOffset()));
            uses.set(i, new Use(u.label, f, u.epoch));
            resolveOrPend(u.label, f);
        }
        for (int i = 0; i < n; i++) {
            if (!isShort[i]) continue;
            Relaxable r = relaxables.get(i);
            int start = map(r.start, r.epoch, starts, shrinkPrefix, padDelta);
            Fixup f = new Fixup(start + 1, 1, start + 2);
            Use u = uses.get(r.use);
            uses.set(r.use, new Use(u.label, f, u.epoch));
            resolveOrPend(r.target, f);
        }
        // Metadata.
        for (int i = 0; i < traps.size(); i++) {
            TrapSite t = traps.get(i);
            traps.set(i, new TrapSite(map(t.offset, trapEpochs.get(i), starts, shrinkPrefix, padDelta), t.code));
        }
        for (int i = 0; i < callReturns.size(); i++) {
            CallReturn c = callReturns.get(i);
            callReturns.set(i, new CallReturn(map(c.offset(), callEpochs.get(i), starts, shrinkPrefix, padDelta), c.callee()));
        }
        for (int i = 0; i < symbolRefs.size(); i++) {
            SymbolRef r = symbolRefs.get(i);
            symbolRefs.set(i, new SymbolRef(map(r.field(), symbolEpochs.get(i), starts, shrinkPrefix, padDelta), r.symbol()));
        }
        Cursor markCursor = new Cursor(starts, shrinkPrefix, padDelta), insnCursor = new Cursor(starts, shrinkPrefix, padDelta);
        for (int i = 0; i < marks.size(); i++) marks.set(i, markCursor.map(marks.get(i), markEpochs.get(i)));
        for (int i = 0; i < numInsns; i++) insns[i] = insnCursor.map(insns[i], insnEpochs[i]);
        alignAt = new int[aligns.size()];
        alignPad = new int[aligns.size()];
        for (int j = 0; j < aligns.size(); j++) {
            alignAt[j] = map(aligns.get(j).start, j, starts, shrinkPrefix, padDelta);
            alignPad[j] = newPad[j];
        }
        for (Site site : sites) {
            if (site.on != null) throw new IllegalStateException("a site's forms were set before relax()");
            site.offset = map(site.offset, site.epoch, starts, shrinkPrefix, padDelta);
        }
        int shortened = 0;
        for (boolean b : isShort) if (b) shortened++;
        return shortened;
    }

    private void resolveOrPend(Label label, Fixup f) {
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

    /** For the current choice of forms: bytes removed before each branch, and padding change before each alignment point. */
    private void layout(boolean[] isShort, long[] shrinkPrefix, int[] padDelta, int[] newPad) {
        int n = relaxables.size();
        for (int i = 0; i < n; i++) {
            shrinkPrefix[i + 1] = shrinkPrefix[i] + (isShort[i] ? relaxables.get(i).nearLen - 2 : 0);
        }
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) starts[i] = relaxables.get(i).start;
        padDelta[0] = 0;
        for (int j = 0; j < aligns.size(); j++) {
            AlignPoint a = aligns.get(j);
            int at = map(a.start, j, starts, shrinkPrefix, padDelta);
            newPad[j] = (a.alignment - (at & (a.alignment - 1))) & (a.alignment - 1);
            padDelta[j + 1] = padDelta[j] + newPad[j] - a.pad;
        }
    }

    /**
     * map() for a sequence of positions that mostly ascend (marks, instruction starts and
     * fixups are recorded as the code grows): each search starts from the previous answer,
     * a few steps instead of a binary search over every branch. Any order is still mapped
     * right; a position before the previous one searches from the start.
     */
    private static final class Cursor {
        private final int[] starts;
        private final long[] shrinkPrefix;
        private final int[] padDelta;
        /** The number of branches that start before the previous position. */
        private int lo;

        Cursor(int[] starts, long[] shrinkPrefix, int[] padDelta) {
            this.starts = starts;
            this.shrinkPrefix = shrinkPrefix;
            this.padDelta = padDelta;
        }

        int map(int x, int epoch) {
            if (lo > 0 && starts[lo - 1] >= x) lo = 0;
            int steps = 0;
            while (lo < starts.length && starts[lo] < x && steps++ < 8) lo++;
            if (lo < starts.length && starts[lo] < x) {
                int hi = starts.length;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (starts[mid] < x) lo = mid + 1;
                    else hi = mid;
                }
            }
            return (int) (x - shrinkPrefix[lo] + padDelta[epoch]);
        }
    }

    /** Where the position {@code x}, recorded after {@code epoch} alignment points, is in the relaxed layout. */
    private static int map(int x, int epoch, int[] starts, long[] shrinkPrefix, int[] padDelta) {
        // Branches that start before x (a position at a branch's start is before it).
        int lo = 0, hi = starts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return (int) (x - shrinkPrefix[lo] + padDelta[epoch]);
    }

    private static byte[] nops(int len, byte[][] units) {
        byte[] b = new byte[len];
        int o = 0;
        while (o < len) {
            int k = Math.min(len - o, units.length);
            System.arraycopy(units[k - 1], 0, b, o, k);
            o += k;
        }
        return b;
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
