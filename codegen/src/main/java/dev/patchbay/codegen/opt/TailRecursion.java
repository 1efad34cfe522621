/*
 * Self-recursion that ends a path, turned into a loop, as GCC's tail-recursion pass does at
 * -O2 (with its accumulator extension). The shape it removes is fib's: a block that ends
 *
 *     c = call %f(a...)        ; f calling itself
 *     r = iadd x, c            ; (or iadd c, x, or no add at all: return c)
 *     return r
 *
 * The call's frame would only hand c back to be added, so the caller can instead add x to
 * an accumulator, pass a... as f's parameters again and start over. f(n) = f(n-1) + f(n-2) keeps
 * one real call (f(n-1)) and loops over n -= 2: half the calls, as in gcc's fib.
 *
 * How: a new entry block takes over f's parameters and jumps to the old entry block, which
 * becomes the loop header with f's parameters as block parameters and one more, the
 * accumulator (iconst 0 from the entry; absent if no matched path adds). A matched path
 * becomes `acc' = iadd acc, x; jump header(a..., acc')`; every other return of r becomes
 * `return iadd acc, r`. Wrapping addition is associative and commutative at every width,
 * so the sum is the same as the recursion's, bit for bit.
 *
 * Invariants (each a condition checked before anything is changed; a function that fails
 * one is left exactly as it was):
 * - The callee is f itself: an ExtFunc of f's name, not patchable, with f's signature.
 * - f returns one integer, or the only matched paths are plain `return call %f(...)`.
 * - f has no stack slots: a pointer into f's frame may have been passed to the call, and
 *   the loop reuses the frame the callee would have had to itself.
 * - The header is entered only from the new entry and the matched paths, so in layout order
 *   every matched jump is a backward branch: the instrumentation pass, which runs after this,
 *   puts an epoch site on it as on every loop, and the loop stays interruptible.
 *
 * What changes that a user can see: fewer calls (profile counts and backtraces show the
 * loop, not each level), and a recursion that never ends loops instead of overflowing the
 * stack. That is why it runs only at OptLevel.SPEED, never by default.
 */
package dev.patchbay.codegen.opt;

import dev.patchbay.codegen.ir.Block;
import dev.patchbay.codegen.ir.BlockCall;
import dev.patchbay.codegen.ir.ExtFunc;
import dev.patchbay.codegen.ir.Function;
import dev.patchbay.codegen.ir.Inst;
import dev.patchbay.codegen.ir.Opcode;
import dev.patchbay.codegen.ir.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns self-recursive calls at the end of a path into a loop (see the file comment). */
public final class TailRecursion {
    private TailRecursion() {}

    /** A matched path: its block, and the operand added to the call's result, or -1 for none. */
    private record Path(Block block, int addend) {}

    /**
     * Rewrites a verified function in place if it has matching paths.
     *
     * @param f a verified function
     * @return whether it was changed
     */
    public static boolean apply(Function f) {
        if (!f.stackSlots.isEmpty() || f.layout.isEmpty()) return false;
        List<Path> paths = new ArrayList<>();
        boolean adds = false;
        for (Block b : f.layout) {
            Path p = match(f, b);
            if (p != null) {
                paths.add(p);
                adds |= p.addend >= 0;
            }
        }
        if (paths.isEmpty()) return false;
        Type accType = null;
        if (adds) {
            if (f.signature.returns.size() != 1 || !f.signature.returns.get(0).type.isInt()) return false;
            accType = f.signature.returns.get(0).type;
        }
        rewrite(f, paths, accType);
        return true;
    }

    private static Path match(Function f, Block b) {
        int n = b.insts.size();
        if (n < 2) return null;
        Inst ret = b.insts.get(n - 1);
        if (ret.op != Opcode.RETURN) return null;
        Inst last = b.insts.get(n - 2);
        if (isSelfCall(f, last)) {
            // return call %f(...): the call's results are the returned values, in order.
            return Arrays.equals(ret.args, last.results) ? new Path(b, -1) : null;
        }
        if (n < 3 || last.op != Opcode.IADD || ret.args.length != 1 || ret.args[0] != last.result()) return null;
        Inst call = b.insts.get(n - 3);
        if (!isSelfCall(f, call) || call.results.length != 1) return null;
        int c = call.result();
        int x;
        if (last.args[1] == c && last.args[0] != c) x = last.args[0];
        else if (last.args[0] == c && last.args[1] != c) x = last.args[1];
        else return null;
        return new Path(b, x);
    }

    private static boolean isSelfCall(Function f, Inst i) {
        if (i.op != Opcode.CALL || i.ref < 0 || i.ref >= f.extFuncs.size()) return false;
        ExtFunc callee = f.extFuncs.get(i.ref);
        return callee.name.equals(f.name) && !callee.patchable && f.sigRefs.get(callee.sigRef).equals(f.signature);
    }

    private static void rewrite(Function f, List<Path> paths, Type accType) {
        Block header = f.entryBlock();
        Block entry = f.newBlock(null);
        entry.loc = header.loc;
        int[] entryParams = new int[header.params.length];
        for (int i = 0; i < entryParams.length; i++) {
            int old = header.params[i];
            entryParams[i] = f.newValue(f.valueType(old), null);
            f.defineByParam(entryParams[i], entry);
        }
        entry.params = entryParams;
        int[] jumpArgs = entryParams;
        int acc = -1;
        if (accType != null) {
            acc = f.appendBlockParam(header, accType, null);
            Inst zero = new Inst(Opcode.ICONST);
            zero.type = accType;
            zero.imm = 0;
            zero.loc = header.loc;
            f.makeResults(zero);
            entry.insts.add(zero);
            jumpArgs = Arrays.copyOf(entryParams, entryParams.length + 1);
            jumpArgs[entryParams.length] = zero.result();
        }
        entry.insts.add(jump(header, jumpArgs, header.loc));
        entry.inLayout = true;
        f.layout.add(0, entry);

        List<Block> matched = new ArrayList<>();
        for (Path p : paths) {
            matched.add(p.block);
            List<Inst> insts = p.block.insts;
            Inst ret = insts.remove(insts.size() - 1);
            Inst call;
            int[] next;
            if (p.addend < 0) {
                call = insts.remove(insts.size() - 1);
                next = call.args;
                if (acc >= 0) next = append(next, acc);
            } else {
                Inst add = insts.remove(insts.size() - 1);
                call = insts.remove(insts.size() - 1);
                Inst sum = new Inst(Opcode.IADD);
                sum.type = accType;
                sum.args = new int[] {acc, p.addend};
                sum.loc = add.loc;
                f.makeResults(sum);
                insts.add(sum);
                next = append(call.args, sum.result());
            }
            insts.add(jump(header, next, ret.loc.isKnown() ? ret.loc : call.loc));
        }
        if (acc < 0) return;
        for (Block b : f.layout) {
            if (b == entry || matched.contains(b)) continue;
            Inst ret = b.terminator();
            if (ret == null || ret.op != Opcode.RETURN) continue;
            Inst sum = new Inst(Opcode.IADD);
            sum.type = accType;
            sum.args = new int[] {acc, ret.args[0]};
            sum.loc = ret.loc;
            f.makeResults(sum);
            b.insts.add(b.insts.size() - 1, sum);
            ret.args = new int[] {sum.result()};
        }
    }

    private static Inst jump(Block to, int[] args, dev.patchbay.codegen.ir.SourceLoc loc) {
        Inst j = new Inst(Opcode.JUMP);
        j.targets = new BlockCall[] {new BlockCall(to.id, args.clone())};
        j.loc = loc;
        return j;
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }
}
