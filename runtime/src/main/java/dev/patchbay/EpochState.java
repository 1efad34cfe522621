/*
 * A Store's epoch interruption: its deadline, the interrupts aimed at its calls, and the
 * force that makes a running owner stop at its next epoch check.
 *
 * Problem: interrupt() and the epoch watcher run on other threads than the owner, yet only
 * the owner may decide what its guest does, and only where the guest checks (an epoch
 * site, a CHECK poll). A force therefore borrows the field CHECK code reads (the deadline)
 * and turns the epoch sites on; the owner gives it back when it stops. A force never
 * writes a field that guest code read-modify-writes: FUEL code's `sub [fuel], n` feeds
 * each load from its own previous store, so in a tight loop it overwrites every write
 * another thread makes there, for as long as the loop runs. FUEL code therefore carries
 * epoch patch sites too, and a force arms them. Everything here happens under the Store's lock, which close() holds too, so an
 * interrupt racing with the end of a call or with close() never writes freed memory.
 *
 * Invariants:
 *  1. `interruptFor` is 0 or the number of the call an interrupt targets (Ownership,
 *     invariant 3); it is due only while that call runs. The vmctx's INTERRUPT_CALL mirrors
 *     it for the safepoint stub, which unwinds on its own when the two numbers match.
 *  2. `borrowed` is true exactly while force() has overwritten the CHECK deadline and
 *     nobody has given it back. The fuel is only ever written by the owner, or by any
 *     thread while no call runs (Store.setFuel).
 *  3. interrupt() answers true only when the running code can be stopped: it has epoch
 *     checks of a mode the runtime can trigger (sites with a controller, CHECK). FUEL code
 *     counts as sites (it has them beside its fuel checks).
 *  4. The watcher's retries back off exponentially up to RETRY_MAX_NANOS, so a force the
 *     owner cannot take yet (it sits in a long hostcall) costs almost nothing.
 *  5. Deadlines saturate: an epoch plus ticks that would overflow is "never".
 *  6. With EngineConfig.interruptOnThreadInterrupt, `threadInterruptFor` is 0 or the
 *     number of the running call that an interrupt of its owner thread was delivered to,
 *     at most once per call; the owner's interrupt status is consumed (Thread.interrupted)
 *     exactly when that call ends in a Trap, and left alone if the call returns first.
 *  7. While the owner is stopped in a debugger handler that does not spend the deadline,
 *     `stoppedSince` is the epoch the stop began at (else -1): the watcher forces nothing
 *     for the deadline then (an interrupt still does), and the stop's end moves the
 *     deadline later by the epochs the stop lasted, unless someone set a new one meanwhile.
 */
package dev.patchbay;

import dev.patchbay.codegen.instrument.EpochMode;
import dev.patchbay.codegen.instrument.SiteKind;
import dev.patchbay.codegen.ir.TrapCode;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

final class EpochState {
    private static final System.Logger LOG = System.getLogger(EpochState.class.getName());
    static final long RETRY_MIN_NANOS = 1_000_000L;
    static final long RETRY_MAX_NANOS = 64_000_000L;

    /** What the owner does after an epoch check that reached the runtime. */
    enum Action { RESUME, UNWIND }

    /** What interrupt() found. */
    enum InterruptResult { DELIVERING, NO_CALL, NOT_INTERRUPTIBLE }

    private final StoreCore core;
    private final ReentrantLock lock;

    /** Absolute epoch at which the deadline passes; MAX_VALUE for none. */
    private volatile long deadline = Long.MAX_VALUE;
    private volatile EpochDeadlineCallback callback = s -> EpochDecision.interrupt();
    private volatile long interruptFor;
    private volatile long interruptRequestedAt;
    private volatile long threadInterruptFor;
    /** An interrupt waiting for the next call to start (interruptCurrentOrNext). */
    private final AtomicBoolean interruptNext = new AtomicBoolean();
    private volatile boolean yielded;
    private volatile Thread yieldedThread;
    private volatile long lastForceAt;
    private long retryDelay = RETRY_MIN_NANOS;
    private long forcesMade;
    private volatile boolean borrowed;
    /** Some instance needs the watcher's retries (CHECK code, or sites a plan may turn off). */
    private boolean needsRetries;
    /** How many instances interrupt() can stop; interruptCurrentOrNext needs one. */
    private int interruptibleInstances;
    /** The instance the running outermost call entered (owner writes, under the lock). */
    private volatile LoadedModule entry;
    private boolean warned;
    /** Invariant 7: the epoch a debugger stop began at, or -1. */
    private volatile long stoppedSince = -1;
    /** The deadline when that stop began, to tell whether the stop's handler set another. */
    private long deadlineAtStop;

    EpochState(StoreCore core, ReentrantLock lock) {
        this.core = core;
        this.lock = lock;
    }

    /** A new instance's code: can it be interrupted, and does it need retries? Under the lock. */
    void addInstanceLocked(LoadedModule m, boolean hasEpochSites) {
        EpochMode mode = m.module().compiled().epochMode;
        boolean controller = core.engine.controller() != null;
        String why = null;
        switch (mode) {
            case NONE:
                why = "module was compiled without epoch sites";
                break;
            case POLL:
                why = "module uses the POLL comparison mode, whose poll page the runtime never protects";
                break;
            case NOP:
            case FUSED:
            case FUEL:
                if (hasEpochSites && !controller) why = "Engine has no site controller to arm its epoch sites";
                break;
            default:
                needsRetries = true;
        }
        m.setNotInterruptible(why);
        if (why == null) interruptibleInstances++;
    }

    // ---- deadlines ----

    void setDeadlineTicks(long ticks) {
        long now = core.engine.currentEpoch();
        setDeadline(saturatingAdd(now, ticks));
        core.engine.watcher().watch(core);
        if (ticks == 0) checkDeadline(now, System.nanoTime());
    }

    static long saturatingAdd(long epoch, long ticks) {
        long r = epoch + ticks;
        return ((epoch ^ r) & (ticks ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    void setCallback(EpochDeadlineCallback c) { callback = c; }

    long deadline() { return deadline; }

    private void setDeadline(long d) {
        lock.lock();
        try {
            deadline = d;
            // Not over an outstanding force: it set the field to 0 so the owner stops.
            if (!borrowed && !core.vmctx.isFreed()) core.vmctx.setEpochDeadline(d);
        } finally {
            lock.unlock();
        }
    }

    /** The owner stops in a debugger handler, and its deadline waits (invariant 7). */
    void debugStopBegins() {
        lock.lock();
        try {
            deadlineAtStop = deadline;
            stoppedSince = core.engine.currentEpoch();
        } finally {
            lock.unlock();
        }
    }

    /** The owner resumes from the stop: the deadline moves by the epochs the stop lasted. */
    void debugStopEnds() {
        lock.lock();
        try {
            long spent = core.engine.currentEpoch() - stoppedSince;
            stoppedSince = -1;
            if (deadline == deadlineAtStop && deadline != Long.MAX_VALUE && spent > 0) setDeadline(saturatingAdd(deadline, spent));
        } finally {
            lock.unlock();
        }
    }

    // ---- interrupts ----

    /** Aims an interrupt at the running call (any thread). */
    InterruptResult interrupt() {
        lock.lock();
        try {
            core.ownership.checkOpen();
            long call = core.ownership.activeCall();
            if (call == 0) return InterruptResult.NO_CALL;
            return interruptLocked(call);
        } finally {
            lock.unlock();
        }
    }

    /** Aims an interrupt at the running call, or at the next one if none runs. */
    InterruptResult interruptCurrentOrNext() {
        lock.lock();
        try {
            core.ownership.checkOpen();
            if (interruptibleInstances == 0) return refuse("code was compiled without epoch sites it can arm");
            interruptNext.set(true);
        } finally {
            lock.unlock();
        }
        // Dekker with callStarted(): the owner publishes its call, then takes the flag; we
        // publish the flag, then read the call. Whoever takes the flag delivers it.
        long call = core.ownership.activeCall();
        if (call != 0 && interruptNext.compareAndSet(true, false)) {
            lock.lock();
            try {
                if (core.ownership.isClosed()) return InterruptResult.NO_CALL;
                return interruptLocked(call);
            } finally {
                lock.unlock();
            }
        }
        return InterruptResult.DELIVERING;
    }

    /** The owner has published a new outermost call into `m`: take an interrupt waiting for it. */
    void callStarted(long call, LoadedModule m) {
        entry = m;
        if (core.engine.threadInterrupts()) {
            // Like a blocking JDK method, a call on an interrupted thread stops at once.
            if (Thread.currentThread().isInterrupted()) deliverOwnerInterrupt(call);
            else core.engine.watcher().watchOwner(core);
        }
        if (interruptNext.get() && interruptNext.compareAndSet(true, false)) {
            lock.lock();
            try {
                interruptLocked(call);
            } finally {
                lock.unlock();
            }
        } else if (deadline != Long.MAX_VALUE && core.engine.currentEpoch() >= deadline) {
            // A deadline that passed while the Store was idle is taken at the first site.
            lock.lock();
            try {
                requestEpochSitesLocked();
            } finally {
                lock.unlock();
            }
        }
    }

    private InterruptResult interruptLocked(long call) {
        LoadedModule m = entry;
        String why = m == null ? null : m.notInterruptible();
        if (why != null) return refuse(why);
        interruptRequestedAt = System.nanoTime();
        interruptFor = call;
        core.listenersInterruptRequested();
        // The safepoint stub's fast path reads this word: from here on, the owner's next
        // trap at any site unwinds (the force below arms the epoch sites for it).
        core.vmctx.setInterruptCall(call);
        forceLocked();
        core.engine.watcher().watch(core);
        // Armed epoch sites stay armed until the owner takes the interrupt, so only code
        // that polls a field (CHECK) needs the watcher's retries. Waking it otherwise
        // would only put a third thread on the CPUs just as the guest must run.
        if (needsRetries) core.engine.watcher().wake();
        Thread y = yieldedThread;
        if (y != null) LockSupport.unpark(y);
        // A hostcall blocked in sleep, wait or interruptible I/O wakes, and its
        // InterruptedException becomes this interrupt (StoreCore.dispatch).
        core.interruptHostcall();
        return InterruptResult.DELIVERING;
    }

    private InterruptResult refuse(String why) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, "interrupt() cannot stop this Store's call: its " + why);
        }
        return InterruptResult.NOT_INTERRUPTIBLE;
    }

    /** An interrupt() targets the outermost call running now. */
    boolean interruptDue() {
        long f = interruptFor;
        return f != 0 && f == core.ownership.activeCall();
    }

    private void clearInterrupt() {
        interruptFor = 0;
        core.vmctx.setInterruptCall(0);
    }

    // ---- the force ----

    /**
     * Makes the owner stop at its next epoch check, whatever the module's epoch mode: the
     * epoch sites (FUEL code has them too) are turned on (armed), and CHECK code sees a
     * passed deadline. Idempotent; the watcher repeats it, backing off (invariant 4),
     * because a controller's plan can turn the epoch sites off again before the owner
     * reaches one.
     */
    private void forceLocked() {
        if (core.ownership.isClosed() || core.ownership.owner() == null) return;
        lastForceAt = System.nanoTime();
        forcesMade++;
        core.vmctx.setEpochDeadline(0);
        borrowed = true;
        // Ask again whenever some epoch site is not desired on: a plan may have turned them
        // off since the last force, and a flag saying "already asked" would wait forever.
        if (!core.sites.desiresOnLocked(SiteKind.EPOCH)) requestEpochSitesLocked();
    }

    private void requestEpochSitesLocked() {
        if (!core.ownership.isClosed()) core.sites.requestLocked(SiteState.EPOCH_ON, borrowed);
    }

    /**
     * The watcher: forces the owner if an interrupt or a passed deadline is due. Returns the
     * nanoseconds until it should look again, or -1 if nothing is outstanding.
     */
    long checkDeadline(long epoch, long now) {
        lock.lock();
        try {
            if (core.ownership.isClosed() || core.ownership.owner() == null) return -1;
            if (!interruptDue() && (epoch < deadline || stoppedSince >= 0)) return -1;
            // A force that the owner has not taken yet is still on its way: retry only after
            // the back-off, which doubles with every retry (invariant 4).
            if (borrowed) {
                long wait = lastForceAt + retryDelay - now;
                if (wait > 0) return wait;
                retryDelay = Math.min(RETRY_MAX_NANOS, retryDelay * 2);
            } else {
                retryDelay = RETRY_MIN_NANOS;
            }
            forceLocked();
            return retryDelay;
        } finally {
            lock.unlock();
        }
    }

    // ---- decisions, on the owner thread ----

    /** The owner stopped at a safepoint; returns null if no force was outstanding (apply only). */
    Action atSafepoint(long site, long guestFp) {
        lock.lock();
        try {
            if (!borrowed) return null;
            endForceLocked();
            if (interruptDue()) return unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, interruptRequestedAt);
        } finally {
            lock.unlock();
        }
        return deadlineReached();
    }

    /** The owner is inside the epoch hook: decide what the guest does. */
    Action inHook() {
        lock.lock();
        try {
            endForceLocked();
            if (interruptDue()) return unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, interruptRequestedAt);
            if (core.vmctx.fuel() < 0) return unwind(TrapCode.OUT_OF_FUEL, EpochOutcome.OUT_OF_FUEL, 0);
        } finally {
            lock.unlock();
        }
        return deadlineReached();
    }

    /** The owner, epoch fields given back: runs the deadline callback if the deadline has passed. */
    private Action deadlineReached() {
        if (core.engine.currentEpoch() < deadline) return Action.RESUME;
        EpochMetrics m = core.engine.epochMetrics();
        m.deadlineReached();
        EpochDecision d;
        try {
            d = callback.onDeadline(core.handleOrThrow());
            if (d == null) throw new IllegalStateException("the epoch deadline callback returned null");
        } catch (Throwable t) {
            core.hostError(t);
            core.vmctx.setTrapCode(TrapCode.HOST_ERROR.code());
            return Action.UNWIND;
        }
        switch (d.kind()) {
            case INTERRUPT:
                deadline = Long.MAX_VALUE;
                return unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, 0);
            case CONTINUE:
                m.continued();
                setDeadline(saturatingAdd(core.engine.currentEpoch(), d.ticks()));
                core.listenersEpoch(EpochOutcome.of(d), 0);
                // An interrupt() that arrived while the callback ran is taken now, not at a
                // later site the guest may never reach.
                return interruptDue() ? inHook() : Action.RESUME;
            default:
                m.yielded();
                setDeadline(saturatingAdd(core.engine.currentEpoch(), d.ticks()));
                core.listenersEpoch(EpochOutcome.of(d), 0);
                if (!park()) {
                    // Thread.interrupt() of a parked owner: the Java way to say "stop".
                    return unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, 0);
                }
                return interruptDue() ? inHook() : Action.RESUME;
        }
    }

    /**
     * Parks the owner until resume() or an interrupt. Returns false if the thread was
     * interrupted (Thread.interrupt); its interrupt status stays set for the caller to see.
     */
    private boolean park() {
        yieldedThread = Thread.currentThread();
        yielded = true;
        try {
            while (yielded && !interruptDue()) {
                LockSupport.park(this);
                if (Thread.currentThread().isInterrupted()) return false;
            }
            return true;
        } finally {
            yielded = false;
            yieldedThread = null;
        }
    }

    boolean isYielded() { return yielded; }

    boolean resume() {
        Thread y = yieldedThread;
        if (!yielded || y == null) return false;
        yielded = false;
        LockSupport.unpark(y);
        return true;
    }

    /**
     * The owner has stopped for a force (at a safepoint, in the hook, or unwound by the
     * stub): the epoch sites, on only for it, go off, and the borrowed fields come back.
     */
    private void endForceLocked() {
        core.sites.setDesiredLocked(SiteState.EPOCH_OFF);
        core.sites.applyLocked();
        restoreFieldsLocked();
    }

    private void restoreFieldsLocked() {
        core.vmctx.setEpochDeadline(deadline);
        borrowed = false;
        retryDelay = RETRY_MIN_NANOS;
    }

    /**
     * The safepoint stub unwound for the due interrupt without calling into Java (the entry
     * returned EntryStatus.INTERRUPTED; see the signal module's SignalStubs.safepointStub):
     * do here what atSafepoint would have done.
     */
    void takeStubInterrupt() {
        core.engine.siteMetrics().trap();
        lock.lock();
        try {
            endForceLocked();
            unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, interruptRequestedAt);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The outermost call ended with the borrowed fields still out: give them back (no force
     * happens once the owner is gone). The epoch sites were on only for that force, so they
     * go back off with it, or the next call would pay one pointless upcall.
     */
    void callEnded() {
        if (threadInterruptFor != 0) threadInterruptFor = 0;
        if (core.engine.threadInterrupts()) core.engine.watcher().unwatchOwner(core);
        if (!borrowed) return;
        lock.lock();
        try {
            if (!borrowed || core.ownership.isClosed()) return;
            core.sites.setDesiredLocked(SiteState.EPOCH_OFF);
            restoreFieldsLocked();
        } finally {
            lock.unlock();
        }
    }

    private Action unwind(TrapCode code, EpochOutcome outcome, long requestedAt) {
        // Unwinding ends the call, so an interrupt() aimed at it is answered too.
        if (interruptDue()) clearInterrupt();
        core.engine.epochMetrics().interrupted();
        long since = requestedAt == 0 ? 0 : System.nanoTime() - requestedAt;
        core.listenersEpoch(outcome, since);
        core.vmctx.setTrapCode(code.code());
        return Action.UNWIND;
    }

    /** Unwinds the current call for an interrupt whose InterruptedException a hostcall threw. */
    boolean hostcallInterrupted() {
        if (!interruptDue()) return false;
        lock.lock();
        try {
            if (borrowed) endForceLocked();
            unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, interruptRequestedAt);
        } finally {
            lock.unlock();
        }
        return true;
    }

    // ---- Thread.interrupt() of the owner (EngineConfig.interruptOnThreadInterrupt) ----

    /** The watcher's poll: the owner of the running call has been interrupted. */
    void pollOwnerInterrupt() {
        long call = core.ownership.activeCall();
        Thread owner = core.ownership.owner();
        if (call != 0 && owner != null && owner.isInterrupted() && threadInterruptFor != call) deliverOwnerInterrupt(call);
    }

    private void deliverOwnerInterrupt(long call) {
        lock.lock();
        try {
            if (core.ownership.isClosed() || core.ownership.activeCall() != call) return;
            if (interruptLocked(call) == InterruptResult.DELIVERING) threadInterruptFor = call;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The owner, when its call ends in a Trap: true if an interrupt of the owner thread was
     * delivered to this call, whose interrupt status the Trap now consumes (invariant 6).
     */
    boolean takeOwnerInterrupt() {
        long call = threadInterruptFor;
        if (call == 0 || call != core.ownership.activeCall()) return false;
        threadInterruptFor = 0;
        Thread.interrupted();
        return true;
    }

    /**
     * A hostcall threw InterruptedException that no interrupt() caused, in an Engine with
     * thread interrupts: the call ends with an interrupt Trap, not host_error.
     */
    boolean hostcallThreadInterrupted() {
        if (!core.engine.threadInterrupts()) return false;
        lock.lock();
        try {
            if (borrowed) endForceLocked();
            unwind(TrapCode.INTERRUPT, EpochOutcome.INTERRUPTED, 0);
        } finally {
            lock.unlock();
        }
        return true;
    }

    // ---- for tests ----

    boolean forcePending() { return borrowed; }

    long forcesMade() {
        lock.lock();
        try {
            return forcesMade;
        } finally {
            lock.unlock();
        }
    }
}
