/*
 * Generates a random but valid module of IR from a seed, for differential fuzzing: the
 * same seed always yields the same module, so a failure can be reproduced, and a module
 * can be regenerated afresh for every compilation (the instrumentation pass mutates
 * functions in place).
 *
 * A module is an entry function %f and three helpers it may call: %h0 and %h1 (leaves
 * with one shared signature, so call_indirect can pick either) and %h2 (which calls
 * them, and in a quarter of the modules uses windows_fastcall). Signatures have up to 9
 * parameters and 4 returns, so calls pass arguments on the stack and return through a
 * return area. Each function is built with FunctionBuilder, which verifies it on finish().
 *
 * Bodies are nests of segments: straight-line code over random i8..i64 values
 * (arithmetic, bitwise, shifts, counts, compares, selects, extends and reductions,
 * overflow and carry ops, `_imm` forms, constants biased to edge values), diamonds,
 * br_table switches whose targets take block arguments, bounded loops (a counter below 8
 * decremented to zero, with back edges that permute block parameters), stack slot
 * stores and loads (also narrow, through iadd_imm'd, dynamically indexed and scaled-index
 * addresses),
 * and direct and indirect calls. Values stay in a pool per type and every segment draws
 * from the whole pool, and the returned values fold together many of them, so a lot is
 * live at once and the register allocator has to spill.
 *
 * Floats: signatures' parameters may be f32 or f64 (so calls pass them in XMM registers
 * and on the stack, among integers), and float segments compute on f32/f64 values from
 * the pool, constants biased to edge values (signed zeros, infinities, NaNs, sNaNs,
 * subnormals, the conversion bounds) and integers converted in: the arithmetic, sqrt,
 * fma, fmin/fmax, fneg/fabs, the roundings, fpromote/fdemote, select. Float values stay
 * live across calls, loops and diamonds like any other. They reach the results only
 * through operations that do not see a NaN's bits (fcmp, the saturating conversions, and
 * rarely the trapping ones, which trap bad_toint on any NaN), because x86 makes a
 * different NaN than the interpreter's canonical one, and the run tests compare NaN
 * results only by NaN-ness. So no float is returned, stored, bitcast or copysigned here.
 *
 * Division and remainder get divisors forced non-zero (and signed divisors away from
 * -1) except in a few percent of cases, and trapz/trapnz/uadd_overflow_trap are rare, so
 * most programs run to the end while some trap; the fuzzer then wants the same trap
 * code from both sides.
 */
package dev.patchbay.cli;

import dev.patchbay.codegen.ir.AbiParam;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.FunctionBuilder;
import dev.patchbay.codegen.ir.IntCC;
import dev.patchbay.codegen.ir.MemFlags;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

final class RandomProgram {
    static final Type[] TYPES = {Type.I8, Type.I16, Type.I32, Type.I64};
    static final Type[] FLOATS = {Type.F32, Type.F64};
    static final String ENTRY = "f";

    private RandomProgram() {}

    /** The module for a seed: %h0, %h1, %h2 and the entry %f. */
    static List<Function> module(long seed) {
        return module(seed, false);
    }

    /**
     * The module for a seed, with small helpers if asked: one or two segments and a short
     * fold of their results, so most come under the Inliner's size limit and OptLevel.SPEED
     * copies them into their callers. The signatures are the seed's in both shapes.
     */
    static List<Function> module(long seed, boolean smallHelpers) {
        Random r = new Random(seed);
        Signature leafSig = randomSignature(r, 6, 2);
        Signature h2Sig = randomSignature(r, 9, 3);
        if (r.nextInt(4) == 0) {
            // A windows_fastcall callee: different argument registers, stack layout and callee-saved set.
            h2Sig = new Signature(h2Sig.params, h2Sig.returns.subList(0, 1), CallConv.WINDOWS_FASTCALL);
        }
        Signature fSig = randomSignature(r, 8, 4);
        List<Function> out = new ArrayList<>();
        int leaf = smallHelpers ? 1 : 10, mid = smallHelpers ? 2 : 16;
        out.add(new FunctionGen("h0", leafSig, r, List.of(), null).small(smallHelpers).build(leaf));
        out.add(new FunctionGen("h1", leafSig, r, List.of(), null).small(smallHelpers).build(leaf));
        out.add(new FunctionGen("h2", h2Sig, r, List.of(new Callee("h0", leafSig), new Callee("h1", leafSig)), leafSig)
            .small(smallHelpers).build(mid));
        out.add(new FunctionGen(ENTRY, fSig, r,
            List.of(new Callee("h0", leafSig), new Callee("h1", leafSig), new Callee("h2", h2Sig)), leafSig).build(30));
        return out;
    }

    /** Argument sets for the entry function, biased to edge values. */
    static List<long[]> argSets(long seed, Signature sig, int n) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + 17);
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            long[] a = new long[sig.params.size()];
            for (int i = 0; i < a.length; i++) a[i] = value(r, sig.params.get(i).type);
            out.add(a);
        }
        return out;
    }

    private static Signature randomSignature(Random r, int maxParams, int maxReturns) {
        List<AbiParam> ps = new ArrayList<>(), rs = new ArrayList<>();
        int np = r.nextInt(maxParams + 1), nr = 1 + r.nextInt(maxReturns);
        for (int i = 0; i < np; i++) ps.add(AbiParam.of(r.nextInt(4) == 0 ? FLOATS[r.nextInt(2)] : TYPES[r.nextInt(4)]));
        for (int i = 0; i < nr; i++) rs.add(AbiParam.of(TYPES[r.nextInt(4)]));
        return new Signature(ps, rs, CallConv.SYSTEM_V);
    }

    /** A value of type t: mostly edge values, sometimes anything. */
    static long value(Random r, Type t) {
        if (t.isFloat()) return floatValue(r, t == Type.F32);
        long v;
        switch (r.nextInt(12)) {
            case 0: v = 0; break;
            case 1: v = 1; break;
            case 2: v = -1; break;
            case 3: v = t.signExtend(1L << (t.bits() - 1)); break; // MIN
            case 4: v = t.signExtend((1L << (t.bits() - 1)) - 1); break; // MAX
            case 5: v = 1L << r.nextInt(t.bits()); break;
            case 6: v = r.nextInt(16) - 8; break;
            case 7: v = t.signExtend(1L << (t.bits() - 1)) + r.nextInt(3); break;
            default: v = r.nextLong(); break;
        }
        return t.signExtend(v);
    }

    /** A float's bits (an f32's in the low 32): mostly edge values, sometimes small integers or anything. */
    static long floatValue(Random r, boolean single) {
        double[] edges = {0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.NaN, 0x1p31, -0x1p31, 0x1p32, 0x1p63, -0x1p63, 0x1p64, 4294967295.5, 1e10, -1e-10, Double.MIN_VALUE,
            Float.MIN_VALUE, Double.MAX_VALUE, Float.MAX_VALUE, 127.5, -128.5, 65535.0};
        int k = r.nextInt(10);
        if (k < 6) {
            double d = edges[r.nextInt(edges.length)];
            return single ? Float.floatToRawIntBits((float) d) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(d);
        }
        if (k < 8) {
            int n = r.nextInt(2001) - 1000;
            return single ? Float.floatToRawIntBits(n) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(n);
        }
        if (k == 8) {
            // A NaN with a payload, quiet or signalling, either sign.
            return single ? (0x7F80_0000L | (r.nextInt(0x7F_FFFF) + 1) | (r.nextBoolean() ? 0x8000_0000L : 0))
                : (0x7FF0_0000_0000_0000L | (r.nextLong() & 0xF_FFFF_FFFF_FFFFL | 1) | (r.nextBoolean() ? Long.MIN_VALUE : 0));
        }
        return single ? r.nextInt() & 0xFFFF_FFFFL : r.nextLong();
    }

    private static final class Callee {
        final String name;
        final Signature sig;

        Callee(String name, Signature sig) {
            this.name = name;
            this.sig = sig;
        }
    }

    /** Builds one function; its state is the builder, the value pool, the stack slots and a segment budget. */
    private static final class FunctionGen {
        private final Random r;
        private final FunctionBuilder b;
        private final Signature sig;
        private final List<Callee> callees;
        /** The shared leaf signature, for call_indirect between %h0 and %h1; null if unused. */
        private final Signature leafSig;
        private Map<Type, List<Integer>> pool = new EnumMap<>(Type.class);
        private final List<int[]> slots = new ArrayList<>(); // {slot, size}
        private int budget;
        /** Fold few values into each result, so the function stays small. */
        private boolean small;

        FunctionGen small(boolean on) {
            small = on;
            return this;
        }

        FunctionGen(String name, Signature sig, Random r, List<Callee> callees, Signature leafSig) {
            this.r = r;
            this.sig = sig;
            this.b = new FunctionBuilder(name, sig);
            this.callees = callees;
            this.leafSig = leafSig;
            for (Type t : TYPES) pool.put(t, new ArrayList<>());
            for (Type t : FLOATS) pool.put(t, new ArrayList<>());
        }

        Function build(int segments) {
            int entry = b.createEntryBlock();
            for (int p : b.blockParams(entry)) add(p);
            int nSlots = r.nextInt(3);
            for (int i = 0; i < nSlots; i++) {
                // Now and then a large slot: a bigger frame, and the stack-limit check without calls.
                int size = r.nextInt(10) == 0 ? 8 * (130 + r.nextInt(200)) : 8 * (1 + r.nextInt(6));
                int slot = b.createStackSlot(size, r.nextBoolean() ? 8 : 1);
                slots.add(new int[] {slot, size});
                // Compiled code does not zero stack slots; the interpreter does. Define them first.
                int zero = b.iconst(Type.I64, 0);
                for (int off = 0; off < size; off += 8) b.stackStore(zero, slot, off);
            }
            budget = segments;
            body(0);
            int[] rets = new int[sig.returns.size()];
            for (int i = 0; i < rets.length; i++) rets[i] = fold(sig.returns.get(i).type, small ? 1 + r.nextInt(3) : 4 + r.nextInt(24));
            b.ret(rets);
            return b.finish();
        }

        // ---- the value pool ----

        private void add(int v) { pool.get(b.typeOf(v)).add(v); }

        private Type anyType() { return TYPES[r.nextInt(4)]; }

        private int pick(Type t) {
            List<Integer> vs = pool.get(t);
            if (vs.isEmpty() || r.nextInt(10) == 0) {
                long bits = value(r, t);
                int c = t == Type.F32 ? b.f32const((int) bits) : t == Type.F64 ? b.f64const(bits) : b.iconst(t, bits);
                vs.add(c);
                return c;
            }
            return vs.get(r.nextInt(vs.size()));
        }

        private int pickAny() { return pick(anyType()); }

        /**
         * Values defined inside a branch do not dominate the join, so each structured
         * segment saves the pool, lets its arms add to copies, and restores it after.
         */
        private static Map<Type, List<Integer>> copy(Map<Type, List<Integer>> from) {
            Map<Type, List<Integer>> c = new EnumMap<>(Type.class);
            for (Map.Entry<Type, List<Integer>> e : from.entrySet()) c.put(e.getKey(), new ArrayList<>(e.getValue()));
            return c;
        }

        /** v converted to type t by extension or reduction. */
        private int convert(int v, Type t) {
            Type from = b.typeOf(v);
            if (from == t) return v;
            if (from.bits() > t.bits()) return b.convert(Opcode.IREDUCE, t, v);
            return b.convert(r.nextBoolean() ? Opcode.UEXTEND : Opcode.SEXTEND, t, v);
        }

        /** XOR-folds n pool values (of any types) into one value of type t: keeps them all live until here. */
        private int fold(Type t, int n) {
            int acc = pick(t);
            for (int i = 0; i < n; i++) {
                int v = convert(pickAny(), t);
                Opcode op = new Opcode[] {Opcode.BXOR, Opcode.IADD, Opcode.ISUB}[r.nextInt(3)];
                acc = b.binary(op, acc, v);
            }
            return acc;
        }

        // ---- segments ----

        private void body(int depth) {
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n && budget > 0; i++) {
                budget--;
                int k = r.nextInt(20);
                if (depth < 2 && k < 3) diamond(depth);
                else if (depth < 2 && k < 5) switchTable(depth);
                else if (depth < 2 && k < 8) loop(depth);
                else if (k < 10 && !slots.isEmpty()) memory();
                else if (k < 12 && !callees.isEmpty()) call();
                else if (k < 15) floats(3 + r.nextInt(10));
                else straight(3 + r.nextInt(10));
            }
        }

        private void straight(int n) {
            for (int i = 0; i < n; i++) instruction();
        }

        /** Parameters for a join block: random types, and the block. */
        private int joinBlock(List<Type> types) {
            int j = b.createBlock();
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                Type t = anyType();
                types.add(t);
                b.appendBlockParam(j, t);
            }
            return j;
        }

        private int[] argsFor(List<Type> types) {
            int[] a = new int[types.size()];
            for (int i = 0; i < a.length; i++) a[i] = pick(types.get(i));
            return a;
        }

        private int condition() {
            int k = r.nextInt(4);
            if (k < 2) return pickAny();
            Type t = anyType();
            if (k == 2) return b.icmpImm(IntCC.values()[r.nextInt(IntCC.values().length)], pick(t), immediate(t));
            int x = pick(t), y = pick(t);
            return b.icmp(IntCC.values()[r.nextInt(IntCC.values().length)], x, y);
        }

        private void diamond(int depth) {
            int cond = condition();
            List<Type> jt = new ArrayList<>();
            int join = joinBlock(jt);
            int thenB = b.createBlock(), elseB = b.createBlock();
            // The then-block takes parameters too, so brif passes arguments on one edge.
            List<Type> tt = new ArrayList<>();
            int nt = r.nextInt(3);
            for (int i = 0; i < nt; i++) {
                tt.add(anyType());
                b.appendBlockParam(thenB, tt.get(i));
            }
            b.brif(cond, thenB, argsFor(tt), elseB, new int[0]);
            maybeCold(thenB);
            maybeCold(elseB);
            Map<Type, List<Integer>> saved = copy(pool);
            b.switchToBlock(thenB);
            for (int p : b.blockParams(thenB)) add(p);
            body(depth + 1);
            b.jump(join, argsFor(jt));
            pool = copy(saved);
            b.switchToBlock(elseB);
            body(depth + 1);
            b.jump(join, argsFor(jt));
            pool = saved;
            b.switchToBlock(join);
            for (int p : b.blockParams(join)) add(p);
        }

        /**
         * Cold blocks move to the end of the code, so the linear order the register
         * allocator sees no longer follows dominance: values are used "before" their
         * definitions and live ranges wrap around.
         */
        private void maybeCold(int block) {
            if (r.nextInt(6) == 0) b.setCold(block);
        }

        private void switchTable(int depth) {
            int idx = convert(pickAny(), Type.I32);
            int n = 1 + r.nextInt(5);
            // Usually keep the index near the table, sometimes leave it anything (default taken).
            if (r.nextInt(3) > 0) idx = b.binaryImm(Opcode.UREM_IMM, idx, n + 1 + r.nextInt(2));
            List<Type> jt = new ArrayList<>();
            int join = joinBlock(jt);
            int cases = 1 + r.nextInt(3);
            int[] blocks = new int[cases];
            List<List<Type>> params = new ArrayList<>();
            for (int c = 0; c < cases; c++) {
                blocks[c] = b.createBlock();
                List<Type> ps = new ArrayList<>();
                int np = r.nextInt(3);
                for (int i = 0; i < np; i++) {
                    ps.add(anyType());
                    b.appendBlockParam(blocks[c], ps.get(i));
                }
                params.add(ps);
            }
            // Entries may share a target block with different arguments.
            BlockCall[] entries = new BlockCall[n];
            for (int e = 0; e < n; e++) {
                int c = r.nextInt(cases);
                entries[e] = new BlockCall(blocks[c], argsFor(params.get(c)));
            }
            int d = r.nextInt(cases);
            b.brTable(idx, new BlockCall(blocks[d], argsFor(params.get(d))), entries);
            for (int c = 0; c < cases; c++) maybeCold(blocks[c]);
            Map<Type, List<Integer>> saved = copy(pool);
            for (int c = 0; c < cases; c++) {
                pool = copy(saved);
                b.switchToBlock(blocks[c]);
                for (int p : b.blockParams(blocks[c])) add(p);
                body(depth + 1);
                b.jump(join, argsFor(jt));
            }
            pool = saved;
            b.switchToBlock(join);
            for (int p : b.blockParams(join)) add(p);
        }

        /**
         * header(counter, accs...): brif counter, body, exit(accs...). The body decrements
         * the counter and jumps back with new accumulators, often the header's own
         * parameters in a permuted order: a parallel move with cycles.
         */
        private void loop(int depth) {
            Type ct = anyType();
            int counter0 = b.binaryImm(Opcode.BAND_IMM, pick(ct), 7);
            int header = b.createBlock(), bodyB = b.createBlock(), exit = b.createBlock();
            int counter = b.appendBlockParam(header, ct);
            List<Type> at = new ArrayList<>();
            int na = 1 + r.nextInt(5);
            for (int i = 0; i < na; i++) {
                // Few types, so permutations among same-typed parameters are likely.
                Type t = r.nextBoolean() ? Type.I64 : anyType();
                at.add(t);
                b.appendBlockParam(header, t);
                b.appendBlockParam(exit, t);
            }
            int[] init = new int[na + 1];
            init[0] = counter0;
            int[] initAccs = argsFor(at);
            System.arraycopy(initAccs, 0, init, 1, na);
            b.jump(header, init);
            Map<Type, List<Integer>> saved = copy(pool);
            b.switchToBlock(header);
            int[] hp = b.blockParams(header);
            int[] accs = java.util.Arrays.copyOfRange(hp, 1, hp.length);
            b.brif(counter, bodyB, new int[0], exit, accs);
            maybeCold(exit);
            add(counter);
            for (int a : accs) add(a);
            b.switchToBlock(bodyB);
            body(depth + 1);
            int next = b.binaryImm(Opcode.IADD_IMM, counter, -1);
            int[] back = new int[na + 1];
            back[0] = next;
            for (int i = 0; i < na; i++) {
                int k = r.nextInt(3);
                if (k == 0) {
                    back[i + 1] = pick(at.get(i));
                } else {
                    // Another header parameter of the same type: a permutation (often a swap).
                    List<Integer> same = new ArrayList<>();
                    for (int j = 0; j < na; j++) if (at.get(j) == at.get(i)) same.add(accs[j]);
                    back[i + 1] = same.get(r.nextInt(same.size()));
                    if (k == 2) back[i + 1] = b.binary(Opcode.IADD, back[i + 1], pick(at.get(i)));
                }
            }
            b.jump(header, back);
            pool = saved;
            b.switchToBlock(exit);
            for (int p : b.blockParams(exit)) add(p);
        }

        private void memory() {
            int[] s = slots.get(r.nextInt(slots.size()));
            int slot = s[0], size = s[1];
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                Type t = anyType();
                int off = r.nextInt(size - t.bytes() + 1);
                switch (r.nextInt(8)) {
                    case 0:
                        b.stackStore(pick(t), slot, off);
                        break;
                    case 1:
                        add(b.stackLoad(t, slot, off));
                        break;
                    case 2: {
                        int addr = b.stackAddr(Type.I64, slot, 0);
                        if (r.nextBoolean()) {
                            int k = r.nextInt(off + 1);
                            addr = b.binaryImm(Opcode.IADD_IMM, addr, k);
                            off -= k;
                        }
                        b.store(Opcode.STORE, r.nextBoolean() ? MemFlags.NONE : new MemFlags(MemFlags.NOTRAP), pick(t), addr, off);
                        break;
                    }
                    case 3: {
                        // Through iadd_imm (which the backend folds into the address) or stack_addr's offset.
                        int addr = r.nextBoolean() ? b.binaryImm(Opcode.IADD_IMM, b.stackAddr(Type.I64, slot, 0), off)
                            : b.stackAddr(Type.I64, slot, off);
                        add(b.load(Opcode.LOAD, t, MemFlags.NONE, addr, 0));
                        break;
                    }
                    case 4: {
                        // Narrow store of a wider value.
                        Type vt = t == Type.I8 ? Type.I16 : t;
                        Opcode op = new Opcode[] {Opcode.ISTORE8, Opcode.ISTORE16, Opcode.ISTORE32}[r.nextInt(3)];
                        int bytes = op.accessBytes;
                        if (vt.bytes() <= bytes) vt = Type.I64;
                        int o = r.nextInt(size - bytes + 1);
                        b.store(op, MemFlags.NONE, pick(vt), b.stackAddr(Type.I64, slot, 0), o);
                        break;
                    }
                    case 6: {
                        // A dynamic index, kept inside the slot by a remainder.
                        int idx = b.binaryImm(Opcode.UREM_IMM, convert(pickAny(), Type.I64), size - t.bytes() + 1);
                        int addr = b.binary(Opcode.IADD, b.stackAddr(Type.I64, slot, 0), idx);
                        if (r.nextBoolean()) add(b.load(Opcode.LOAD, t, MemFlags.NONE, addr, 0));
                        else b.store(Opcode.STORE, MemFlags.NONE, pick(t), addr, 0);
                        break;
                    }
                    case 7: {
                        // A scaled index, which the backend folds into [slot + i*scale + disp]: an
                        // i64 or a uextend'ed i32 kept in range by a remainder, sometimes plus one
                        // (an iadd_imm), shifted or multiplied by the scale, added either way round.
                        int log = r.nextInt(4), scale = 1 << log;
                        int o = r.nextInt(size - t.bytes() + 1);
                        int most = (size - t.bytes() - o) / scale;
                        boolean plusOne = most > 0 && r.nextBoolean();
                        int idx;
                        if (r.nextBoolean()) {
                            idx = b.binaryImm(Opcode.UREM_IMM, convert(pickAny(), Type.I64), plusOne ? most : most + 1);
                        } else {
                            int narrow = b.binaryImm(Opcode.UREM_IMM, convert(pickAny(), Type.I32), plusOne ? most : most + 1);
                            idx = b.convert(Opcode.UEXTEND, Type.I64, narrow);
                        }
                        if (plusOne) idx = b.binaryImm(Opcode.IADD_IMM, idx, 1);
                        int scaled = r.nextBoolean() ? b.binaryImm(Opcode.ISHL_IMM, idx, log) : b.binaryImm(Opcode.IMUL_IMM, idx, scale);
                        int base = b.stackAddr(Type.I64, slot, 0);
                        int addr = r.nextBoolean() ? b.binary(Opcode.IADD, base, scaled) : b.binary(Opcode.IADD, scaled, base);
                        if (r.nextBoolean()) add(b.load(Opcode.LOAD, t, MemFlags.NONE, addr, o));
                        else b.store(Opcode.STORE, MemFlags.NONE, pick(t), addr, o);
                        break;
                    }
                    default: {
                        Opcode op = new Opcode[] {Opcode.ULOAD8, Opcode.SLOAD8, Opcode.ULOAD16, Opcode.SLOAD16,
                            Opcode.ULOAD32, Opcode.SLOAD32}[r.nextInt(6)];
                        int bytes = op.accessBytes;
                        Type rt = bytes == 4 ? Type.I64 : bytes == 2 ? (r.nextBoolean() ? Type.I32 : Type.I64)
                            : TYPES[1 + r.nextInt(3)];
                        int o = r.nextInt(size - bytes + 1);
                        add(b.load(op, rt, MemFlags.NONE, b.stackAddr(Type.I64, slot, 0), o));
                    }
                }
            }
        }

        private void call() {
            Callee c = callees.get(r.nextInt(callees.size()));
            int[] args = new int[c.sig.params.size()];
            for (int i = 0; i < args.length; i++) args[i] = pick(c.sig.params.get(i).type);
            int[] res;
            if (c.sig.equals(leafSig) && r.nextBoolean()) {
                // Indirect: through func_addr, choosing between the two leaves at run time.
                int f0 = b.importFunction("h0", leafSig, r.nextBoolean(), false);
                int f1 = b.importFunction("h1", leafSig, r.nextBoolean(), false);
                int a0 = b.funcAddr(Type.I64, f0), a1 = b.funcAddr(Type.I64, f1);
                int callee = b.select(condition(), a0, a1);
                res = b.callIndirect(b.importSignature(leafSig), callee, args);
            } else {
                int fn = b.importFunction(c.name, c.sig, r.nextBoolean(), false);
                res = b.call(fn, args);
            }
            for (int v : res) add(v);
        }

        // ---- floats (see the header: they leave only through NaN-blind operations) ----

        private static final Opcode[] FBINARY = {Opcode.FADD, Opcode.FSUB, Opcode.FMUL, Opcode.FDIV, Opcode.FMIN, Opcode.FMAX};
        private static final Opcode[] FUNARY = {Opcode.SQRT, Opcode.FNEG, Opcode.FABS, Opcode.CEIL, Opcode.FLOOR, Opcode.TRUNC,
            Opcode.NEAREST};
        private static final Opcode[] TO_INT_SAT = {Opcode.FCVT_TO_SINT_SAT, Opcode.FCVT_TO_UINT_SAT};
        private static final Opcode[] TO_INT = {Opcode.FCVT_TO_SINT, Opcode.FCVT_TO_UINT};

        private void floats(int n) {
            for (int i = 0; i < n; i++) {
                Type ft = FLOATS[r.nextInt(2)];
                int k = r.nextInt(100);
                if (k < 30) {
                    add(b.binary(one(FBINARY), pick(ft), pick(ft)));
                } else if (k < 42) {
                    add(b.unary(one(FUNARY), pick(ft)));
                } else if (k < 47 && dev.patchbay.codegen.CpuFeatures.hasFma()) {
                    add(b.fma(pick(ft), pick(ft), pick(ft)));
                } else if (k < 55) {
                    add(ft == Type.F32 ? b.convert(Opcode.FPROMOTE, Type.F64, pick(Type.F32))
                        : b.convert(Opcode.FDEMOTE, Type.F32, pick(Type.F64)));
                } else if (k < 65) {
                    add(b.convert(r.nextBoolean() ? Opcode.FCVT_FROM_SINT : Opcode.FCVT_FROM_UINT, ft, pickAny()));
                } else if (k < 72) {
                    add(b.select(condition(), pick(ft), pick(ft)));
                } else if (k < 86) {
                    add(b.fcmp(one(dev.patchbay.codegen.ir.FloatCC.values()), pick(ft), pick(ft)));
                } else if (k < 98) {
                    add(b.convert(one(TO_INT_SAT), r.nextBoolean() ? Type.I32 : Type.I64, pick(ft)));
                } else {
                    add(b.convert(one(TO_INT), r.nextBoolean() ? Type.I32 : Type.I64, pick(ft)));
                }
            }
        }

        // ---- one straight-line instruction ----

        private static final Opcode[] UNARY = {Opcode.INEG, Opcode.IABS, Opcode.BNOT, Opcode.CLZ, Opcode.CTZ, Opcode.CLS,
            Opcode.POPCNT, Opcode.BITREV, Opcode.BSWAP};
        private static final Opcode[] BINARY = {Opcode.IADD, Opcode.ISUB, Opcode.IMUL, Opcode.UMULHI, Opcode.SMULHI,
            Opcode.BAND, Opcode.BOR, Opcode.BXOR, Opcode.BAND_NOT, Opcode.BOR_NOT, Opcode.BXOR_NOT,
            Opcode.SMIN, Opcode.SMAX, Opcode.UMIN, Opcode.UMAX};
        private static final Opcode[] SHIFTS = {Opcode.ISHL, Opcode.USHR, Opcode.SSHR, Opcode.ROTL, Opcode.ROTR};
        private static final Opcode[] IMM = {Opcode.IADD_IMM, Opcode.IRSUB_IMM, Opcode.IMUL_IMM, Opcode.BAND_IMM,
            Opcode.BOR_IMM, Opcode.BXOR_IMM, Opcode.ISHL_IMM, Opcode.USHR_IMM, Opcode.SSHR_IMM, Opcode.ROTL_IMM, Opcode.ROTR_IMM};
        private static final Opcode[] OVERFLOW = {Opcode.UADD_OVERFLOW, Opcode.SADD_OVERFLOW, Opcode.USUB_OVERFLOW,
            Opcode.SSUB_OVERFLOW, Opcode.UMUL_OVERFLOW, Opcode.SMUL_OVERFLOW};
        private static final Opcode[] CARRY = {Opcode.UADD_OVERFLOW_CIN, Opcode.SADD_OVERFLOW_CIN, Opcode.USUB_OVERFLOW_BIN,
            Opcode.SSUB_OVERFLOW_BIN};
        private static final Opcode[] DIV = {Opcode.UDIV, Opcode.SDIV, Opcode.UREM, Opcode.SREM};
        private static final Opcode[] DIV_IMM = {Opcode.UDIV_IMM, Opcode.SDIV_IMM, Opcode.UREM_IMM, Opcode.SREM_IMM};

        private <T> T one(T[] xs) { return xs[r.nextInt(xs.length)]; }

        private void instruction() {
            Type t = anyType();
            int k = r.nextInt(100);
            if (k < 8) {
                Opcode op = one(UNARY);
                if (op == Opcode.BSWAP && t == Type.I8) t = Type.I16;
                add(b.unary(op, pick(t)));
            } else if (k < 30) {
                add(b.binary(one(BINARY), pick(t), pick(t)));
            } else if (k < 38) {
                add(b.binary(one(SHIFTS), pick(t), pickAny()));
            } else if (k < 48) {
                add(b.binaryImm(one(IMM), pick(t), immediate(t)));
            } else if (k < 54) {
                for (int v : b.overflow(one(OVERFLOW), pick(t), pick(t))) add(v);
            } else if (k < 58) {
                for (int v : b.overflowCarry(one(CARRY), pick(t), pick(t), pick(Type.I8))) add(v);
            } else if (k < 64) {
                division(t);
            } else if (k < 70) {
                add(b.icmp(one(IntCC.values()), pick(t), pick(t)));
            } else if (k < 73) {
                add(b.icmpImm(one(IntCC.values()), pick(t), immediate(t)));
            } else if (k < 80) {
                int c = r.nextInt(3) == 0 ? b.icmp(one(IntCC.values()), pick(t), pick(t)) : pickAny();
                Type vt = anyType();
                add(r.nextBoolean() ? b.select(c, pick(vt), pick(vt)) : b.selectSpectreGuard(c, pick(vt), pick(vt)));
            } else if (k < 83) {
                add(b.bitselect(pick(t), pick(t), pick(t)));
            } else if (k < 91) {
                Type to = anyType();
                int v = pick(t);
                if (r.nextInt(4) == 0) add(b.convert(Opcode.BMASK, to, v));
                else if (to != t) add(convert(v, to));
            } else if (k < 94) {
                add(b.iconst(t, value(r, t)));
            } else if (k < 96) {
                if (t == Type.I8 || t == Type.I16) t = Type.I32;
                int x = pick(t), y = pick(t);
                if (r.nextInt(8) != 0) {
                    // Halve both so the sum cannot overflow: this one should not trap.
                    x = b.binaryImm(Opcode.USHR_IMM, x, 1);
                    y = b.binaryImm(Opcode.USHR_IMM, y, 1);
                }
                add(b.uaddOverflowTrap(x, y, TrapCode.user(r.nextInt(4))));
            } else if (k < 97) {
                // Mostly conditions that rarely trap (an equality of two random values), so
                // that most programs run to the end; sometimes any value.
                int x = pick(t), y = pick(t);
                boolean any = r.nextInt(4) == 0;
                if (r.nextBoolean()) b.trapz(any ? x : b.icmp(IntCC.NE, x, y), TrapCode.user(10 + r.nextInt(4)));
                else b.trapnz(any ? x : b.icmp(IntCC.EQ, x, y), TrapCode.user(20 + r.nextInt(4)));
            } else {
                straightDependentChain(t);
            }
        }

        /** A long dependent chain on one value: exercises two-address forms and reuse. */
        private void straightDependentChain(Type t) {
            int v = pick(t);
            int n = 2 + r.nextInt(6);
            for (int i = 0; i < n; i++) v = b.binary(one(BINARY), v, r.nextBoolean() ? v : pick(t));
            add(v);
        }

        private long immediate(Type t) {
            switch (r.nextInt(5)) {
                case 0: return r.nextInt(t.bits() * 2 + 2); // shift-sized, also past the width
                case 1: return r.nextInt(256) - 128;
                case 2: return r.nextLong();
                default: return value(r, t);
            }
        }

        private void division(Type t) {
            boolean unguarded = r.nextInt(25) == 0;
            if (r.nextBoolean()) {
                Opcode op = one(DIV);
                int x = pick(t), y = pick(t);
                if (!unguarded) {
                    y = b.binaryImm(Opcode.BOR_IMM, y, 1 + 2L * r.nextInt(4)); // odd, so never zero
                    if (op == Opcode.SDIV) {
                        // Keep the divisor away from -1: MIN / -1 traps.
                        int minusOne = b.icmpImm(IntCC.EQ, y, -1);
                        y = b.select(minusOne, b.iconst(t, 3), y);
                    }
                }
                add(b.binary(op, x, y));
            } else {
                Opcode op = one(DIV_IMM);
                long imm = immediate(t);
                if (!unguarded) {
                    if (t.zeroExtend(imm) == 0) imm = 7;
                    if (op == Opcode.SDIV_IMM && t.signExtend(imm) == -1) imm = -3;
                }
                add(b.binaryImm(op, pick(t), imm));
            }
        }
    }
}
