/*
 * Generates random CLIF modules that are valid IR by construction (integer types,
 * forward branches, counted self-loops, calls to earlier functions, stack slots read and
 * written in bounds with stack_load and stack_store, no other memory access),
 * and, on request, one defect that makes them well-formed text but invalid IR: a type
 * mismatch, a wrong argument count or type on an edge, a bad return, a missing
 * terminator, an instruction after a terminator, an undefined value or block, a wrong
 * call, a duplicate function, an unknown opcode, entry parameters that disagree with the
 * signature, or a branch to the entry block. One more defect (a use in a block the
 * definition may not dominate) may or may not be valid, and the suite accepts either.
 *
 * Small slots are zeroed at entry, so every stack_load reads what the program wrote and
 * the variants of a module agree; a large slot (over 64 KiB, so its function takes the
 * big-frame stack check) is only read right after the store that writes the same bytes.
 * A `wild` module also calls through arbitrary addresses (call_indirect to unmapped,
 * kernel, non-canonical or random values) and overwrites return addresses and saved
 * frame pointers through get_frame_pointer: every call must return or trap, never crash.
 */
package dev.patchbay.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

final class ClifGen {
    static final String[] TYPES = {"i8", "i16", "i32", "i64"};
    static final String[] BINARY = {"iadd", "isub", "imul", "band", "bor", "bxor", "ishl", "ushr", "sshr", "rotl", "rotr", "smin",
        "smax", "umin", "umax", "umulhi", "smulhi", "band_not", "bor_not", "bxor_not", "udiv", "sdiv", "urem", "srem"};
    static final String[] IMM = {"iadd_imm", "imul_imm", "band_imm", "bor_imm", "bxor_imm", "ishl_imm", "ushr_imm", "sshr_imm",
        "rotl_imm", "rotr_imm", "irsub_imm"};
    static final String[] UNARY = {"ineg", "iabs", "bnot", "clz", "ctz", "cls", "popcnt", "bitrev"};
    static final String[] CC = {"eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"};
    static final String[] OVERFLOW = {"uadd_overflow", "sadd_overflow", "usub_overflow", "ssub_overflow", "umul_overflow", "smul_overflow"};
    static final String[] TRAPS = {"int_ovf", "int_divz", "unreachable", "heap_oob", "user1", "user200"};

    enum Defect {
        NONE(false), TYPE_MISMATCH(true), EDGE_ARG_COUNT(true), EDGE_ARG_TYPE(true), RETURN_COUNT(true), RETURN_TYPE(true),
        MISSING_TERMINATOR(true), AFTER_TERMINATOR(true), UNDEFINED_VALUE(true), UNDEFINED_BLOCK(true), CALL_ARG_COUNT(true),
        DUPLICATE_FUNCTION(true), UNKNOWN_OPCODE(true), ENTRY_PARAMS(true), BRANCH_TO_ENTRY(true), NON_DOMINATING(false);

        /** Whether every module with this defect is invalid (and must be refused). */
        final boolean invalid;

        Defect(boolean invalid) { this.invalid = invalid; }
    }

    record Val(String name, String type) {}

    static final class Blk {
        final int index;
        final List<String> paramTypes = new ArrayList<>();
        final List<Val> params = new ArrayList<>();
        final List<Val> defs = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        boolean loop;
        String terminator;

        Blk(int index) { this.index = index; }

        String header() {
            StringBuilder sb = new StringBuilder("block" + index);
            if (!params.isEmpty()) {
                sb.append('(');
                for (int i = 0; i < params.size(); i++) sb.append(i > 0 ? ", " : "").append(params.get(i).name).append(": ").append(params.get(i).type);
                sb.append(')');
            }
            return sb.append(':').toString();
        }
    }

    static final class Fn {
        String name;
        final List<String> params = new ArrayList<>(), returns = new ArrayList<>();
        final List<String> decls = new ArrayList<>();
        final List<Blk> blocks = new ArrayList<>();
        /** Explicit stack slot sizes, by slot number. */
        final List<Integer> slots = new ArrayList<>();
        /** The sigN declared for wild call_indirect, or -1. */
        int wildSig = -1;

        String signature() { return "(" + String.join(", ", params) + ")" + (returns.isEmpty() ? "" : " -> " + String.join(", ", returns)); }

        String render() {
            StringBuilder sb = new StringBuilder("function %" + name + signature() + " {\n");
            for (String d : decls) sb.append("    ").append(d).append('\n');
            for (Blk b : blocks) {
                sb.append(b.header()).append('\n');
                for (String l : b.lines) sb.append("    ").append(l).append('\n');
                if (b.terminator != null) sb.append("    ").append(b.terminator).append('\n');
            }
            return sb.append("}\n").toString();
        }
    }

    private final SplittableRandom rnd;
    private int next;
    final List<Fn> fns = new ArrayList<>();

    /** Whether functions also jump to arbitrary addresses and corrupt their frames (see the header). */
    boolean wild;

    ClifGen(SplittableRandom rnd) { this.rnd = rnd; }

    /** A module whose functions also call through arbitrary addresses and corrupt their frames. */
    static ClifGen wildModule(SplittableRandom rnd) {
        ClifGen g = new ClifGen(rnd);
        g.wild = true;
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) g.fns.add(g.function("g" + i));
        return g;
    }

    /** Slot sizes: small ones (zeroed at entry) and, now and then, one over 64 KiB. */
    static final int BIG_SLOT = 70_000;

    private void addSlots(Fn f, Blk entry) {
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            int size = rnd.nextInt(8) == 0 ? BIG_SLOT : 8 * (1 + rnd.nextInt(8));
            f.decls.add("ss" + f.slots.size() + " = explicit_slot " + size);
            if (size != BIG_SLOT) {
                Val z = fresh("i64");
                entry.lines.add(z.name + " = iconst.i64 0");
                for (int off = 0; off < size; off += 8) entry.lines.add("stack_store " + z.name + ", ss" + f.slots.size() + "+" + off);
            }
            f.slots.add(size);
        }
    }

    /** A stack_store or a stack_load of type t at an in-bounds offset of a slot. */
    private void stackOp(Fn f, Blk b, List<Val> avail, String t) {
        int k = rnd.nextInt(f.slots.size()), size = f.slots.get(k), bytes = bits(t) / 8;
        int off = rnd.nextInt(size - bytes + 1);
        if (size == BIG_SLOT) {
            // Unzeroed: write the bytes, then read them back (near either end of the slot).
            off = rnd.nextBoolean() ? rnd.nextInt(16) : size - bytes - rnd.nextInt(16);
            Val x = pick(avail, b, t);
            b.lines.add("stack_store " + x.name + ", ss" + k + "+" + off);
            Val r = fresh(t);
            b.lines.add(r.name + " = stack_load." + t + " ss" + k + "+" + off);
            b.defs.add(r);
            avail.add(r);
        } else if (rnd.nextBoolean()) {
            b.lines.add("stack_store " + pick(avail, b, t).name + ", ss" + k + "+" + off);
        } else {
            Val r = fresh(t);
            b.lines.add(r.name + " = stack_load." + t + " ss" + k + "+" + off);
            b.defs.add(r);
            avail.add(r);
        }
    }

    /** Arbitrary control-transfer targets: unmapped, the null page, kernel, non-canonical, random. */
    static final long[] WILD_TARGETS = {0, 1, 0x1000, -1, 0xffff_8000_0000_0000L, 0x8000_0000_0000_0000L, 0x41_4141_4141L,
        0xdead_beef_0000L};

    /**
     * A wild address: a constant, or an i64 parameter (the runners pass 0, 1, -1 or random
     * values). Never a value derived from the stack: a guest that aims a smashed frame
     * pointer at its own stack can overwrite the entry trampoline's saved host registers,
     * which is a store into JVM memory (a documented limit), not a bug this fuzzes.
     */
    private String wildValue(Fn f, Blk b, List<Val> avail) {
        if (rnd.nextInt(4) == 0) {
            for (Val v : f.blocks.get(0).params) if (v.type.equals("i64") && avail.contains(v) && rnd.nextBoolean()) return v.name;
        }
        long t = rnd.nextInt(4) == 0 ? rnd.nextLong() : WILD_TARGETS[rnd.nextInt(WILD_TARGETS.length)];
        Val c = fresh("i64");
        b.lines.add(c.name + " = iconst.i64 " + t);
        b.defs.add(c);
        avail.add(c);
        return c.name;
    }

    /** call_indirect to a wild address, or a store over the return address or saved RBP. */
    private void wildOp(Fn f, Blk b, List<Val> avail) {
        switch (rnd.nextInt(3)) {
            case 0: {
                if (f.wildSig < 0) {
                    f.wildSig = 0;
                    f.decls.add("sig0 = (i64) -> i64");
                }
                String target = wildValue(f, b, avail);
                Val r = fresh("i64");
                b.lines.add(r.name + " = call_indirect sig0, " + target + "(" + pick(avail, b, "i64").name + ")");
                b.defs.add(r);
                avail.add(r);
                return;
            }
            default: {
                String v = wildValue(f, b, avail);
                Val fp = fresh("i64");
                b.lines.add(fp.name + " = get_frame_pointer.i64");
                b.defs.add(fp);
                avail.add(fp);
                // +8: the return address; +0: the caller's saved RBP.
                b.lines.add("store " + v + ", " + fp.name + (rnd.nextBoolean() ? "+8" : ""));
            }
        }
    }

    /** A module of 1..3 functions named %g0, %g1, ...; each may call the ones before it. */
    static ClifGen module(SplittableRandom rnd) {
        ClifGen g = new ClifGen(rnd);
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) g.fns.add(g.function("g" + i));
        return g;
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        for (Fn f : fns) sb.append(f.render()).append('\n');
        return sb.toString();
    }

    private String type() { return TYPES[rnd.nextInt(TYPES.length)]; }

    private Val fresh(String type) { return new Val("v" + next++, type); }

    private static int bits(String t) { return Integer.parseInt(t.substring(1)); }

    private String imm(String t) {
        long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(200) - 100;
        int b = bits(t);
        if (b < 64) v = v << (64 - b) >> (64 - b); // fits the type, signed
        return Long.toString(v);
    }

    /** A value of type t among `avail`, or a fresh iconst emitted into `b`. */
    private Val pick(List<Val> avail, Blk b, String t) {
        List<Val> c = new ArrayList<>();
        for (Val v : avail) if (v.type.equals(t)) c.add(v);
        if (!c.isEmpty() && rnd.nextInt(5) != 0) return c.get(rnd.nextInt(c.size()));
        Val v = fresh(t);
        b.lines.add(v.name + " = iconst." + t + " " + imm(t));
        b.defs.add(v);
        avail.add(v);
        return v;
    }

    private Val anyVal(List<Val> avail, Blk b) {
        return avail.isEmpty() || rnd.nextInt(6) == 0 ? pick(avail, b, type()) : avail.get(rnd.nextInt(avail.size()));
    }

    private Fn function(String name) {
        Fn f = new Fn();
        f.name = name;
        int np = rnd.nextInt(4), nr = 1 + rnd.nextInt(2);
        for (int i = 0; i < np; i++) f.params.add(type());
        for (int i = 0; i < nr; i++) f.returns.add(type());
        // Calls to earlier functions.
        List<Fn> callees = new ArrayList<>();
        for (Fn e : fns) {
            if (rnd.nextInt(2) == 0) {
                f.decls.add("fn" + callees.size() + " = %" + e.name + e.signature());
                callees.add(e);
            }
        }
        int nb = 1 + rnd.nextInt(6);
        for (int i = 0; i < nb; i++) {
            Blk b = new Blk(i);
            if (i == 0) {
                for (String t : f.params) b.params.add(fresh(t));
            } else {
                b.loop = rnd.nextInt(4) == 0 && i < nb - 1;
                if (b.loop) b.params.add(fresh("i64"));
                int k = rnd.nextInt(3);
                for (int j = 0; j < k; j++) b.params.add(fresh(type()));
            }
            for (Val v : b.params) b.paramTypes.add(v.type);
            f.blocks.add(b);
        }
        Blk entry = f.blocks.get(0);
        if (rnd.nextInt(3) == 0) addSlots(f, entry);
        for (Blk b : f.blocks) {
            List<Val> avail = new ArrayList<>();
            if (b != entry) {
                avail.addAll(entry.params);
                avail.addAll(entry.defs);
            }
            avail.addAll(b.params);
            int ninst = 1 + rnd.nextInt(10);
            for (int k = 0; k < ninst; k++) inst(f, b, avail, callees);
            terminate(f, b, avail);
        }
        return f;
    }

    private void inst(Fn f, Blk b, List<Val> avail, List<Fn> callees) {
        String t = type();
        if (wild && rnd.nextInt(8) == 0) {
            wildOp(f, b, avail);
            return;
        }
        if (!f.slots.isEmpty() && rnd.nextInt(5) == 0) {
            stackOp(f, b, avail, t);
            return;
        }
        Val r;
        switch (rnd.nextInt(12)) {
            case 0: case 1: case 2: {
                Val x = pick(avail, b, t), y = pick(avail, b, t);
                r = fresh(t);
                b.lines.add(r.name + " = " + BINARY[rnd.nextInt(BINARY.length)] + " " + x.name + ", " + y.name);
                break;
            }
            case 3: case 4: {
                Val x = pick(avail, b, t);
                r = fresh(t);
                String op = IMM[rnd.nextInt(IMM.length)];
                String i = op.contains("sh") || op.contains("rot") ? Integer.toString(rnd.nextInt(bits(t))) : imm(t);
                b.lines.add(r.name + " = " + op + " " + x.name + ", " + i);
                break;
            }
            case 5: {
                Val x = pick(avail, b, t);
                r = fresh(t);
                String op = bits(t) > 8 && rnd.nextInt(8) == 0 ? "bswap" : UNARY[rnd.nextInt(UNARY.length)];
                b.lines.add(r.name + " = " + op + " " + x.name);
                break;
            }
            case 6: {
                Val x = pick(avail, b, t), y = pick(avail, b, t);
                r = fresh("i8");
                if (rnd.nextBoolean()) b.lines.add(r.name + " = icmp " + CC[rnd.nextInt(CC.length)] + " " + x.name + ", " + y.name);
                else b.lines.add(r.name + " = icmp_imm " + CC[rnd.nextInt(CC.length)] + " " + x.name + ", " + imm(t));
                break;
            }
            case 7: {
                Val c = anyVal(avail, b), x = pick(avail, b, t), y = pick(avail, b, t);
                r = fresh(t);
                b.lines.add(r.name + " = select " + c.name + ", " + x.name + ", " + y.name);
                break;
            }
            case 8: {
                String from = type(), to = type();
                if (from.equals(to)) {
                    r = fresh(to);
                    b.lines.add(r.name + " = iconst." + to + " " + imm(to));
                } else {
                    Val x = pick(avail, b, from);
                    r = fresh(to);
                    String op = bits(to) < bits(from) ? "ireduce" : rnd.nextBoolean() ? "uextend" : "sextend";
                    b.lines.add(r.name + " = " + op + "." + to + " " + x.name);
                }
                break;
            }
            case 9: {
                Val x = pick(avail, b, t), y = pick(avail, b, t);
                r = fresh(t);
                if (rnd.nextBoolean()) {
                    Val flag = fresh("i8");
                    b.lines.add(r.name + ", " + flag.name + " = " + OVERFLOW[rnd.nextInt(OVERFLOW.length)] + " " + x.name + ", " + y.name);
                    b.defs.add(flag);
                    avail.add(flag);
                } else {
                    // uadd_overflow_trap is defined on i32 and i64 only.
                    String wide = bits(t) < 32 ? "i32" : t;
                    x = pick(avail, b, wide);
                    y = pick(avail, b, wide);
                    r = fresh(wide);
                    b.lines.add(r.name + " = uadd_overflow_trap " + x.name + ", " + y.name + ", " + TRAPS[rnd.nextInt(TRAPS.length)]);
                }
                break;
            }
            case 10: {
                Val c = anyVal(avail, b);
                b.lines.add((rnd.nextBoolean() ? "trapnz " : "trapz ") + c.name + ", " + TRAPS[rnd.nextInt(TRAPS.length)]);
                return;
            }
            default: {
                if (callees.isEmpty()) {
                    r = fresh(t);
                    b.lines.add(r.name + " = iconst." + t + " " + imm(t));
                    break;
                }
                int k = rnd.nextInt(callees.size());
                Fn c = callees.get(k);
                List<String> args = new ArrayList<>();
                for (String pt : c.params) args.add(pick(avail, b, pt).name);
                List<Val> rs = new ArrayList<>();
                for (String rt : c.returns) rs.add(fresh(rt));
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < rs.size(); i++) sb.append(i > 0 ? ", " : "").append(rs.get(i).name);
                b.lines.add(sb + " = call fn" + k + "(" + String.join(", ", args) + ")");
                for (Val v : rs) {
                    b.defs.add(v);
                    avail.add(v);
                }
                return;
            }
        }
        b.defs.add(r);
        avail.add(r);
    }

    /** `blockN(args)` for an edge to `to`, passing values of its parameter types. */
    private String edge(Blk from, Blk to, List<Val> avail) {
        if (to.params.isEmpty()) return "block" + to.index;
        List<String> args = new ArrayList<>();
        for (int i = 0; i < to.params.size(); i++) {
            if (to.loop && i == 0) {
                // Entering a counted loop: a small positive count, so it ends by itself.
                Val c = fresh("i64");
                from.lines.add(c.name + " = iconst.i64 " + (1 + rnd.nextInt(50)));
                from.defs.add(c);
                args.add(c.name);
            } else {
                args.add(pick(avail, from, to.params.get(i).type).name);
            }
        }
        return "block" + to.index + "(" + String.join(", ", args) + ")";
    }

    private void terminate(Fn f, Blk b, List<Val> avail) {
        List<Blk> later = f.blocks.subList(b.index + 1, f.blocks.size());
        if (b.loop) {
            Val c2 = fresh("i64");
            b.lines.add(c2.name + " = iadd_imm " + b.params.get(0).name + ", -1");
            b.defs.add(c2);
            List<String> args = new ArrayList<>(List.of(c2.name));
            for (int i = 1; i < b.params.size(); i++) args.add(pick(avail, b, b.params.get(i).type).name);
            Blk exit = later.get(rnd.nextInt(later.size()));
            b.terminator = "brif " + c2.name + ", block" + b.index + "(" + String.join(", ", args) + "), " + edge(b, exit, avail);
            return;
        }
        int choice = later.isEmpty() ? 0 : rnd.nextInt(5);
        switch (choice) {
            case 0: {
                List<String> vals = new ArrayList<>();
                for (String t : f.returns) vals.add(pick(avail, b, t).name);
                b.terminator = "return " + String.join(", ", vals);
                break;
            }
            case 1: case 2:
                b.terminator = "jump " + edge(b, later.get(rnd.nextInt(later.size())), avail);
                break;
            case 3: {
                Val c = anyVal(avail, b);
                b.terminator = "brif " + c.name + ", " + edge(b, later.get(rnd.nextInt(later.size())), avail) + ", "
                    + edge(b, later.get(rnd.nextInt(later.size())), avail);
                break;
            }
            default: {
                List<Blk> plain = new ArrayList<>();
                for (Blk x : later) if (x.params.isEmpty()) plain.add(x);
                if (plain.isEmpty()) {
                    b.terminator = "jump " + edge(b, later.get(0), avail);
                    break;
                }
                Val idx = pick(avail, b, "i32");
                List<String> table = new ArrayList<>();
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) table.add("block" + plain.get(rnd.nextInt(plain.size())).index);
                b.terminator = "br_table " + idx.name + ", block" + plain.get(rnd.nextInt(plain.size())).index + ", [" + String.join(", ", table) + "]";
            }
        }
    }

    // ---------------------------------------------------------------- defects

    /** Applies `d` to one function; returns a description, or null if this module offers no place for it. */
    String inject(Defect d) {
        Fn f = fns.get(rnd.nextInt(fns.size()));
        List<Blk> blocks = f.blocks;
        Blk b = blocks.get(rnd.nextInt(blocks.size()));
        switch (d) {
            case NONE:
                return "none";
            case TYPE_MISMATCH: {
                // Rewrite a binary instruction's second operand to a value of another type.
                for (Blk x : blocks) {
                    for (int i = 0; i < x.lines.size(); i++) {
                        String l = x.lines.get(i);
                        for (String op : BINARY) {
                            // Shift amounts may be of any integer type: not a mismatch.
                            if (op.contains("sh") || op.startsWith("rot")) continue;
                            String mark = " = " + op + " ";
                            int at = l.indexOf(mark);
                            if (at < 0 || l.contains(",  ")) continue;
                            String res = l.substring(0, at);
                            Val r = find(x, res);
                            if (r == null) continue;
                            String other = r.type.equals("i64") ? "i32" : "i64";
                            Val v = fresh(other);
                            x.lines.add(i, v.name + " = iconst." + other + " 7");
                            String ops = l.substring(at + mark.length());
                            x.lines.set(i + 1, res + mark + ops.substring(0, ops.indexOf(',')) + ", " + v.name);
                            return "type mismatch in " + f.name + ": " + x.lines.get(i + 1);
                        }
                    }
                }
                return null;
            }
            case EDGE_ARG_COUNT: case EDGE_ARG_TYPE: {
                for (Blk x : blocks) {
                    if (x.terminator == null || !x.terminator.startsWith("jump block") || !x.terminator.contains("(")) continue;
                    String t = x.terminator;
                    if (d == Defect.EDGE_ARG_COUNT) {
                        x.terminator = rnd.nextBoolean() ? t.substring(0, t.length() - 1) + ", " + (x.params.isEmpty() && x.defs.isEmpty()
                            ? "v0" : allVals(x).get(0).name) + ")" : dropLastArg(t);
                    } else {
                        Val v = fresh("i16");
                        Val w = fresh("i64");
                        x.lines.add(v.name + " = iconst.i16 1");
                        x.lines.add(w.name + " = iconst.i64 1");
                        int open = t.indexOf('('), comma = t.indexOf(',', open);
                        int end = comma < 0 ? t.length() - 1 : comma;
                        String first = t.substring(open + 1, end).trim();
                        Val cur = findAny(f, first);
                        String swap = cur != null && cur.type.equals("i16") ? w.name : v.name;
                        x.terminator = t.substring(0, open + 1) + swap + t.substring(end);
                    }
                    return d + " in " + f.name + ": " + x.terminator;
                }
                return null;
            }
            case RETURN_COUNT: case RETURN_TYPE: {
                for (Blk x : blocks) {
                    if (x.terminator == null || !x.terminator.startsWith("return")) continue;
                    if (d == Defect.RETURN_COUNT) {
                        Val v = fresh("i64");
                        x.lines.add(v.name + " = iconst.i64 3");
                        x.terminator = rnd.nextBoolean() ? x.terminator + ", " + v.name : "return";
                    } else {
                        String wrong = f.returns.get(0).equals("i8") ? "i64" : "i8";
                        Val v = fresh(wrong);
                        x.lines.add(v.name + " = iconst." + wrong + " 3");
                        String rest = x.terminator.substring("return ".length());
                        int comma = rest.indexOf(',');
                        x.terminator = "return " + v.name + (comma < 0 ? "" : rest.substring(comma));
                    }
                    return d + " in " + f.name + ": " + x.terminator;
                }
                return null;
            }
            case MISSING_TERMINATOR:
                b.terminator = null;
                return "block" + b.index + " of " + f.name + " has no terminator";
            case AFTER_TERMINATOR: {
                Val v = fresh("i32");
                b.terminator = b.terminator + "\n    " + v.name + " = iconst.i32 1";
                return "an instruction after block" + b.index + "'s terminator in " + f.name;
            }
            case UNDEFINED_VALUE: {
                Val v = fresh("i64");
                b.lines.add(v.name + " = iadd_imm v99999, 1");
                return "use of undefined v99999 in " + f.name;
            }
            case UNDEFINED_BLOCK:
                b.lines.add("jump block999");
                b.terminator = null;
                return "jump to undefined block999 in " + f.name;
            case CALL_ARG_COUNT: {
                if (fns.size() < 2 || f == fns.get(0)) return null;
                Fn callee = fns.get(0);
                f.decls.add("fn" + f.decls.size() + " = %" + callee.name + callee.signature());
                Val v = fresh("i64");
                b.lines.add(v.name + " = iconst.i64 5");
                List<String> args = new ArrayList<>();
                for (int i = 0; i <= callee.params.size(); i++) args.add(v.name); // one too many
                Val r = fresh(callee.returns.get(0));
                StringBuilder rs = new StringBuilder(r.name);
                for (int i = 1; i < callee.returns.size(); i++) rs.append(", ").append(fresh(callee.returns.get(i)).name);
                b.lines.add(rs + " = call fn" + (f.decls.size() - 1) + "(" + String.join(", ", args) + ")");
                return "call with " + args.size() + " arguments to %" + callee.name + callee.signature() + " in " + f.name;
            }
            case DUPLICATE_FUNCTION:
                fns.add(fns.get(rnd.nextInt(fns.size())));
                return "a duplicate function";
            case UNKNOWN_OPCODE: {
                Val v = fresh("i32");
                b.lines.add(v.name + " = iaddx.i32 1");
                return "unknown opcode iaddx in " + f.name;
            }
            case ENTRY_PARAMS: {
                Blk e = blocks.get(0);
                Val v = fresh("i16");
                e.params.add(v);
                return "entry block of " + f.name + " has a parameter the signature does not";
            }
            case NON_DOMINATING: {
                // Use, in one non-entry block, a value defined in another.
                for (Blk x : blocks) {
                    if (x.index == 0 || x.defs.isEmpty()) continue;
                    for (Blk y : blocks) {
                        if (y.index == 0 || y == x) continue;
                        Val src = x.defs.get(0);
                        Val v = fresh(src.type);
                        y.lines.add(0, v.name + " = iadd_imm " + src.name + ", 1");
                        return "block" + y.index + " uses " + src.name + " from block" + x.index + " in " + f.name;
                    }
                }
                return null;
            }
            case BRANCH_TO_ENTRY: {
                if (b.index == 0) return null;
                List<Val> avail = new ArrayList<>(allVals(blocks.get(0)));
                avail.addAll(allVals(b));
                b.terminator = "jump " + edge(b, blocks.get(0), avail);
                return "a jump to the entry block in " + f.name + ": " + b.terminator;
            }
            default:
                throw new AssertionError(d);
        }
    }

    private static List<Val> allVals(Blk x) {
        List<Val> l = new ArrayList<>(x.params);
        l.addAll(x.defs);
        return l;
    }

    private static Val find(Blk x, String name) {
        for (Val v : allVals(x)) if (v.name.equals(name)) return v;
        return null;
    }

    private static Val findAny(Fn f, String name) {
        for (Blk b : f.blocks) {
            Val v = find(b, name);
            if (v != null) return v;
        }
        return null;
    }

    private static String dropLastArg(String t) {
        int comma = t.lastIndexOf(',');
        int open = t.indexOf('(');
        if (comma < open) return t.substring(0, open) + "()";
        return t.substring(0, comma) + ")";
    }
}
