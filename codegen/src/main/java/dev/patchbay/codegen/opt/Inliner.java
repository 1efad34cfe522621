/*
 * Inlining of direct calls to small functions of the same module, self-recursive ones
 * included, to a bounded depth: gcc -O2's early and recursive inlining, narrowed to what a
 * one-module JIT sees. Recursive fib is the case that asks for it: after TailRecursion,
 * fib(n) keeps one call, fib(n-1), and loops over n -= 2; gcc -O2 then inlines fib into
 * itself about eight levels deep, each level with its own accumulator loop, so one real
 * call (frame, argument moves, return) does the work of several levels of the recursion.
 * Here the depth is 4, not gcc's 8: measured on the epoch suite's fib (./patchbay bench
 * --suite epoch --quick, builds with depths 3, 4, 5, 6, 8 interleaved, twice), fib/gcc was
 * 1.27x/1.28x at 3, 1.27x/1.25x at 4, 1.28x at 5, 1.30x at 6 and 1.35x at 8 (2.10x with no
 * inlining): every level keeps its n and accumulator live across the levels inside it, and
 * past four levels the outer ones are spilled to the frame, where gcc's allocator splits
 * them.
 *
 * How a call `r... = call fnK(a...)` in block B is replaced by the body of its callee g:
 * B is split after the call; the instructions after it move to a new continuation block C
 * whose parameters are the call's own result values (so no use of them is renamed). g's
 * reachable blocks are copied in g's layout order right after B, every value and block
 * fresh; g's entry block is merged into B with its parameters read as a... (or, if g
 * branches back to its entry, copied as a block B jumps to with a...). Every `return x...`
 * of g becomes `jump C(x...)`; a trap stays a trap, with its code. g's stack slots become
 * new slots of the caller, fresh for each inlined copy (two copies live at once, in a
 * recursion, must not share one); g's callee and signature references are found or added
 * in the caller under the same name and signature, so a call or hostcall inside g calls
 * the same function from the caller. Wasm's instance block is g's first parameter like any
 * other: the caller's argument flows in. Every copied instruction keeps its own source
 * location, so a trap or a debugger stop in inlined code maps to the callee's line.
 *
 * Which calls (each a condition checked before anything changes; a call that fails one is
 * left as it was):
 * - The callee is defined in the same compile (it is in `bodies`), the call's signature is
 *   the callee's, and the callee reference is not patchable. An import is never inlined:
 *   it has no body here.
 * - The callee has no patchable call of its own (a patch site belongs to its function: a
 *   site a controller turns on in g must not be copied into other functions), and no
 *   get_frame_pointer, get_stack_pointer or get_return_address (they would read the
 *   caller's frame). The caller is not preserve_all (the backend refuses floats there, and
 *   a callee may use them).
 * - A callee with a loop is inlined only into itself (a recursion, as fib after
 *   TailRecursion): anywhere else its call costs little next to the loop it runs, and it
 *   keeps its own frame, profile and breakpoints (demo.c marks collatz_len noinline so
 *   that the demo can show it as a function; Wasm has lost the attribute, this keeps it).
 *   A loop-free callee is inlined anywhere, since its call is most of what it costs.
 * - The callee has at most MAX_CALLEE_INSTS instructions, and a call inside an inlined
 *   copy is one level deeper than the call it replaced: nothing is inlined MAX_DEPTH or
 *   more levels deep. A recursion (self or mutual) therefore unrolls at most MAX_DEPTH
 *   levels and never forever, and the remaining call is a real call.
 * - The code-size budget: the caller grows by at most MAX_GROWTH instructions in all (each
 *   inlining costs the callee's instruction count). 450 is gcc's max-inline-insns-recursive,
 *   the size its recursive inlining may grow a function to; with the depth bound it lets a
 *   fib-sized function (11 instructions after TailRecursion) take all its levels, while a
 *   module of N functions grows by at most 450 N instructions, so compile time stays
 *   linear in the input.
 * Calls are taken in breadth-first order (the caller's own calls, then the calls of what
 * was inlined), so a budget that runs out stops the deepest levels, not a whole branch.
 *
 * Callees are read, never changed: Compiler.compile passes the module's functions as
 * TailRecursion and ByteFill left them and before instrumentation (the pass runs at
 * OptLevel.SPEED after those and before Instrumenter), so an inlined fib brings its loop
 * and no site of its own.
 *
 * What a user can see change, which is why it runs only at OptLevel.SPEED, never by
 * default: an inlined call has no entry or exit profile site of its own (the profile counts
 * fewer calls of g: the calls the inlined copies do not make), and no entry epoch site
 * (interruptibility holds: every loop of g is still a loop in the caller, which the
 * instrumentation pass gives its loop-header epoch site, and the caller keeps its entry
 * site; OptLevelCliTest.anInlinedRecursionThatNeverEndsIsStoppedByTheTimeout). A trap or a
 * sample in inlined code names the caller's frame, not g's: backtraces have no inlined
 * frames, though the location still names g's line. A breakpoint at one of g's lines is set
 * where the location table puts that line first, which may be one copy of several.
 */
package dev.patchbay.codegen.opt;

import dev.patchbay.codegen.analysis.Cfg;
import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.CallConv;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Signature;
import dev.patchbay.codegen.ir.StackSlot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Inlines direct calls to small functions of the same module (see the file comment). */
public final class Inliner {
    private Inliner() {}

    /** A callee with more instructions than this is not inlined. */
    public static final int MAX_CALLEE_INSTS = 40;
    /** Nothing is inlined this many levels deep or deeper (gcc's max-inline-recursive-depth is 8; see the file comment). */
    public static final int MAX_DEPTH = 4;
    /** The caller grows by at most this many instructions (gcc's max-inline-insns-recursive). */
    public static final int MAX_GROWTH = 450;

    /**
     * Inlines calls in a verified function, in place, with the default limits.
     *
     * @param f a verified function, which must not be one of the bodies
     * @param bodies the module's verified functions by name, read and never changed
     * @return the number of calls inlined
     */
    public static int apply(Function f, Map<String, Function> bodies) {
        return apply(f, bodies, MAX_GROWTH, MAX_DEPTH);
    }

    /**
     * Inlines calls in a verified function, in place.
     *
     * @param f a verified function, which must not be one of the bodies
     * @param bodies the module's verified functions by name, read and never changed
     * @param growth how many instructions the function may grow by
     * @param maxDepth calls this many inlinings deep are not inlined
     * @return the number of calls inlined
     */
    static int apply(Function f, Map<String, Function> bodies, int growth, int maxDepth) {
        if (f.signature.callConv == CallConv.PRESERVE_ALL || f.layout.isEmpty()) return 0;
        for (Function g : bodies.values()) {
            if (g == f) throw new IllegalArgumentException("%" + f.name + " is one of the bodies it would read");
        }
        return new Run(f, bodies).inlineAll(growth, maxDepth);
    }

    /** What a callee allows: inlining at all (ok), and into other functions than itself (no loop). */
    private record Callee(boolean ok, boolean loops) {}

    /** Whether a callee may be inlined anywhere: what it does must mean the same in another frame. */
    private static Callee inlinable(Function g) {
        if (g.layout.isEmpty() || g.instCount() > MAX_CALLEE_INSTS || !sameInAnyFrame(g)) return new Callee(false, false);
        Cfg cfg = new Cfg(g);
        boolean loops = false;
        for (Block b : g.layout) loops |= cfg.isReachable(b.id) && cfg.isLoopHeader(b.id);
        return new Callee(true, loops);
    }

    private static boolean sameInAnyFrame(Function g) {
        for (Block b : g.layout) {
            for (Inst i : b.insts) {
                switch (i.op) {
                    case GET_FRAME_POINTER, GET_STACK_POINTER, GET_RETURN_ADDRESS:
                        return false;
                    case CALL, FUNC_ADDR:
                        if (g.extFuncs.get(i.ref).patchable) return false;
                        break;
                    default:
                        break;
                }
            }
        }
        return true;
    }

    /** One function's inlining: the caller, the bodies, and the names already taken. */
    private static final class Run {
        final Function f;
        final Map<String, Function> bodies;
        final Map<Function, Callee> eligible = new IdentityHashMap<>();
        final Set<String> blockNames = new HashSet<>();
        final Set<String> valueNames = new HashSet<>();
        int nextBlockName, nextValueName;

        Run(Function f, Map<String, Function> bodies) {
            this.f = f;
            this.bodies = bodies;
            for (int b = 0; b < f.numBlocks(); b++) blockNames.add(f.block(b).name);
            for (int v = 0; v < f.numValues(); v++) valueNames.add(f.valueName(v));
            nextBlockName = f.numBlocks();
            nextValueName = f.numValues();
        }

        int inlineAll(int growth, int maxDepth) {
            int budget = growth, inlined = 0;
            Map<Inst, Integer> depth = new IdentityHashMap<>();
            ArrayDeque<Inst> work = new ArrayDeque<>();
            for (Block b : f.layout) for (Inst i : b.insts) if (i.op == Opcode.CALL) work.add(i);
            while (!work.isEmpty()) {
                Inst call = work.poll();
                int d = depth.getOrDefault(call, 0);
                if (d >= maxDepth) continue;
                Function g = callee(call);
                if (g == null) continue;
                int cost = g.instCount();
                if (cost > budget) continue;
                Block b = blockOf(call);
                if (b == null) continue;
                for (Inst c : inline(b, b.insts.indexOf(call), call, g)) {
                    depth.put(c, d + 1);
                    work.add(c);
                }
                budget -= cost;
                inlined++;
            }
            return inlined;
        }

        /** The body a call may be replaced with, or null. */
        Function callee(Inst call) {
            ExtFunc ef = f.extFuncs.get(call.ref);
            if (ef.patchable) return null;
            Function g = bodies.get(ef.name);
            if (g == null || !f.sigRefs.get(ef.sigRef).equals(g.signature)) return null;
            Callee c = eligible.computeIfAbsent(g, Inliner::inlinable);
            return c.ok && (!c.loops || g.name.equals(f.name)) ? g : null;
        }

        Block blockOf(Inst inst) {
            for (Block b : f.layout) {
                for (Inst i : b.insts) if (i == inst) return b;
            }
            return null;
        }

        /**
         * Replaces the call at b.insts[at] with a copy of g's body.
         *
         * @return the calls the copy makes, for the next level
         */
        List<Inst> inline(Block b, int at, Inst call, Function g) {
            // The continuation: what followed the call, entered with the call's results.
            Block cont = newBlock();
            cont.loc = call.loc;
            cont.cold = b.cold;
            List<Inst> after = b.insts.subList(at + 1, b.insts.size());
            cont.insts.addAll(after);
            after.clear();
            b.insts.remove(at);
            cont.params = call.results.clone();
            for (int r : cont.params) {
                f.defineByInst(r, null);
                f.defineByParam(r, cont);
            }

            Cfg cfg = new Cfg(g);
            Block gEntry = g.entryBlock();
            boolean entryIsTarget = false;
            for (Block gb : g.layout) {
                if (!cfg.isReachable(gb.id)) continue;
                Inst t = gb.terminator();
                if (t.targets != null) for (BlockCall bc : t.targets) entryIsTarget |= bc != null && bc.block == gEntry.id;
            }
            // Fresh blocks and values for everything g defines, before any instruction is
            // copied: a use may come before its definition in layout order.
            int[] vmap = new int[g.numValues()];
            Arrays.fill(vmap, -1);
            Block[] bmap = new Block[g.numBlocks()];
            List<Block> copied = new ArrayList<>();
            for (Block gb : g.layout) {
                if (!cfg.isReachable(gb.id)) continue;
                Block nb;
                if (gb == gEntry && !entryIsTarget) {
                    nb = b;
                    for (int k = 0; k < gb.params.length; k++) vmap[gb.params[k]] = call.args[k];
                } else {
                    nb = newBlock();
                    nb.loc = gb.loc;
                    nb.cold = gb.cold;
                    nb.params = new int[gb.params.length];
                    for (int k = 0; k < gb.params.length; k++) {
                        nb.params[k] = freshValue(g, gb.params[k]);
                        vmap[gb.params[k]] = nb.params[k];
                        f.defineByParam(nb.params[k], nb);
                    }
                    copied.add(nb);
                }
                bmap[gb.id] = nb;
                for (Inst i : gb.insts) for (int r : i.results) vmap[r] = freshValue(g, r);
            }
            if (bmap[gEntry.id] != b) {
                Inst j = new Inst(Opcode.JUMP);
                j.targets = new BlockCall[] {new BlockCall(bmap[gEntry.id].id, call.args)};
                j.loc = call.loc;
                b.insts.add(j);
            }

            Map<Integer, Integer> extRefs = new HashMap<>(), sigRefs = new HashMap<>(), slots = new HashMap<>();
            List<Inst> calls = new ArrayList<>();
            for (Block gb : g.layout) {
                if (!cfg.isReachable(gb.id)) continue;
                Block nb = bmap[gb.id];
                for (Inst i : gb.insts) {
                    Inst c = copy(i, vmap, bmap, cont, g, extRefs, sigRefs, slots);
                    nb.insts.add(c);
                    if (c.op == Opcode.CALL) calls.add(c);
                }
            }

            int pos = f.layout.indexOf(b) + 1;
            copied.add(cont);
            for (Block nb : copied) nb.inLayout = true;
            f.layout.addAll(pos, copied);
            return calls;
        }

        Inst copy(Inst i, int[] vmap, Block[] bmap, Block cont, Function g,
                  Map<Integer, Integer> extRefs, Map<Integer, Integer> sigRefs, Map<Integer, Integer> slots) {
            if (i.op == Opcode.RETURN) {
                // A return hands its values to the continuation.
                Inst j = new Inst(Opcode.JUMP);
                j.targets = new BlockCall[] {new BlockCall(cont.id, map(i.args, vmap))};
                j.loc = i.loc;
                return j;
            }
            Inst c = new Inst(i.op);
            c.type = i.type;
            c.args = i.args.length == 0 ? i.args : map(i.args, vmap);
            c.results = i.results.length == 0 ? i.results : map(i.results, vmap);
            for (int r : c.results) f.defineByInst(r, c);
            c.imm = i.imm;
            c.offset = i.offset;
            c.cond = i.cond;
            c.fcond = i.fcond;
            c.trapCode = i.trapCode;
            c.flags = i.flags;
            c.loc = i.loc;
            c.ref = switch (i.op) {
                case CALL, FUNC_ADDR -> extRefs.computeIfAbsent(i.ref, r -> extFunc(g, g.extFuncs.get(r)));
                case CALL_INDIRECT -> sigRefs.computeIfAbsent(i.ref, r -> sigRef(g.sigRefs.get(r)));
                case STACK_LOAD, STACK_STORE, STACK_ADDR -> slots.computeIfAbsent(i.ref, r -> {
                    StackSlot s = g.stackSlots.get(r);
                    f.stackSlots.add(new StackSlot(s.size, s.align, s.loc));
                    return f.stackSlots.size() - 1;
                });
                default -> i.ref;
            };
            if (i.targets != null) {
                c.targets = new BlockCall[i.targets.length];
                for (int k = 0; k < i.targets.length; k++) {
                    BlockCall t = i.targets[k];
                    c.targets[k] = t == null ? null : new BlockCall(bmap[t.block].id, map(t.args, vmap));
                }
            }
            return c;
        }

        /** The caller's reference to g's callee: an equal one if it has it, else a new one. */
        int extFunc(Function g, ExtFunc e) {
            int sig = sigRef(g.sigRefs.get(e.sigRef));
            for (int k = 0; k < f.extFuncs.size(); k++) {
                ExtFunc x = f.extFuncs.get(k);
                if (x.name.equals(e.name) && x.sigRef == sig && x.patchable == e.patchable && x.colocated == e.colocated) return k;
            }
            ExtFunc d = new ExtFunc(e.name, sig, e.colocated, e.patchable);
            d.loc = e.loc;
            f.extFuncs.add(d);
            return f.extFuncs.size() - 1;
        }

        int sigRef(Signature s) {
            int k = f.sigRefs.indexOf(s);
            if (k >= 0) return k;
            f.sigRefs.add(s);
            return f.sigRefs.size() - 1;
        }

        static int[] map(int[] vs, int[] vmap) {
            int[] out = new int[vs.length];
            for (int k = 0; k < vs.length; k++) {
                out[k] = vmap[vs[k]];
                if (out[k] < 0) throw new IllegalStateException("v" + vs[k] + " has no definition in a reachable block");
            }
            return out;
        }

        /** A new block with a name no block of f has (a parsed function names its blocks freely). */
        Block newBlock() {
            String name;
            do name = "block" + nextBlockName++; while (!blockNames.add(name));
            return f.newBlock(name);
        }

        /** A new value of v's type with a name no value of f has. */
        int freshValue(Function g, int v) {
            String name;
            do name = "v" + nextValueName++; while (!valueNames.add(name));
            return f.newValue(g.valueType(v), name);
        }
    }
}
