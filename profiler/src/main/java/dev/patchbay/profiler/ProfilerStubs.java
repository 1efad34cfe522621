/*
 * Problem: instrumentation profiling must be cheap while it is on. A Java upcall per hook
 * hit costs about 85 ns; the issue asks for at most 10 ns on the native fast path.
 * Approach: the hooks of the profile-entry and profile-exit sites are native code made
 * here, one copy per profiled Store, with that Store's addresses baked in (the state block
 * of ProfilerLayout and one site table per instance). They are plain C-ABI functions
 * hook(vmctx, returnAddress, guestFp) called by the preserve_all hook trampoline, so they
 * may clobber rax, rcx, rdx, rsi, rdi, r8-r11 and must return 0 in eax.
 *
 *   lookup   the return address, minus the instance's code base, shifted right by
 *            SITE_SHIFT, indexes the instance's site table: a u32 record offset (0 = not
 *            a profiled site, which returns at once). No search, no branch per function.
 *   entry    calls += 1; then, if timing: drop stale frames (see below), push a frame
 *            {record, guest RBP, rdtsc, 0} on the shadow stack and bump the record's
 *            ACTIVE count. The timestamp is taken last, so the hook's own work is not
 *            charged to the callee.
 *   exit     rdtsc first; find the frame (top of the shadow stack with the same guest RBP
 *            and record), pop it, add (now - t0) - childTicks to SELF, add now - t0 to
 *            TOTAL if this was the function's outermost activation (ACTIVE drops to 0),
 *            and add now - t0 to the parent frame's childTicks.
 *
 * Robustness: exits are skipped by traps and unwinds, and sites can be turned on or off
 * between an entry and its exit. Guest frames nest by address (the stack grows down), so a
 * shadow frame whose RBP is at or below the RBP of a new entry cannot be a live ancestor:
 * the entry drops it (STALE). An exit drops frames deeper than itself the same way, and
 * counts an exit whose frame is not on the stack as UNMATCHED instead of guessing.
 * A full shadow stack (STACK_MAX) stops timing the deeper frames (OVERFLOWS); calls still
 * count.
 *
 * Counters use plain adds, not locked ones: only the Store's owner thread runs its hooks.
 */
package dev.patchbay.profiler;

import dev.patchbay.codegen.machinst.CodeBuffer;
import dev.patchbay.codegen.machinst.Label;
import dev.patchbay.codegen.isa.x64.*;

import java.util.List;

import static dev.patchbay.profiler.ProfilerLayout.*;

/**
 * Generates the native profile-entry and profile-exit hooks of one profiled Store, with that
 * Store's addresses built in, so a hook hit costs a few nanoseconds and runs no Java.
 */
final class ProfilerStubs {
    private ProfilerStubs() {}

    /** One instance's code range and the site table that maps its return addresses. */
    public static final class Region {
        final long codeBase;
        final int codeSize;
        final long table;

        public Region(long codeBase, int codeSize, long table) {
            if (codeSize <= 0) throw new IllegalArgumentException("code size must be positive: " + codeSize);
            this.codeBase = codeBase;
            this.codeSize = codeSize;
            this.table = table;
        }
    }

    /** `long rdtsc(void)`: the 64-bit time-stamp counter, for calibration from Java. */
    public static byte[] readTsc() {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        a.rdtsc();
        a.shiftImm(ShiftOp.SHL, 8, Gpr.RDX, 32);
        a.alu(AluOp.OR, 8, Gpr.RAX, Gpr.RDX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    /** The profile-entry hook. Without timing it only counts calls (no rdtsc, no stack). */
    public static byte[] entryHook(long state, List<Region> regions, boolean timing) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label found = buf.newLabel(), none = buf.newLabel();
        Gpr fp = Gpr.R8, st = Gpr.R9, rec = Gpr.RCX, depth = Gpr.RDX, frame = Gpr.RSI;
        a.mov(8, fp, Gpr.RDX);
        lookup(a, buf, regions, found, none);
        buf.bind(found);
        a.movImm(st, state);
        a.aluImm(AluOp.ADD, 8, Mem.baseIndex(st, rec, 1, CALLS), 1);
        if (timing) {
            Label dropLoop = buf.newLabel(), push = buf.newLabel(), overflow = buf.newLabel();
            a.load(8, depth, Mem.base(st, DEPTH));
            buf.bind(dropLoop);
            a.test(8, depth, depth);
            a.jcc(Cond.E, push, true);
            topFrame(a, frame, depth);
            a.alu(AluOp.CMP, 8, Mem.baseIndex(st, frame, 1, STACK + F_FP), fp);
            a.jcc(Cond.A, push, true);
            dropTop(a, st, frame, depth);
            a.jmp(dropLoop, true);

            buf.bind(push);
            a.aluImm(AluOp.CMP, 8, depth, STACK_MAX);
            a.jcc(Cond.AE, overflow, true);
            a.mov(8, frame, depth);
            a.shiftImm(ShiftOp.SHL, 8, frame, FRAME_SHIFT);
            a.store(8, Mem.baseIndex(st, frame, 1, STACK + F_REC), rec);
            a.store(8, Mem.baseIndex(st, frame, 1, STACK + F_FP), fp);
            a.storeImm(8, Mem.baseIndex(st, frame, 1, STACK + F_CHILD), 0);
            a.aluImm(AluOp.ADD, 8, Mem.baseIndex(st, rec, 1, ACTIVE), 1);
            a.aluImm(AluOp.ADD, 8, depth, 1);
            a.store(8, Mem.base(st, DEPTH), depth);
            a.rdtsc();
            a.shiftImm(ShiftOp.SHL, 8, Gpr.RDX, 32);
            a.alu(AluOp.OR, 8, Gpr.RAX, Gpr.RDX);
            a.store(8, Mem.baseIndex(st, frame, 1, STACK + F_T0), Gpr.RAX);
            a.zero(Gpr.RAX);
            a.ret();

            buf.bind(overflow);
            a.store(8, Mem.base(st, DEPTH), depth);
            a.aluImm(AluOp.ADD, 8, Mem.base(st, OVERFLOWS), 1);
        }
        buf.bind(none);
        a.zero(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    /** The profile-exit hook (only installed when timing). */
    public static byte[] exitHook(long state, List<Region> regions) {
        CodeBuffer buf = new CodeBuffer();
        Assembler a = new Assembler(buf);
        Label found = buf.newLabel(), none = buf.newLabel(), loop = buf.newLabel(), drop = buf.newLabel(),
            unmatched = buf.newLabel(), notOutermost = buf.newLabel(), done = buf.newLabel();
        Gpr fp = Gpr.R8, st = Gpr.R9, now = Gpr.R10, rec = Gpr.RCX, depth = Gpr.RDX, frame = Gpr.RSI, t = Gpr.RDI;
        a.mov(8, fp, Gpr.RDX);
        a.rdtsc();
        a.shiftImm(ShiftOp.SHL, 8, Gpr.RDX, 32);
        a.alu(AluOp.OR, 8, Gpr.RAX, Gpr.RDX);
        a.mov(8, now, Gpr.RAX);
        lookup(a, buf, regions, found, none);
        buf.bind(found);
        a.movImm(st, state);
        a.load(8, depth, Mem.base(st, DEPTH));
        buf.bind(loop);
        a.test(8, depth, depth);
        a.jcc(Cond.E, unmatched, true);
        topFrame(a, frame, depth);
        a.alu(AluOp.CMP, 8, Mem.baseIndex(st, frame, 1, STACK + F_FP), fp);
        a.jcc(Cond.A, unmatched, true);   // the top frame is an ancestor: our entry was never pushed
        a.jcc(Cond.B, drop, true);        // the top frame is deeper than us: its exit never ran
        a.alu(AluOp.CMP, 8, Mem.baseIndex(st, frame, 1, STACK + F_REC), rec);
        a.jcc(Cond.NE, drop, true);       // same frame address, another function: stale
        // Matched: elapsed = now - t0; self += elapsed - child; total += elapsed if outermost.
        a.mov(8, Gpr.RAX, now);
        a.alu(AluOp.SUB, 8, Gpr.RAX, Mem.baseIndex(st, frame, 1, STACK + F_T0));
        a.mov(8, t, Gpr.RAX);
        a.alu(AluOp.SUB, 8, t, Mem.baseIndex(st, frame, 1, STACK + F_CHILD));
        a.alu(AluOp.ADD, 8, Mem.baseIndex(st, rec, 1, SELF), t);
        a.aluImm(AluOp.SUB, 8, Mem.baseIndex(st, rec, 1, ACTIVE), 1);
        a.jcc(Cond.NE, notOutermost, true);
        a.alu(AluOp.ADD, 8, Mem.baseIndex(st, rec, 1, TOTAL), Gpr.RAX);
        buf.bind(notOutermost);
        a.aluImm(AluOp.SUB, 8, depth, 1);
        a.store(8, Mem.base(st, DEPTH), depth);
        a.jcc(Cond.E, done, true);
        a.alu(AluOp.ADD, 8, Mem.baseIndex(st, frame, 1, STACK - FRAME_SIZE + F_CHILD), Gpr.RAX);
        buf.bind(done);
        a.zero(Gpr.RAX);
        a.ret();

        buf.bind(drop);
        dropTop(a, st, frame, depth);
        a.jmp(loop, true);

        buf.bind(unmatched);
        a.store(8, Mem.base(st, DEPTH), depth);
        a.aluImm(AluOp.ADD, 8, Mem.base(st, UNMATCHED), 1);
        buf.bind(none);
        a.zero(Gpr.RAX);
        a.ret();
        buf.finish();
        return buf.bytes();
    }

    /** frame = (depth - 1) << FRAME_SHIFT: the top frame's offset within the stack. */
    private static void topFrame(Assembler a, Gpr frame, Gpr depth) {
        a.lea(8, frame, Mem.base(depth, -1));
        a.shiftImm(ShiftOp.SHL, 8, frame, FRAME_SHIFT);
    }

    /** Pops the top frame as stale: its function's ACTIVE count drops, STALE counts it. Uses RAX. */
    private static void dropTop(Assembler a, Gpr st, Gpr frame, Gpr depth) {
        a.load(8, Gpr.RAX, Mem.baseIndex(st, frame, 1, STACK + F_REC));
        a.aluImm(AluOp.SUB, 8, Mem.baseIndex(st, Gpr.RAX, 1, ACTIVE), 1);
        a.aluImm(AluOp.ADD, 8, Mem.base(st, STALE), 1);
        a.aluImm(AluOp.SUB, 8, depth, 1);
    }

    /**
     * RCX = record offset of the site whose return address is in RSI; jumps to `found`, or
     * to `none` if the address is in no region or its slot is 0. Uses RAX and RCX.
     */
    private static void lookup(Assembler a, CodeBuffer buf, List<Region> regions, Label found, Label none) {
        for (int i = 0; i < regions.size(); i++) {
            Region r = regions.get(i);
            Label next = i + 1 < regions.size() ? buf.newLabel() : none;
            a.movImm(Gpr.RAX, r.codeBase);
            a.mov(8, Gpr.RCX, Gpr.RSI);
            a.alu(AluOp.SUB, 8, Gpr.RCX, Gpr.RAX);
            a.aluImm(AluOp.CMP, 8, Gpr.RCX, r.codeSize);
            a.jcc(Cond.AE, next, false);
            a.shiftImm(ShiftOp.SHR, 8, Gpr.RCX, SITE_SHIFT);
            a.movImm(Gpr.RAX, r.table);
            a.load(4, Gpr.RCX, Mem.baseIndex(Gpr.RAX, Gpr.RCX, SITE_SLOT_SIZE, 0));
            a.test(4, Gpr.RCX, Gpr.RCX);
            a.jcc(Cond.NE, found, false);
            a.jmp(none, false);
            if (next != none) buf.bind(next);
        }
        if (regions.isEmpty()) a.jmp(none, false);
    }
}
