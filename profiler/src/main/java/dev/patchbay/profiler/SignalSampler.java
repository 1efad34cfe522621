/*
 * Problem: the SamplingProfiler stops the guest only at patch sites, so time spent in
 * straight-line code is charged to the next site reached (site bias). This sampler
 * interrupts the owner at whatever instruction it is running.
 *
 * Approach: a daemon thread (patchbay-signal-sampler) sends, every period, one real-time
 * signal (SignalSamplerLayout.SIGNAL, SIGRTMIN+6) to the owner thread of each sampled Store
 * that is in a guest call, with rt_tgsigqueueinfo aimed at the owner's kernel tid, the
 * Store's ring index in si_value. The handler is generated machine code
 * (SignalSamplerStubs): it checks that the thread runs that Store's guest code (the vmctx's
 * IN_GUEST word is its thread pointer) and that the PC is in the Store's code, then writes
 * the PC and a bounded RBP walk into the Store's lock-free ring (SignalSamplerLayout);
 * otherwise it counts why not. A thread inside a hostcall of the Store (the vmctx's
 * EXIT_THREAD word is its pointer) is sampled from its exit frame instead: LAST_EXIT_PC and
 * the walk from LAST_EXIT_FP, with the import's name as a host frame on top (decoded from
 * the call before the return address). No Java runs in signal context. The Java side drains the
 * rings on the sampling thread (and on every read of the results) and attributes each PC to
 * its function and machine offset. The compiled module has no machine-offset -> IR location
 * table, so a sample's location is the function plus its offset in the function's code.
 *
 * The owner's tid: Java cannot name a thread's kernel tid, and the runtime has no
 * call-start hook. The sampler reads IN_GUEST (the owner's thread pointer, fs:[0]) from the
 * vmctx; a thread pointer it has not seen before is learnt once: add() records the calling
 * thread's pair, and otherwise one safepoint on the owner (a site-biased stop, once per
 * owner thread) runs gettid and reads fs:[0] there. The handler reports the thread pointer
 * of a thread that took a signal while not running the Store, with the tid it was aimed at,
 * so a stale pair (a thread pointer reused by a new thread) corrects itself. A tid that no
 * longer exists answers ESRCH and is forgotten.
 *
 * Invariants:
 *  1 the handler reads only memory that cannot be unmapped (the table, pooled rings, vmctx
 *    slabs) and the interrupted thread's own stack inside the running call's bounds (in a
 *    hostcall, only when EXIT_THREAD is that thread, so LAST_EXIT_FP is its own frame);
 *  2 a signal names its ring by an index into the table, so a foreign or forged signal
 *    cannot make the handler follow a pointer;
 *  3 the handler stays installed once installed (a real-time signal's default action
 *    kills the process; a signal already on its way must still find it), and after close
 *    its slots are empty, so a late or deliberate signal is counted, not recorded;
 *  4 one producer per ring (the owner, in the handler, with the signal blocked) and one
 *    consumer (drain, under this sampler's lock); a full ring counts drops.
 */
package dev.patchbay.profiler;

import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.PatchRequest;
import dev.patchbay.Safepoint;
import dev.patchbay.SafepointListener;
import dev.patchbay.Store;
import dev.patchbay.codegen.machinst.CompiledModule;
import dev.patchbay.codegen.machinst.FunctionInfo;
import dev.patchbay.codegen.machinst.ImportInfo;
import dev.patchbay.codegen.vm.VmctxLayout;
import dev.patchbay.internal.RuntimeInternals;
import dev.patchbay.internal.sys.CodeMemory;
import dev.patchbay.internal.sys.Native;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.patchbay.profiler.SignalSamplerLayout.*;

/**
 * Samples the guest stacks of running Stores at any instruction, not only at patch sites:
 * a timer thread sends a real-time signal (signal 40, SIGRTMIN+6) to each owner thread, and a
 * generated handler records the interrupted PC and a bounded frame-pointer walk into a
 * per-Store ring buffer, which this class drains. Results have the {@link SamplingProfiler}'s
 * shapes: collapsed stacks, flame graphs, JFR {@code dev.patchbay.GuestSample} events; and
 * self samples per function, per machine offset ({@link #selfSamplesByLocation()}) and per
 * IR location ({@link #selfSamplesByIrLocation()}, CLIF line:col through the module's
 * location table).
 *
 * <p>A signal that reaches the owner inside a hostcall is attributed to the import, as a
 * host frame ({@code name_[h]} in collapsed stacks) on top of the guest frames that called
 * it. One that reaches it while it runs other Java (a safepoint's listeners, the rest of a
 * hostcall after a nested guest call returned) or nothing is counted ({@link
 * #notInGuest()}), not attributed. Learning an owner thread's kernel id needs one
 * safepoint on it, so a Store whose owner did not call {@link #add} needs a site controller
 * ({@link dev.patchbay.Engine#hasSiteController()}) and patch sites.
 *
 * <p>Thread-safe.
 */
public final class SignalSampler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SignalSampler.class.getName());
    private static final int ESRCH = 3;
    /** How long a safepoint request that learns the owner's tid may stay unapplied before it is asked again. */
    private static final long LEARN_RETRY_NS = 200_000_000L;
    /** The collapsed-format annotation of a host frame (FlameGraph colours it as one). */
    static final String HOST_FRAME = "_[h]";
    /** The default ring: 4,096 samples of up to 30 frames (1 MiB) per Store. */
    public static final int DEFAULT_RING_CAPACITY = 4096;

    // ---- process-wide: the handler and its table, installed once and never freed

    private static final class Global {
        final long table = Native.calloc(1, TABLE_SIZE);
        final long handler, send, threadPointer;
        final int pid = Native.getpid();
        final boolean[] used = new boolean[MAX_TARGETS];
        final Map<Integer, ArrayDeque<Long>> pool = new TreeMap<>();

        Global() {
            CodeMemory code = CodeMemory.allocate(4096, "signal-sampler");
            byte[] h = SignalSamplerStubs.handler(table), s = SignalSamplerStubs.sendSample(), t = SignalSamplerStubs.threadPointer();
            code.write(0, h);
            code.write(2048, s);
            code.write(3072, t);
            handler = code.execAddress(0);
            send = code.execAddress(2048);
            threadPointer = code.execAddress(3072);
            long act = Native.calloc(1, 152), old = Native.calloc(1, 152);
            Native.sigaction(SIGNAL, 0, old);
            long current = Native.getLong(old);
            if (current != 0) {
                throw new IllegalStateException("signal " + SIGNAL + " (SIGRTMIN+6) already has a handler (0x" + Long.toHexString(current)
                    + "); the signal sampler needs it for itself");
            }
            Native.putLong(act, handler);
            // SA_SIGINFO | SA_ONSTACK | SA_RESTART; the signal itself is blocked while the handler runs.
            Native.putInt(act + 136, 0x4 | 0x08000000 | 0x10000000);
            Native.sigaction(SIGNAL, act, 0);
            LOG.log(System.Logger.Level.DEBUG, () -> "signal sampler handler installed for signal " + SIGNAL);
        }

        synchronized int claimSlot(long ring) {
            for (int i = 0; i < MAX_TARGETS; i++) {
                if (!used[i]) {
                    used[i] = true;
                    Native.putLong(table + T_SLOTS + 8L * i, ring);
                    return i;
                }
            }
            throw new IllegalStateException("more than " + MAX_TARGETS + " Stores are signal-sampled at once");
        }

        synchronized void releaseSlot(int i) {
            Native.putLong(table + T_SLOTS + 8L * i, 0);
            used[i] = false;
        }

        synchronized long ring(int capacity, long vmctx) {
            ArrayDeque<Long> free = pool.get(capacity);
            long r = free == null || free.isEmpty() ? Native.calloc(1, ringBytes(capacity)) : free.pollFirst();
            Native.setMemory(r, SLOTS_AT, (byte) 0);
            Native.putLong(r + VMCTX, vmctx);
            Native.putLong(r + MASK, capacity - 1);
            Native.putLong(r + CAPACITY, capacity);
            return r;
        }

        /** Back to the pool, never freed: a handler may still hold its address (invariant 1). */
        synchronized void returnRing(int capacity, long ring) {
            pool.computeIfAbsent(capacity, k -> new ArrayDeque<>()).addLast(ring);
        }
    }

    private static Global global;

    private static synchronized Global global() {
        if (global == null) global = new Global();
        return global;
    }

    /** Thread pointer (fs:[0]) to kernel tid, of the threads seen running guest code. */
    private static final Map<Long, Integer> TIDS = new ConcurrentHashMap<>();

    private static void learnCurrentThread() {
        Global g = global();
        TIDS.put(Native.call(g.threadPointer), Native.gettid());
    }

    // ---- per Store

    /** One code copy: where it is and what it holds. */
    private record Code(long base, long end, CompiledModule module) {}

    private final class Target implements SafepointListener {
        final Store store;
        final String name;
        final long vmctx, ring, siginfo;
        final int slot;
        /** The Store's code copies, in instance order: code.get(i) is instance i's. */
        final List<Code> code = new CopyOnWriteArrayList<>();
        /** Self samples per instance and function (leafKey), for metrics; written under the sampler's lock. */
        final Map<String, Long> leaves = new ConcurrentHashMap<>();
        final AtomicBoolean learning = new AtomicBoolean();
        PatchRequest learnRequest;
        long learnAt;
        long sent, idle, recorded, unattributed;
        boolean detached;

        Target(Store store, String name) {
            this.store = store;
            this.name = name;
            this.vmctx = RuntimeInternals.vmctxAddress(store);
            Global g = global();
            this.ring = g.ring(capacity, vmctx);
            this.siginfo = Native.calloc(1, SIGINFO_SIZE);
            this.slot = g.claimSlot(ring);
            Native.putInt(siginfo + SI_SIGNO, SIGNAL);
            Native.putInt(siginfo + SI_CODE, SI_QUEUE);
            Native.putInt(siginfo + SI_PID, g.pid);
            Native.putInt(siginfo + SI_VALUE, slot);
            refreshCode();
        }

        /** Publishes the code ranges of instances added since the last call (range first, then the count). */
        void refreshCode() {
            List<Instance> ins;
            try {
                ins = store.instances();
            } catch (IllegalStateException closed) {
                return;
            }
            for (int i = code.size(); i < ins.size() && i < MAX_RANGES; i++) {
                Instance in = ins.get(i);
                long base;
                try {
                    base = RuntimeInternals.codeAddress(in);
                } catch (IllegalStateException closed) {
                    return;
                }
                CompiledModule cm = in.module().compiled();
                Code c = new Code(base, base + cm.codeSize(), cm);
                Native.putLong(ring + RANGES + 16L * i, c.base);
                Native.putLong(ring + RANGES + 16L * i + 8, c.end);
                VarHandle.releaseFence();
                Native.putLong(ring + NRANGES, i + 1);
                code.add(c);
            }
        }

        @Override public void onSafepoint(Safepoint at) {
            if (learning.compareAndSet(true, false)) learnCurrentThread();
        }

        /**
         * The import a guest call with return address ret calls: the {@code call rel32}
         * before it targets that import's exit trampoline; "hostcall" when it is not one.
         */
        String hostcallAt(long ret) {
            for (Code c : code) {
                if (ret < c.base + 5 || ret > c.end) continue;
                int off = (int) (ret - c.base);
                byte[] call = c.module.bytesAt(off - 5, 5);
                if (call.length != 5 || call[0] != (byte) 0xE8) return "hostcall";
                int target = off + ((call[1] & 0xFF) | (call[2] & 0xFF) << 8 | (call[3] & 0xFF) << 16 | call[4] << 24);
                for (ImportInfo imp : c.module.imports) if (imp.trampoline == target) return imp.name;
                return "hostcall";
            }
            return "hostcall";
        }

        /** The index of the instance whose code holds pc, -1 if none. */
        int instanceAt(long pc) {
            for (int i = 0; i < code.size(); i++) {
                Code c = code.get(i);
                if (pc >= c.base && pc < c.end) return i;
            }
            return -1;
        }

        /**
         * The IR location (CLIF line:col) of the instruction at a PC, from the module's
         * location table; "?" where its code belongs to no IR instruction (prologue, moves).
         */
        String irLocation(long pc) {
            for (Code c : code) {
                if (pc < c.base || pc >= c.end) continue;
                int off = (int) (pc - c.base);
                FunctionInfo f = c.module.functionAt(off);
                if (f == null) return "?";
                dev.patchbay.codegen.ir.SourceLoc loc = c.module.locations.locationAt(f.index, off);
                return loc.isKnown() ? loc.toString() : "?";
            }
            return "?";
        }

        GuestFrame frame(long pc) {
            for (Code c : code) {
                if (pc < c.base || pc >= c.end) continue;
                FunctionInfo f = c.module.functionAt((int) (pc - c.base));
                return f == null ? null : new GuestFrame(f.name, (int) (pc - c.base) - f.start);
            }
            return null;
        }

        /**
         * The caller's return address when the PC is where RBP does not yet (or no longer)
         * hold this function's frame: its first instruction ([RSP]), right after its
         * {@code push rbp} ([RSP + 8]), or its {@code ret} ([RSP]); else 0.
         */
        long callerOnStack(long pc, GuestFrame leaf, long sp0, long sp1) {
            for (Code c : code) {
                if (pc < c.base || pc >= c.end) continue;
                int off = (int) (pc - c.base), start = off - leaf.offset();
                byte[] at = c.module.bytesAt(off, 1);
                if (leaf.offset() == 0 || (at.length == 1 && at[0] == (byte) 0xC3)) return sp0;
                byte[] first = c.module.bytesAt(start, 1);
                if (leaf.offset() == 1 && first.length == 1 && first[0] == 0x55) return sp1;
                return 0;
            }
            return 0;
        }

        /** Signals the owner if it is in a guest call whose thread we know. */
        void tick() {
            if (detached) return;
            if (store.isClosed()) {
                detach();
                return;
            }
            long missTp = Native.getLong(ring + LAST_MISS_TP);
            if (missTp != 0) {
                int missTid = (int) Native.getLong(ring + LAST_MISS_TID);
                Native.putLong(ring + LAST_MISS_TP, 0);
                // The thread with tid missTid has pointer missTp: forget any other pointer mapped to it.
                TIDS.entrySet().removeIf(e -> e.getValue() == missTid && e.getKey() != missTp);
                TIDS.put(missTp, missTid);
            }
            long tp = Native.getLong(vmctx + VmctxLayout.IN_GUEST);
            // In a hostcall IN_GUEST is 0, and EXIT_THREAD names the thread in it.
            if (tp == 0) tp = Native.getLong(vmctx + VmctxLayout.EXIT_THREAD);
            if (tp == 0) {
                idle++;
                return;
            }
            Integer tid = TIDS.get(tp);
            if (tid == null) {
                learn();
                return;
            }
            send(tid);
        }

        void send(int tid) {
            lastTid = tid;
            Native.putInt(siginfo + SI_VALUE + 4, tid);
            long rc = Native.call(global().send, global().pid, tid, SIGNAL, siginfo);
            if (rc == -ESRCH) TIDS.values().removeIf(v -> v == tid);
            else if (rc == 0) sent++;
        }

        void learn() {
            // A request not applied within LEARN_RETRY_NS is asked again: under load the owner
            // may take a long time to reach a site, and one lost request must not stop sampling.
            if (learnRequest != null && !learnRequest.isDone() && System.nanoTime() - learnAt < LEARN_RETRY_NS) return;
            learnAt = System.nanoTime();
            try {
                learning.set(true);
                learnRequest = store.requestSafepoint();
            } catch (RuntimeException e) {
                learning.set(false);
            }
        }

        void detach() {
            if (detached) return;
            detached = true;
            global().releaseSlot(slot);
            drainLocked(this);
            dropsSeen += Native.getLong(ring + DROPS);
            notInGuestSeen += Native.getLong(ring + NOT_IN_GUEST);
            outsideSeen += Native.getLong(ring + OUTSIDE_CODE);
            if (!store.isClosed()) {
                try {
                    store.removeSafepointListener(this);
                } catch (IllegalStateException closedMeanwhile) {
                    // the same as closed
                }
            }
            global().returnRing(capacity, ring);
            Native.free(siginfo);
        }
    }

    private final int capacity;
    private final List<Target> targets = new CopyOnWriteArrayList<>();
    private final StackCounts stacks = new StackCounts();
    private final Map<String, Long> locations = new TreeMap<>();
    private final Map<String, Long> irLocations = new TreeMap<>();
    private long dropsSeen, notInGuestSeen, outsideSeen;
    private final SampleClock clock = new SampleClock("patchbay-signal-sampler");
    private long lastDrain;
    private boolean closed;
    private volatile int lastTid;

    /** A sampler of no Store yet, with rings of {@link #DEFAULT_RING_CAPACITY} samples. */
    public SignalSampler() { this(DEFAULT_RING_CAPACITY); }

    /**
     * A sampler of no Store yet.
     *
     * @param ringCapacity samples each Store's ring holds between drains; a power of two, 2 to 2^20
     * @throws IllegalArgumentException if ringCapacity is not a power of two in range
     * @throws IllegalStateException if signal 40 already has a handler of someone else's
     */
    public SignalSampler(int ringCapacity) {
        if (ringCapacity < 2 || ringCapacity > (1 << 20) || Integer.bitCount(ringCapacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two in [2, 2^20]: " + ringCapacity);
        }
        this.capacity = ringCapacity;
        global();
    }

    /**
     * A sampler of one Store; {@link #add} more.
     *
     * @param store the Store
     * @throws IllegalStateException if the Store is closed
     */
    public SignalSampler(Store store) {
        this();
        add(store, "store");
    }

    /**
     * Samples a Store too; adding one twice does nothing. Called on the Store's owner thread,
     * it also learns that thread's kernel id, so no safepoint is needed for it.
     *
     * @param store the Store
     * @param name its name in JFR sample events
     * @return this sampler
     * @throws IllegalStateException if this sampler or the Store is closed, or 64 Stores are
     *                               signal-sampled already
     */
    public synchronized SignalSampler add(Store store, String name) {
        if (closed) throw new IllegalStateException("SignalSampler is closed");
        for (Target t : targets) if (t.store == store) return this;
        if (store.isClosed()) throw new IllegalStateException("store is closed");
        learnCurrentThread();
        Target t = new Target(store, name);
        store.addSafepointListener(t);
        targets.add(t);
        return this;
    }

    /**
     * Starts the sampling thread: one signal per running Store per period.
     *
     * @param period the time between samples; at least 10 us is used
     * @return this sampler
     * @throws IllegalArgumentException if period is null, zero or negative
     * @throws IllegalStateException if this sampler is closed or already sampling
     */
    public synchronized SignalSampler start(Duration period) {
        if (closed) throw new IllegalStateException("SignalSampler is closed");
        lastDrain = System.nanoTime();
        clock.start(period, this::tick);
        return this;
    }

    /** One period: a signal to each running Store's owner, and the rings drained every 10 ms. */
    private synchronized void tick() {
        if (closed) return;
        for (Target t : targets) {
            try {
                t.tick();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "signal sampling failed for " + t.name, e);
            }
        }
        if (System.nanoTime() - lastDrain > 10_000_000L) {
            for (Target t : targets) {
                t.refreshCode();
                drainLocked(t);
            }
            lastDrain = System.nanoTime();
        }
    }

    /** Moves every sample in t's ring into the results (the ring's only consumer, under this lock). */
    private void drainLocked(Target t) {
        long ring = t.ring;
        long head = Native.getLong(ring + HEAD);
        VarHandle.acquireFence();
        long tail = Native.getLong(ring + TAIL);
        if (head - tail > capacity || head < tail) {
            // Only a handler that held this ring's address across its return to the pool writes
            // outside the protocol (invariant 1's late sample): skip, never loop over garbage.
            t.unattributed++;
            tail = head;
        }
        for (long seq = tail; seq < head; seq++) {
            long slotAddr = ring + SLOTS_AT + ((seq & (capacity - 1)) << SLOT_SHIFT);
            long pc = Native.getLong(slotAddr + S_PC);
            long depthWord = Native.getLong(slotAddr + S_DEPTH);
            boolean inHostcall = (depthWord & EXIT_FLAG) != 0;
            int depth = (int) Math.min(MAX_DEPTH, Math.max(0, depthWord & ~EXIT_FLAG));
            // In a hostcall the PC is a return address: look up the call itself.
            GuestFrame leaf = t.frame(inHostcall ? pc - 1 : pc);
            if (leaf == null) {
                t.unattributed++;
                continue;
            }
            List<GuestFrame> frames = new ArrayList<>(depth + 3);
            if (inHostcall) frames.add(new GuestFrame(t.hostcallAt(pc) + HOST_FRAME, 0));
            frames.add(leaf);
            // Where RBP is still the caller's frame, the caller's return address is on top of the stack.
            long callerRet = inHostcall ? 0 : t.callerOnStack(pc, leaf, Native.getLong(slotAddr + S_SP0), Native.getLong(slotAddr + S_SP1));
            if (callerRet != 0) {
                GuestFrame f = t.frame(callerRet - 1);
                if (f != null) frames.add(f);
            }
            for (int i = 0; i < depth; i++) {
                // A return address is just after its call: look up the call itself.
                GuestFrame f = t.frame(Native.getLong(slotAddr + S_FRAMES + 8L * i) - 1);
                if (f != null) frames.add(f);
            }
            String[] names = new String[frames.size()];
            for (int i = 0; i < names.length; i++) names[i] = frames.get(names.length - 1 - i).function();
            stacks.add(names);
            t.recorded++;
            GuestFrame self = frames.get(0);
            t.leaves.merge(SamplingProfiler.leafKey(inHostcall ? -1 : t.instanceAt(pc), self.function()), 1L, Long::sum);
            locations.merge(inHostcall ? self.function() : leaf.function() + "+0x" + Integer.toHexString(leaf.offset()), 1L, Long::sum);
            irLocations.merge(inHostcall ? self.function() : leaf.function() + "@" + t.irLocation(pc), 1L, Long::sum);
            JfrEvents.sample(t.name, frames);
        }
        VarHandle.releaseFence();
        Native.putLong(ring + TAIL, head);
    }

    /** Drains every ring now (reads of the results do this themselves). */
    public synchronized void drain() {
        for (Target t : targets) if (!t.detached) drainLocked(t);
    }

    /** Stops the sampling thread (samples taken so far are kept, and drained). */
    public void stop() {
        clock.stop();
        drain();
    }

    /**
     * Whether the sampling thread runs.
     *
     * @return true while sampling
     */
    public boolean isRunning() { return clock.isRunning(); }

    /**
     * Samples recorded and attributed to a guest function, over all Stores.
     *
     * @return the count
     */
    public long samples() {
        drain();
        return stacks.total();
    }

    /**
     * Samples whose innermost frame is a function.
     *
     * @param function the function's name
     * @return the count, 0 if it was never sampled
     */
    public long selfSamples(String function) {
        drain();
        return stacks.selfCounts().getOrDefault(function, 0L);
    }

    /**
     * The self samples of every sampled function.
     *
     * @return function name to count, sorted by name; a copy
     */
    public Map<String, Long> selfSamplesByFunction() {
        drain();
        return stacks.selfCounts();
    }

    /** Self samples in one Store of a function of its instance at instanceIndex (for metrics). */
    synchronized long selfSamples(Store store, int instanceIndex, String function) {
        for (Target t : targets) {
            if (t.store != store) continue;
            if (!t.detached) drainLocked(t);
            return t.leaves.getOrDefault(SamplingProfiler.leafKey(instanceIndex, function), 0L);
        }
        return 0;
    }

    /**
     * Self samples by exact machine location: {@code "function+0xOFFSET"}, the offset of the
     * sampled instruction in the function's machine code ({@link #selfSamplesByIrLocation()}
     * gives the IR instruction instead).
     *
     * @return location to count, sorted; a copy
     */
    public synchronized Map<String, Long> selfSamplesByLocation() {
        drain();
        return new TreeMap<>(locations);
    }

    /**
     * Self samples by IR location: {@code "function@line:col"}, the CLIF source location of
     * the sampled instruction, from the compiled module's location table (machine offset to
     * IR location). Code that belongs to no IR instruction (prologue, epilogue, edge-block
     * moves) is {@code "function@?"}; a sample in a hostcall is the host frame's name, as in
     * {@link #selfSamplesByFunction()}.
     *
     * @return location to count, sorted; a copy
     */
    public synchronized Map<String, Long> selfSamplesByIrLocation() {
        drain();
        return new TreeMap<>(irLocations);
    }

    /**
     * The sampled stacks.
     *
     * @return collapsed stack ({@code "outer;inner"}, outermost first) to sample count, sorted; a copy
     */
    public Map<String, Long> stacks() {
        drain();
        return stacks.snapshot();
    }

    /**
     * The sampled stacks in the collapsed format of flamegraph.pl.
     *
     * @return one {@code "root;caller;callee count"} line per stack, sorted
     */
    public String collapsedStacks() {
        drain();
        return stacks.collapsed();
    }

    /**
     * Writes {@link #collapsedStacks()} to a file, in UTF-8.
     *
     * @param file the file, replaced if it exists
     * @throws IOException if it cannot be written
     */
    public void writeCollapsedStacks(Path file) throws IOException {
        drain();
        stacks.writeCollapsed(file);
    }

    /**
     * Writes a flame graph: an interactive HTML page, or an SVG if the name ends in {@code .svg}.
     *
     * @param file the file, replaced if it exists
     * @param title the graph's title
     * @throws IOException if it cannot be written
     */
    public void writeFlameGraph(Path file, String title) throws IOException {
        drain();
        new FlameGraph(stacks.snapshot(), title, clock.period()).write(file);
    }

    /**
     * The period of the last {@link #start}, as used (at least 10 us).
     *
     * @return the period, or null if never started
     */
    public Duration period() { return clock.period(); }

    /**
     * Signals sent to owner threads.
     *
     * @return the count
     */
    public synchronized long signalsSent() {
        long n = 0;
        for (Target t : targets) n += t.sent;
        return n;
    }

    /**
     * Signals that reached an owner thread while it was not running its Store's guest code
     * (Java, a hostcall, between calls): counted, never attributed.
     *
     * @return the count
     */
    public synchronized long notInGuest() {
        long n = notInGuestSeen;
        for (Target t : targets) if (!t.detached) n += Native.getLong(t.ring + NOT_IN_GUEST);
        return n;
    }

    /**
     * Signals taken inside a guest call but outside the Store's code (a trampoline, a hook),
     * or recorded at a PC in no function: counted, never attributed.
     *
     * @return the count
     */
    public synchronized long outsideCode() {
        drain();
        long n = outsideSeen;
        for (Target t : targets) n += t.unattributed + (t.detached ? 0 : Native.getLong(t.ring + OUTSIDE_CODE));
        return n;
    }

    /**
     * Samples lost because a ring was full when the handler ran.
     *
     * @return the count
     */
    public synchronized long drops() {
        long n = dropsSeen;
        for (Target t : targets) if (!t.detached) n += Native.getLong(t.ring + DROPS);
        return n;
    }

    /**
     * Periods in which a sampled Store was not in a guest call, so no signal was sent.
     *
     * @return the count
     */
    public synchronized long idlePeriods() {
        long n = 0;
        for (Target t : targets) n += t.idle;
        return n;
    }

    /** Process-wide counts of the handler: {handled, foreign, notSampled}; for tests. */
    static long[] handlerCounts() {
        Global g = global();
        return new long[] {Native.getLong(g.table + T_HANDLED), Native.getLong(g.table + T_FOREIGN), Native.getLong(g.table + T_NOT_SAMPLED)};
    }

    /** Sends the sampler's signal with ring index `index` to thread `tid`, whatever its state; for tests. */
    static long sendRaw(int tid, int index) {
        Global g = global();
        long info = Native.calloc(1, SIGINFO_SIZE);
        try {
            Native.putInt(info + SI_SIGNO, SIGNAL);
            Native.putInt(info + SI_CODE, SI_QUEUE);
            Native.putInt(info + SI_PID, g.pid);
            Native.putInt(info + SI_VALUE, index);
            Native.putInt(info + SI_VALUE + 4, tid);
            return Native.call(g.send, g.pid, tid, SIGNAL, info);
        } finally {
            Native.free(info);
        }
    }

    /**
     * Measures the cost of one sampler signal on this machine: the calling thread sends the
     * signal to itself {@code signals} times (the syscall, the kernel's delivery, the handler,
     * which counts it as taken outside guest code, and sigreturn), for benchmarks.
     *
     * @param signals how many to send, at least 1
     * @return nanoseconds per signal, the mean over them
     * @throws IllegalArgumentException if signals is below 1
     */
    public static double selfSignalNanos(int signals) {
        if (signals < 1) throw new IllegalArgumentException("signals must be at least 1: " + signals);
        Global g = global();
        int tid = Native.gettid();
        long info = Native.calloc(1, SIGINFO_SIZE);
        try {
            Native.putInt(info + SI_SIGNO, SIGNAL);
            Native.putInt(info + SI_CODE, SI_QUEUE);
            Native.putInt(info + SI_PID, g.pid);
            // An index no slot has: the handler counts it as foreign and returns.
            Native.putInt(info + SI_VALUE, MAX_TARGETS);
            long t0 = System.nanoTime();
            for (int i = 0; i < signals; i++) Native.call(g.send, g.pid, tid, SIGNAL, info);
            return (System.nanoTime() - t0) / (double) signals;
        } finally {
            Native.free(info);
        }
    }

    /** The ring index of a sampled Store, -1 if none; for tests. */
    synchronized int slotOf(Store store) {
        for (Target t : targets) if (t.store == store && !t.detached) return t.slot;
        return -1;
    }

    /** The tid the last signal was sent to; for tests. */
    int lastTid() { return lastTid; }

    /** Signals a Store's owner thread now, as a tick would; for tests. */
    synchronized void tickNow() {
        for (Target t : targets) t.tick();
    }

    /** Stops sampling, drains, and detaches from every Store; its ring slots are emptied first. */
    @Override public void close() {
        stop();
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (Target t : targets) t.detach();
        }
    }
}
