/*
 * A Store's debugger: breakpoints as int3 bytes in the Store's private code copies, and
 * the stops they cause, decided on the owner thread at a safepoint.
 *
 * Problem: a breakpoint must cost nothing until it is set, be settable on a running guest
 * from any thread, and leave the instruction it covers working (including RIP-relative
 * instructions, branches and fused epoch sites) without being removed to do so.
 *
 * How:
 *  - Setting writes one 0xCC over the first byte of the location's first instruction: on
 *    an idle Store directly, on a running one through the site controller (the same arming
 *    write as for patch sites, membarrier included when configured). The vmctx's
 *    DEBUG_BREAKS word (set when the debugger is made) tells the SIGTRAP handler to send a
 *    non-site int3 to the safepoint stub; at a site offset the site path does it anyway.
 *  - The owner arrives in StoreCore.safepoint, which hands the PC to atTrap here: count
 *    hits, run the stop handler (outside the lock, so other threads may edit meanwhile),
 *    then step over the breakpoint: the owner writes the displaced byte back, sets
 *    STEP_STATE and returns the STEP status; the safepoint stub resumes with the trap flag,
 *    the displaced instruction runs in place (so nothing about it needs decoding or
 *    relocating), and the SIGTRAP handler's single-step path writes 0xCC again.
 *  - A breakpoint over a patch site's byte 0 holds it (InstanceSites.hold): the site's
 *    writes keep 0xCC there, and the displaced byte is the site's current form's.
 *  - A guest debugtrap (an int3 in the module's own code) that reaches here becomes the
 *    `debug` Trap it would have been without a debugger.
 *  - Conditions, hit conditions and log messages (BreakpointOptions) are parsed when the
 *    edit is applied and evaluated by the owner at each hit, under the lock, on the values
 *    the stop would show; a condition without a value stops with the reason
 *    (StopEvent.conditionProblem) rather than guess. Logpoint messages go to the consumer
 *    after the lock is released.
 *  - A breakpoint by machine instruction (InstructionLocation) must name an instruction
 *    start of the module's instruction table (CompiledModule.instructions), never a byte
 *    inside an instruction or inside a patch site past its byte 0; it does not slide.
 *  - STEP_INSTRUCTION is a step whose one-shot stops are at every instruction start (the
 *    resumed instruction runs under the trap flag as at any breakpoint, and the next one
 *    the owner reaches, whichever it is, stops).
 *  - Steps are one-shot internal breakpoints at every location start of the Store's code;
 *    the next one reached that satisfies the step's frame condition stops (STEP_OVER: the
 *    same frame or an outer one; STEP_OUT: an outer one), and they all go.
 *
 * Invariants:
 *  1. Every field is read and written under the Store's lock, except `handler` (volatile).
 *  2. While a call runs, only the owner writes a byte other than 0xCC into the code:
 *     removing a breakpoint from a running Store leaves its int3 in place ("pending") and
 *     the owner restores it at its next trap or when the call ends. So the single-step
 *     path's re-arm can never resurrect a byte someone else restored.
 *  3. A slot's byte is 0xCC in the code whenever `written` is true, except on the owner
 *     between its STEP return and the single-step trap (one instruction).
 *  4. Idle-Store writes happen inside SiteState's Dekker handshake, so an owner starting a
 *     call waits for them.
 * Tests: DebuggerTest, DebuggerConditionsTest, DebuggerDeadlineTest, DebuggerInstructionsTest.
 */
package dev.patchbay;

import dev.patchbay.codegen.ir.SourceLoc;
import dev.patchbay.codegen.ir.TrapCode;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.PatchSite;
import dev.patchbay.codegen.machinst.UnwindRange;
import dev.patchbay.codegen.machinst.LocationTable;
import dev.patchbay.codegen.machinst.ValueTable;
import dev.patchbay.debug.Breakpoint;
import dev.patchbay.debug.BreakpointEdit;
import dev.patchbay.debug.BreakpointOptions;
import dev.patchbay.debug.DebugAction;
import dev.patchbay.debug.Debugger;
import dev.patchbay.debug.InstructionLocation;
import dev.patchbay.debug.Location;
import dev.patchbay.debug.LogpointMessage;
import dev.patchbay.debug.StackFrame;
import dev.patchbay.debug.StopEvent;
import dev.patchbay.debug.StopHandler;
import dev.patchbay.debug.Variable;
import dev.patchbay.internal.sys.Native;
import dev.patchbay.spi.SiteController;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

final class StoreDebugger implements Debugger {
    private static final System.Logger LOG = System.getLogger(StoreDebugger.class.getName());
    /** The safepoint stub's status for "resume with the trap flag set" (SignalStubs.STATUS_STEP). */
    static final int STATUS_STEP = dev.patchbay.spi.SafepointHandler.STEP;
    private static final byte INT3 = (byte) 0xCC;

    /** One breakpoint byte in one code copy, shared by every breakpoint at that address. */
    private static final class Slot {
        final LoadedModule module;
        final int offset;
        final long exec, write;
        /** The patch site whose byte 0 this is, or -1. */
        final int site;
        /** The user's breakpoints here, in the order added. Invariant: none is removed. */
        final List<Bp> bps = new ArrayList<>();
        /** A step's one-shot stop is here too. */
        boolean internal;
        /** Invariant 3: 0xCC is in the code. */
        boolean written;

        Slot(LoadedModule module, int offset, int site) {
            this.module = module;
            this.offset = offset;
            this.exec = module.code().execAddress(offset);
            this.write = module.code().writeBase() + offset;
            this.site = site;
        }

        boolean unused() { return bps.isEmpty() && !internal; }
    }

    private final class Bp implements Breakpoint {
        final Location requested;
        final InstructionLocation instruction;
        final String function;
        final int line, column, machineOffset;
        final boolean logpoint;
        final Slot slot;
        final BreakpointOptions options;
        /** Parsed from `options`; null where an option is absent. */
        final Checks checks;
        /** Written by the owner under the lock; read anywhere. */
        volatile long hits;
        /** The hits at which the condition held: what the hit condition counts (owner, lock). */
        long passed;
        volatile boolean set = true;

        Bp(Object requested, String function, LocationTable.Entry at, int machineOffset, boolean logpoint, Slot slot, Checks checks) {
            this.requested = requested instanceof Location ? (Location) requested : null;
            this.instruction = requested instanceof InstructionLocation ? (InstructionLocation) requested : null;
            this.function = function;
            this.line = at.line();
            this.column = at.col();
            this.machineOffset = machineOffset;
            this.logpoint = logpoint;
            this.slot = slot;
            this.checks = checks;
            this.options = checks.options;
        }

        StoreDebugger owner() { return StoreDebugger.this; }

        @Override public Location requested() { return requested; }
        @Override public InstructionLocation requestedInstruction() { return instruction; }
        @Override public String function() { return function; }
        @Override public int line() { return line; }
        @Override public int column() { return column; }
        @Override public int machineOffset() { return machineOffset; }
        @Override public boolean isLogpoint() { return logpoint; }
        @Override public BreakpointOptions options() { return options; }
        @Override public long hits() { return hits; }
        @Override public boolean isSet() { return set; }

        @Override public String toString() {
            return (logpoint ? "logpoint" : "breakpoint") + " %" + function + " " + line + ":" + column + " (+0x" + Integer.toHexString(machineOffset) + ")";
        }
    }

    /** A breakpoint's options, parsed (each part null when absent). */
    private record Checks(BreakpointOptions options, DebugExpression condition, HitCondition hitCondition, LogTemplate message) {
        static Checks parse(BreakpointOptions o) {
            return new Checks(o,
                o.condition() == null ? null : DebugExpression.parse("condition", o.condition()),
                o.hitCondition() == null ? null : HitCondition.parse(o.hitCondition()),
                o.logMessage() == null ? null : LogTemplate.parse(o.logMessage()));
        }
    }

    /** A step in progress: what it waits for. */
    private record Step(DebugAction kind, long fp) {}

    private final StoreCore core;
    private final ReentrantLock lock;
    /** By exec address. */
    private final Map<Long, Slot> slots = new HashMap<>();
    /** Every breakpoint set now, in the order added. */
    private final List<Bp> all = new ArrayList<>();
    private Step step;
    /** pause() asked for a stop at the owner's next trap. */
    private boolean pauseRequested;
    private volatile StopHandler handler;
    private volatile Consumer<LogpointMessage> logpoints;
    /** Whether the epoch deadline runs on while the handler holds the guest stopped. */
    private volatile boolean deadlineRunsWhileStopped;

    StoreDebugger(StoreCore core, ReentrantLock lock) {
        this.core = core;
        this.lock = lock;
        core.vmctx.setDebugBreaks(true);
    }

    // ---- the API ----

    @Override public BreakpointEdit edit() {
        core.checkOpen();
        return new Edit();
    }

    @Override public void onStop(StopHandler handler) {
        core.checkOpen();
        this.handler = handler;
    }

    @Override public void onLogpoint(Consumer<LogpointMessage> consumer) {
        core.checkOpen();
        this.logpoints = consumer;
    }

    @Override public void setDeadlineRunsWhileStopped(boolean runs) {
        core.checkOpen();
        this.deadlineRunsWhileStopped = runs;
    }

    @Override public void pause() {
        core.checkOpen();
        lock.lock();
        try {
            pauseRequested = true;
        } finally {
            lock.unlock();
        }
        core.requestSafepoint();
    }

    @Override public List<Breakpoint> breakpoints() {
        core.checkOpen();
        lock.lock();
        try {
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    /** A batch of changes; applied once. */
    private final class Edit implements BreakpointEdit {
        /** Invariant: additions (Location or InstructionLocation) in call order; none is resolved until apply(). */
        private final List<Object> adds = new ArrayList<>();
        /** Invariant: in step with `adds`: whether each is a logpoint. */
        private final List<Boolean> logs = new ArrayList<>();
        /** Invariant: in step with `adds`: each one's options, parsed only by apply(). */
        private final List<BreakpointOptions> opts = new ArrayList<>();
        /** Invariant: breakpoints of this debugger only (others are refused when named). */
        private final List<Bp> removes = new ArrayList<>();
        /** Invariant: true once apply() ran; every method then throws. */
        private boolean applied;
        private boolean removeAll;

        private void open() {
            if (applied) throw new IllegalStateException("this edit was applied already; start another with debugger.edit()");
        }

        @Override public BreakpointEdit add(Location at) {
            open();
            adds.add(java.util.Objects.requireNonNull(at, "location"));
            logs.add(false);
            opts.add(BreakpointOptions.NONE);
            return this;
        }

        @Override public BreakpointEdit add(Location at, BreakpointOptions options) {
            open();
            java.util.Objects.requireNonNull(options, "options (BreakpointOptions.NONE for none)");
            adds.add(java.util.Objects.requireNonNull(at, "location"));
            logs.add(options.isLogpoint());
            opts.add(options);
            return this;
        }

        @Override public BreakpointEdit add(InstructionLocation at) { return add(at, BreakpointOptions.NONE); }

        @Override public BreakpointEdit add(InstructionLocation at, BreakpointOptions options) {
            open();
            java.util.Objects.requireNonNull(options, "options (BreakpointOptions.NONE for none)");
            adds.add(java.util.Objects.requireNonNull(at, "instruction location"));
            logs.add(options.isLogpoint());
            opts.add(options);
            return this;
        }

        @Override public BreakpointEdit addLogpoint(Location at) {
            open();
            adds.add(java.util.Objects.requireNonNull(at, "location"));
            logs.add(true);
            opts.add(BreakpointOptions.NONE);
            return this;
        }

        @Override public BreakpointEdit remove(Breakpoint breakpoint) {
            open();
            if (!(breakpoint instanceof Bp) || ((Bp) breakpoint).owner() != StoreDebugger.this) {
                throw new IllegalArgumentException(breakpoint + " is not a breakpoint of this Store");
            }
            removes.add((Bp) breakpoint);
            return this;
        }

        @Override public BreakpointEdit removeAll() {
            open();
            removeAll = true;
            return this;
        }

        @Override public List<Breakpoint> apply() {
            open();
            applied = true;
            return StoreDebugger.this.apply(adds, logs, opts, removes, removeAll);
        }
    }

    private List<Breakpoint> apply(List<Object> adds, List<Boolean> logs, List<BreakpointOptions> opts, List<Bp> removes, boolean removeAll) {
        core.checkOpen();
        lock.lock();
        try {
            core.checkOpen();
            // Resolve everything first: a bad location changes nothing.
            List<Object[]> resolved = new ArrayList<>();
            for (Object at : adds) resolved.add(at instanceof Location ? resolve((Location) at) : resolve((InstructionLocation) at));
            List<Checks> checks = new ArrayList<>();
            for (BreakpointOptions o : opts) checks.add(Checks.parse(o));
            if (!resolved.isEmpty() && core.ownership.owner() != null && core.engine.controller() == null) {
                throw new IllegalStateException("cannot set a breakpoint in a running Store without a site controller "
                    + "(the Engine was made with noSiteController()); set it between calls");
            }
            List<Bp> gone = new ArrayList<>(removeAll ? all : removes);
            List<Breakpoint> added = new ArrayList<>();
            core.sites.patchingLocked(() -> {
                for (Bp b : gone) {
                    if (!b.set) continue;
                    b.set = false;
                    all.remove(b);
                    b.slot.bps.remove(b);
                    releaseIfUnused(b.slot);
                }
                List<Slot> toArm = new ArrayList<>();
                for (int i = 0; i < resolved.size(); i++) {
                    Object[] r = resolved.get(i);
                    Slot s = slotFor((LoadedModule) r[0], (Integer) r[2]);
                    FunctionInfo f = (FunctionInfo) r[1];
                    LocationTable.Entry e = (LocationTable.Entry) r[3];
                    Bp b = new Bp(adds.get(i), f.name, e, e.offset() - f.start, logs.get(i), s, checks.get(i));
                    s.bps.add(b);
                    all.add(b);
                    added.add(b);
                    if (!s.written) toArm.add(s);
                }
                writeInt3(toArm);
            });
            return added;
        } finally {
            lock.unlock();
        }
    }

    /** [LoadedModule, FunctionInfo, offset, entry] for a location, or throws. */
    private Object[] resolve(Location at) {
        Object[] best = null;
        for (LoadedModule m : core.loaded()) {
            CompiledModule cm = m.module().compiled();
            for (FunctionInfo f : cm.functions) {
                if (at.function() != null && !at.function().equals(f.name)) continue;
                LocationTable.Entry e = cm.locations.firstAtOrAfter(f.index, at.line(), at.column());
                if (e == null) continue;
                if (best == null || before(e, (LocationTable.Entry) best[3])) best = new Object[] {m, f, e.offset(), e};
            }
        }
        if (best == null) {
            String where = at.function() != null ? "function %" + at.function() : "this Store's modules";
            throw new IllegalArgumentException("no code at or after line " + at.line() + (at.column() > 0 ? ":" + at.column() : "")
                + " in " + where + (core.loaded().isEmpty() ? " (nothing is instantiated yet)" : ""));
        }
        return best;
    }

    /** [LoadedModule, FunctionInfo, offset, entry] for an instruction, or throws naming the nearest starts. */
    private Object[] resolve(InstructionLocation at) {
        for (LoadedModule m : core.loaded()) {
            CompiledModule cm = m.module().compiled();
            for (FunctionInfo f : cm.functions) {
                if (!at.function().equals(f.name)) continue;
                int off = f.start + at.machineOffset();
                if (off >= f.codeEnd) {
                    throw new IllegalArgumentException(at + " is past the instructions of %" + f.name + ", which end at +0x"
                        + Integer.toHexString(f.codeEnd - f.start));
                }
                if (!cm.instructions.isStart(off)) {
                    int lo = cm.instructions.startAtOrBefore(off), hi = cm.instructions.startAfter(off);
                    throw new IllegalArgumentException(at + " is not the start of an instruction; the nearest are "
                        + rel(lo, f) + " and " + (hi < 0 || hi >= f.codeEnd ? "none after it" : rel(hi, f)));
                }
                for (PatchSite p : cm.patchSites) {
                    if (off > p.offset && off < p.offset + p.length) {
                        throw new IllegalArgumentException(at + " is inside patch site #" + p.id + " (" + p.kind + " at " + rel(p.offset, f)
                            + "), whose bytes the runtime rewrites; set it at " + rel(p.offset, f));
                    }
                }
                SourceLoc loc = cm.locations.locationAt(f.index, off);
                return new Object[] {m, f, off, new LocationTable.Entry(off, f.index, loc.line, loc.col)};
            }
        }
        throw new IllegalArgumentException("no function %" + at.function() + " in this Store's modules"
            + (core.loaded().isEmpty() ? " (nothing is instantiated yet)" : ""));
    }

    private static String rel(int off, FunctionInfo f) { return "+0x" + Integer.toHexString(off - f.start); }

    private static boolean before(LocationTable.Entry a, LocationTable.Entry b) {
        return a.line() != b.line() ? a.line() < b.line() : a.col() < b.col();
    }

    private Slot slotFor(LoadedModule m, int offset) {
        long exec = m.code().execAddress(offset);
        Slot s = slots.get(exec);
        if (s == null) {
            InstanceSites t = core.sites.tableOf(m);
            int site = t == null ? -1 : t.siteAt(offset);
            s = new Slot(m, offset, site);
            slots.put(exec, s);
        }
        return s;
    }

    /** Writes 0xCC at each slot: directly on an idle Store, by the controller on a running one. */
    private void writeInt3(List<Slot> toArm) {
        if (toArm.isEmpty()) return;
        for (Slot s : toArm) {
            if (s.site >= 0) core.sites.tableOf(s.module).hold(s.site, true);
            s.written = true;
        }
        SiteController c = core.engine.controller();
        if (core.ownership.owner() == null || c == null) {
            for (Slot s : toArm) Native.putByte(s.write, INT3);
        } else {
            long[] at = new long[toArm.size()];
            for (int i = 0; i < at.length; i++) at[i] = toArm.get(i).write;
            c.arm(at, at.length);
        }
    }

    /**
     * A slot nobody uses any more: restore its byte if no call runs (or the caller is the
     * owner at a trap), else leave the int3 for the owner (invariant 2).
     */
    private void releaseIfUnused(Slot s) {
        if (!s.unused()) return;
        Thread owner = core.ownership.owner();
        if (owner != null && owner != Thread.currentThread()) return;
        restore(s);
    }

    private void restore(Slot s) {
        if (s.written) {
            InstanceSites t = s.site >= 0 ? core.sites.tableOf(s.module) : null;
            if (t != null) t.hold(s.site, false);
            // An armed site keeps the int3: it is now the arm's.
            if (t == null || !t.isArmed(s.site)) Native.putByte(s.write, displaced(s));
            s.written = false;
        }
        slots.remove(s.exec);
    }

    /** The byte the int3 covers: the site's current form's first, or the module's own. */
    private byte displaced(Slot s) {
        if (s.site >= 0) return core.sites.tableOf(s.module).currentByte0(s.site);
        return s.module.module().compiled().bytesAt(s.offset, 1)[0];
    }

    /** Restores every unused slot (the owner, at a trap or at the end of its call). */
    private void restorePendingLocked() {
        List<Slot> unused = new ArrayList<>();
        for (Slot s : slots.values()) if (s.unused()) unused.add(s);
        for (Slot s : unused) restore(s);
    }

    // ---- the owner ----

    /**
     * The owner trapped at `pc` and the runtime's safepoint work says resume: a breakpoint,
     * a step's stop, a guest debugtrap, or an int3 removed meanwhile. Returns the status
     * for the safepoint stub: 0 resume, 1 unwind (trap code set), STATUS_STEP.
     */
    int atTrap(long pc, long fp) {
        boolean stop = false;
        Bp at = null;
        StopEvent.Reason reason = StopEvent.Reason.BREAKPOINT;
        String problem = null;
        List<LogpointMessage> messages = null;
        lock.lock();
        try {
            Slot s = slots.get(pc);
            boolean paused = pauseRequested;
            pauseRequested = false;
            if (paused) {
                stop = true;
                reason = StopEvent.Reason.PAUSE;
            }
            if (s == null || !s.written) {
                restorePendingLocked();
                if (!paused) return debugtrapOrResume(pc);
                s = null;
            }
            Names names = null;
            if (s != null) for (Bp b : s.bps) {
                b.hits++;
                Checks c = b.checks;
                if (c.condition() != null || c.message() != null) {
                    if (names == null) names = new Names(pc, fp);
                }
                if (c.condition() != null) {
                    boolean holds;
                    try {
                        holds = c.condition().eval(names) != 0;
                    } catch (DebugExpression.Problem p) {
                        // Never guess: a condition without a value stops, and says why.
                        stop = true;
                        if (at == null) at = b;
                        if (problem == null) problem = "the condition `" + c.condition() + "` of " + b + " cannot be evaluated: " + p.getMessage();
                        reason = StopEvent.Reason.BREAKPOINT;
                        continue;
                    }
                    if (!holds) continue;
                }
                b.passed++;
                if (c.hitCondition() != null && !c.hitCondition().test(b.passed)) continue;
                if (b.logpoint) {
                    String text = c.message() != null ? c.message().render(names) : b + " hit " + b.hits;
                    LOG.log(System.Logger.Level.DEBUG, () -> "logpoint " + b + ": " + text);
                    if (logpoints != null) {
                        if (messages == null) messages = new ArrayList<>();
                        messages.add(new LogpointMessage(b, b.hits, text));
                    }
                } else if (at == null) {
                    stop = true;
                    at = b;
                    reason = StopEvent.Reason.BREAKPOINT;
                }
            }
            if (s != null && s.internal && step != null && stepEnds(fp)) {
                endStepLocked();
                if (!stop) reason = StopEvent.Reason.STEP;
                stop = true;
            }
            restorePendingLocked();
        } finally {
            lock.unlock();
        }
        Consumer<LogpointMessage> sink = logpoints;
        if (messages != null && sink != null) {
            for (LogpointMessage m : messages) {
                try {
                    sink.accept(m);
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, "logpoint consumer failed; the guest continues", t);
                }
            }
        }
        DebugAction action = DebugAction.CONTINUE;
        StopHandler h = handler;
        if (stop && h != null) {
            Event e = new Event(reason, at, pc, fp, problem);
            boolean holdDeadline = !deadlineRunsWhileStopped;
            if (holdDeadline) core.epoch.debugStopBegins();
            try {
                action = h.onStop(e);
                if (action == null) action = DebugAction.CONTINUE;
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "debugger stop handler failed; the guest continues", t);
            } finally {
                e.end();
                if (holdDeadline) core.epoch.debugStopEnds();
            }
        }
        if (action == DebugAction.INTERRUPT) {
            core.vmctx.setTrapCode(TrapCode.INTERRUPT.code());
            return 1;
        }
        lock.lock();
        try {
            if (action != DebugAction.CONTINUE) beginStepLocked(action, fp);
            Slot s = slots.get(pc);
            if (s == null || !s.written) return paused(pc);
            if (s.unused()) {
                restore(s);
                return 0;
            }
            byte under = displaced(s);
            if (under == INT3) {
                // A debugtrap under the breakpoint: stepping it would trap here again, forever.
                // It traps as it would have without the breakpoint.
                core.vmctx.setTrapCode(TrapCode.DEBUG.code());
                return 1;
            }
            s.module.code().write1(s.offset, under);
            core.vmctx.setStep(1, s.write);
            return STATUS_STEP;
        } finally {
            lock.unlock();
        }
    }

    /** After a pause at a PC that is no breakpoint: a debugtrap still traps, anything else re-executes. */
    private int paused(long pc) { return debugtrapOrResume(pc); }

    /** Not one of ours (any more): a guest debugtrap becomes its `debug` Trap; anything else re-executes. */
    private int debugtrapOrResume(long pc) {
        LoadedModule m = core.loadedContaining(pc);
        if (m == null) return 0;
        int off = (int) (pc - m.code().execBase());
        InstanceSites t = core.sites.tableOf(m);
        if (t != null && t.siteAt(off) >= 0) return 0;
        if (m.code().read1(off) == INT3 && m.module().compiled().bytesAt(off, 1)[0] == INT3) {
            core.vmctx.setTrapCode(TrapCode.DEBUG.code());
            return 1;
        }
        return 0;
    }

    private boolean stepEnds(long fp) {
        switch (step.kind()) {
            case STEP_OVER: return Long.compareUnsigned(fp, step.fp()) >= 0;
            case STEP_OUT: return Long.compareUnsigned(fp, step.fp()) > 0;
            default: return true;
        }
    }

    /** A one-shot stop at every location start of the Store's code (owner, under the lock). */
    private void beginStepLocked(DebugAction kind, long fp) {
        step = new Step(kind, fp);
        List<Slot> toArm = new ArrayList<>();
        for (LoadedModule m : core.loaded()) {
            CompiledModule cm = m.module().compiled();
            for (FunctionInfo f : cm.functions) {
                for (int off : kind == DebugAction.STEP_INSTRUCTION ? instructionStarts(cm, f) : cm.locations.locationStarts(f.index)) {
                    Slot s = slotFor(m, off);
                    s.internal = true;
                    if (!s.written) toArm.add(s);
                }
            }
        }
        // The owner writes its own code: it is the only thread running it.
        for (Slot s : toArm) {
            if (s.site >= 0) core.sites.tableOf(s.module).hold(s.site, true);
            s.written = true;
            Native.putByte(s.write, INT3);
        }
    }

    /** A function's instruction starts where an int3 may go: not inside a patch site past its byte 0. */
    private static int[] instructionStarts(CompiledModule cm, FunctionInfo f) {
        List<Integer> out = new ArrayList<>();
        int[] starts = cm.instructions.startsIn(f.start, f.codeEnd);
        int i = 0;
        for (PatchSite p : cm.patchSites) {
            if (p.functionIndex != f.index) continue;
            while (i < starts.length && starts[i] <= p.offset) out.add(starts[i++]);
            while (i < starts.length && starts[i] < p.offset + p.length) i++;
        }
        while (i < starts.length) out.add(starts[i++]);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private void endStepLocked() {
        step = null;
        for (Slot s : slots.values()) s.internal = false;
    }

    /**
     * The owner's call is ending (before it gives up ownership): finish a step over a
     * breakpoint that an unwind cut short, drop a step in progress, restore what was removed.
     */
    void callEnding() {
        lock.lock();
        try {
            if (core.ownership.isClosed()) return;
            if (core.vmctx.stepState() != 0) {
                Native.putByte(core.vmctx.stepWrite(), INT3);
                core.vmctx.setStep(0, 0);
            }
            if (step != null) endStepLocked();
            restorePendingLocked();
        } finally {
            lock.unlock();
        }
    }

    // ---- stops ----

    /** What a handler sees; valid only during its call, on the owner. */
    private final class Event implements StopEvent {
        private final Reason reason;
        private final Breakpoint breakpoint;
        private final String problem;
        private final long pc, fp;
        private final Thread owner = Thread.currentThread();
        private boolean ended;

        Event(Reason reason, Breakpoint breakpoint, long pc, long fp, String problem) {
            this.reason = reason;
            this.breakpoint = breakpoint;
            this.problem = problem;
            this.pc = pc;
            this.fp = fp;
        }

        void end() { ended = true; }

        private void check() {
            if (ended || Thread.currentThread() != owner) {
                throw new IllegalStateException("a stop event is valid only inside its handler, on the owner thread");
            }
        }

        @Override public Reason reason() { return reason; }

        @Override public Breakpoint breakpoint() { return breakpoint; }

        @Override public String conditionProblem() { return problem; }

        /** The frames' PCs and frame pointers, innermost first; walked once. */
        private List<long[]> walked;

        private List<long[]> walk() {
            if (walked != null) return walked;
            List<long[]> out = new ArrayList<>();
            long startPc = pc, startFp = fp;
            // A stop in a prologue or at a `ret` (an instruction step can end there) is in a
            // frame whose RBP is still, or again, the caller's: its caller is found from the
            // frame rows at the PC, and the RBP chain is walked from there.
            UnwindRange.Row row = rowAt(pc);
            if (row != null && !(row.cfaFromRbp() && row.savedRbp() != 0)) {
                long cfa = (row.cfaFromRbp() ? fp : core.vmctx.safepointGpr(4)) + row.cfaOffset();
                out.add(new long[] {pc, fp});
                startPc = Native.getLong(cfa - 8);
                startFp = row.savedRbp() == 0 ? fp : Native.getLong(cfa + row.savedRbp());
                if (core.frameAt(startPc) == null) {
                    walked = out;
                    return out;
                }
            }
            List<Long> pcs = new ArrayList<>();
            GuestStackWalker.walk(core.vmctx, startPc, startFp, p -> {
                GuestFrame g = core.frameAt(p);
                if (g != null) pcs.add(p);
                return g;
            });
            // The walk validated the chain: frame k's RBP is [frame k-1's RBP].
            long f = startFp;
            for (int i = 0; i < pcs.size(); i++) {
                if (i > 0) f = Native.getLong(f);
                out.add(new long[] {pcs.get(i), f});
            }
            walked = out;
            return out;
        }

        /** The frame row in force at a PC of a function, or null. */
        private UnwindRange.Row rowAt(long at) {
            LoadedModule m = core.loadedContaining(at);
            if (m == null) return null;
            int off = (int) (at - m.code().execBase());
            for (UnwindRange u : m.module().compiled().unwind) {
                if (u.kind == UnwindRange.Kind.FUNCTION && off >= u.start && off < u.end) return u.rowAt(off);
            }
            return null;
        }

        @Override public List<StackFrame> frames() {
            check();
            List<long[]> w = walk();
            List<StackFrame> out = new ArrayList<>(w.size());
            for (int i = 0; i < w.size(); i++) out.add(frame(w.get(i)[0], i > 0));
            return out;
        }

        @Override public List<Variable> variables(int frame) {
            check();
            List<long[]> w = walk();
            if (frame < 0 || frame >= w.size()) throw new IndexOutOfBoundsException("frame " + frame + " of " + w.size());
            long at = w.get(frame)[0], rbp = w.get(frame)[1];
            LoadedModule m = core.loadedContaining(at);
            CompiledModule cm = m.module().compiled();
            int off = (int) (at - m.code().execBase());
            FunctionInfo f = cm.functionAt(off);
            List<Variable> out = new ArrayList<>();
            for (ValueTable.Value v : cm.values.of(f.index)) {
                if (v.kind() == ValueTable.Kind.CONSTANT) {
                    out.add(new Variable(v.name(), v.bits(), true, v.constant(), "constant"));
                } else if (!v.availableAt(off)) {
                    out.add(new Variable(v.name(), v.bits(), false, 0, "optimized out"));
                } else if (v.kind() == ValueTable.Kind.REGISTER) {
                    if (frame > 0) {
                        out.add(new Variable(v.name(), v.bits(), false, 0, "in a register of an outer frame"));
                    } else {
                        out.add(new Variable(v.name(), v.bits(), true, extend(core.vmctx.safepointGpr(v.where()), v.bits()),
                            REGISTER_NAMES[v.where()]));
                    }
                } else {
                    out.add(new Variable(v.name(), v.bits(), true, extend(Native.getLong(rbp + v.where()), v.bits()),
                        "[rbp" + (v.where() < 0 ? "-" + -v.where() : "+" + v.where()) + "]"));
                }
            }
            return out;
        }
    }

    /** The innermost frame's values by name, read once at a hit for its conditions and messages. */
    private final class Names implements Function<String, Variable> {
        private final long pc, fp;
        private Map<String, Variable> byName;

        Names(long pc, long fp) {
            this.pc = pc;
            this.fp = fp;
        }

        @Override public Variable apply(String name) {
            if (byName == null) {
                byName = new HashMap<>();
                Event e = new Event(StopEvent.Reason.BREAKPOINT, null, pc, fp, null);
                try {
                    for (Variable v : e.variables(0)) byName.put(v.name(), v);
                } finally {
                    e.end();
                }
            }
            return byName.get(name);
        }
    }

    private static final String[] REGISTER_NAMES = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};

    private static long extend(long raw, int bits) {
        return bits >= 64 ? raw : raw << (64 - bits) >> (64 - bits);
    }

    /** A frame at `pc`; an outer frame's PC is a return address, located at its call. */
    private StackFrame frame(long pc, boolean returnAddress) {
        LoadedModule m = core.loadedContaining(pc);
        CompiledModule cm = m.module().compiled();
        int off = (int) (pc - m.code().execBase());
        FunctionInfo f = cm.functionAt(off);
        SourceLoc loc = cm.locations.locationAt(f.index, returnAddress ? off - 1 : off);
        return new StackFrame(f.name, off - f.start, loc.line, loc.col);
    }

    /** For tests: the bytes of the Store's copy of a module's code now. */
    byte[] codeBytes(LoadedModule m) { return m.code().read(0, m.code().size()); }

}
