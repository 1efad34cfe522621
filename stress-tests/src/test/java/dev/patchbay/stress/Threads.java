/*
 * Thread helpers for the suites: start workers that record the first failure, join them
 * with a hang guard, and dump every thread's stack when a guard fires, so a hang is a
 * readable failure rather than a stuck build.
 *
 * Owner threads (the threads that call guest functions on a Store) are a mix of platform
 * and virtual threads on a JDK that has virtual threads (21+). A virtual owner runs its
 * guest calls on whichever carrier thread mounts it, and each carrier has its own native
 * stack, so every per-thread assumption in the runtime (the stack floor, once cached per
 * thread, gave spurious stk_ovf traps and runs into a carrier's guard pages) is tested by
 * owners that park between calls and come back on another carrier. The suites are built
 * with --release 17, so Thread.ofVirtual is reached through method handles, here only.
 * -Dstress.owners=mixed (the default), platform or virtual picks the kind of owners.
 * Controllers, interrupters and schedulers stay platform threads, so that they keep running
 * while virtual guests pin every carrier; a virtual controller queued on a Store's lock then
 * once stopped the epoch watcher (fixed by the runtime's StoreLock; regression test
 * VirtualControllerDeadlockTest).
 */
package dev.patchbay.stress;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

final class Threads {
    private Threads() {}

    interface Body {
        void run() throws Throwable;
    }

    // ---------------------------------------------------------------- virtual threads, JDK 21+

    /** Thread.ofVirtual(), Thread.Builder.name(String), Thread.Builder.unstarted(Runnable), Thread.isVirtual(); null before JDK 21. */
    private static final MethodHandle OF_VIRTUAL, NAME, UNSTARTED, IS_VIRTUAL;

    static {
        MethodHandle ofVirtual = null, name = null, unstarted = null, isVirtual = null;
        try {
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtualType = Class.forName("java.lang.Thread$Builder$OfVirtual");
            ofVirtual = l.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualType));
            name = l.findVirtual(builder, "name", MethodType.methodType(builder, String.class));
            unstarted = l.findVirtual(builder, "unstarted", MethodType.methodType(Thread.class, Runnable.class));
            isVirtual = l.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            ofVirtual = name = unstarted = isVirtual = null; // JDK 17-20: platform threads only
        }
        OF_VIRTUAL = ofVirtual;
        NAME = name;
        UNSTARTED = unstarted;
        IS_VIRTUAL = isVirtual;
    }

    /** True on a JDK with virtual threads (21+). */
    static final boolean VIRTUAL_THREADS = OF_VIRTUAL != null;

    /** -Dstress.owners: mixed (default), platform or virtual. */
    static final String OWNERS = owners();

    private static String owners() {
        String s = System.getProperty("stress.owners", "").trim();
        if (s.isEmpty()) return "mixed";
        if (!List.of("mixed", "platform", "virtual").contains(s)) {
            throw new IllegalArgumentException("-Dstress.owners must be mixed, platform or virtual, got '" + s + "'");
        }
        return s;
    }

    /** Whether some owners are virtual threads in this JVM. */
    static boolean virtualOwners() { return VIRTUAL_THREADS && !OWNERS.equals("platform"); }

    /**
     * Whether owner number `index` of `run` is a virtual thread. Mixed: every other owner,
     * starting with the first or the second as the seed says, so a suite with two owners or
     * more has both kinds, a suite with one gets either, and -Dstress.seed reproduces the mix.
     */
    static boolean virtualOwner(Run run, int index) {
        if (!virtualOwners()) return false;
        if (OWNERS.equals("virtual")) return true;
        long bit = (run.seed ^ (run.seed >>> 29)) & 1;
        return ((index + bit) & 1) == 0;
    }

    /** The virtual-thread scheduler's parallelism: how many carriers may run virtual threads at once. */
    static int carrierParallelism() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    }

    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) return false;
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }

    /** An unstarted thread: virtual (JDK 21+ only) or a platform daemon. */
    static Thread newThread(String name, boolean virtual, Runnable r) {
        if (!virtual) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }
        if (!VIRTUAL_THREADS) throw new IllegalStateException("this JDK (" + Runtime.version() + ") has no virtual threads");
        try {
            Object b = OF_VIRTUAL.invoke();
            b = NAME.invoke(b, name);
            return (Thread) UNSTARTED.invoke(b, r);    // virtual threads are always daemons
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.ofVirtual().unstarted failed", e);
        }
    }

    /**
     * The carrier a virtual thread is mounted on now, from Thread.toString(), which reads
     * "VirtualThread[#22,guest-0]/runnable@ForkJoinPool-1-worker-2" on JDK 21 to 25; null
     * if the string has no carrier in it.
     */
    static String carrier(Thread t) {
        String s = t.toString();
        int at = s.lastIndexOf('@');
        return at < 0 || at == s.length() - 1 ? null : s.substring(at + 1);
    }

    /** Virtual threads the groups started and not yet ended, for dumps: Thread.getAllStackTraces() leaves virtual threads out. */
    private static final Set<Thread> LIVE_VIRTUAL = ConcurrentHashMap.newKeySet();

    /** What one owner thread did; only that thread writes it. */
    static final class OwnerRecord {
        final boolean virtual;
        long calls, carrierChanges;
        String lastCarrier, sampleToString;
        final Set<String> carriers = new HashSet<>();

        OwnerRecord(boolean virtual) { this.virtual = virtual; }
    }

    private static final ThreadLocal<OwnerRecord> OWNER = new ThreadLocal<>();

    /**
     * To call after each guest call an owner makes (returned or trapped): counts it, notes
     * the carrier of a virtual owner, and checks that no Thread.interrupt() the runtime used
     * to wake a blocked hostcall outlived the call (StoreCore.hostcall clears its own).
     * A no-op on threads not started by startOwner.
     */
    static void ownerCall() {
        OwnerRecord r = OWNER.get();
        if (r == null) return;
        r.calls++;
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) throw new AssertionError("owner '" + me.getName() + "' is interrupted after a guest call returned");
        if (r.virtual) {
            Stats.VIRTUAL_OWNER_CALLS.increment();
            String c = carrier(me);
            if (c == null) {
                r.sampleToString = me.toString();
                return;
            }
            if (r.lastCarrier != null && !r.lastCarrier.equals(c)) r.carrierChanges++;
            r.lastCarrier = c;
            r.carriers.add(c);
        } else {
            Stats.PLATFORM_OWNER_CALLS.increment();
        }
    }

    /**
     * Between two guest calls: a virtual owner now and then sleeps, parks or yields, so that
     * it unmounts and the scheduler may mount it on another carrier for the next call. A
     * platform owner goes on at once, as before. Not seeded: timing only, it changes no choice
     * the seed makes.
     */
    static void ownerPause() {
        OwnerRecord r = OWNER.get();
        if (r == null || !r.virtual) return;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        switch (rnd.nextInt(24)) {
            case 0: LockSupport.parkNanos(1_000_000); break;                      // a sleep: a timer wakes it
            case 1: case 2: LockSupport.parkNanos(20_000 + rnd.nextInt(300_000)); break;
            case 3: case 4: Thread.yield(); break;                                // back into the scheduler's queue
            default: break;
        }
    }

    /** Worker threads sharing one failure slot. */
    static final class Group {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The threads started and still alive when the last one was started; used by the starting thread only. */
        private final List<Thread> threads = new ArrayList<>();
        /** Owner figures of this group, also added to Stats as each owner ends. */
        final LongAdder virtualOwners = new LongAdder(), platformOwners = new LongAdder(), virtualCalls = new LongAdder(),
            movedOwners = new LongAdder(), carrierChanges = new LongAdder();
        final Set<String> carriers = ConcurrentHashMap.newKeySet();
        final AtomicReference<String> unreadableCarrier = new AtomicReference<>();
        private final Run run;

        Group(Run run) { this.run = run; }

        /** A platform worker: controllers, interrupters, schedulers. */
        Thread start(String name, Body body) { return start(name, false, body); }

        /** A worker that is a virtual thread if `virtual` (and the JDK has them), else a platform one. */
        Thread start(String name, boolean virtual, Body body) {
            boolean v = virtual && VIRTUAL_THREADS;
            return add(newThread(name, v, () -> {
                if (v) LIVE_VIRTUAL.add(Thread.currentThread());
                try {
                    runBody(body);
                } finally {
                    LIVE_VIRTUAL.remove(Thread.currentThread());
                }
            }));
        }

        /**
         * An owner: a virtual thread if virtualOwner(run, index) says so. Its body calls
         * ownerCall() after each guest call and ownerPause() between calls.
         */
        Thread startOwner(String name, int index, Body body) { return startOwner(name, virtualOwner(run, index), body); }

        /** An owner that is a virtual thread if `virtual` (which needs a JDK that has them), else a platform one. */
        Thread startOwner(String name, boolean virtual, Body body) {
            Thread t = newThread(name, virtual, () -> {
                OwnerRecord r = new OwnerRecord(virtual);
                OWNER.set(r);
                if (virtual) LIVE_VIRTUAL.add(Thread.currentThread());
                try {
                    runBody(body);
                } finally {
                    OWNER.remove();
                    LIVE_VIRTUAL.remove(Thread.currentThread());
                    ownerDone(r);
                }
            });
            return add(t);
        }

        /** Starts `t` as one of the group's; forgets threads that have ended (a soak starts many). */
        private Thread add(Thread t) {
            threads.removeIf(x -> !x.isAlive());
            threads.add(t);
            t.start();
            return t;
        }

        private void runBody(Body body) {
            try {
                body.run();
            } catch (Throwable e) {
                if (!failure.compareAndSet(null, e)) failure.get().addSuppressed(e);
            }
        }

        private void ownerDone(OwnerRecord r) {
            if (!r.virtual) {
                platformOwners.increment();
                Stats.PLATFORM_OWNERS.increment();
                return;
            }
            virtualOwners.increment();
            virtualCalls.add(r.calls);
            carrierChanges.add(r.carrierChanges);
            carriers.addAll(r.carriers);
            if (r.sampleToString != null) unreadableCarrier.compareAndSet(null, r.sampleToString);
            Stats.VIRTUAL_OWNERS.increment();
            Stats.CARRIER_CHANGES.add(r.carrierChanges);
            Stats.CARRIERS.addAll(r.carriers);
            if (r.carriers.size() > 1) {
                movedOwners.increment();
                Stats.VIRTUAL_OWNERS_MOVED.increment();
            }
        }

        /** "2 virtual owners (2 on more than one carrier, 31 carrier changes) and 1 platform owner", for a test's line. */
        String owners() {
            if (virtualOwners.sum() == 0) return platformOwners.sum() + " platform owner" + (platformOwners.sum() == 1 ? "" : "s");
            return String.format("%d virtual owner%s (%,d calls, %d on more than one carrier, %,d carrier changes) and %d platform",
                virtualOwners.sum(), virtualOwners.sum() == 1 ? "" : "s", virtualCalls.sum(), movedOwners.sum(), carrierChanges.sum(),
                platformOwners.sum());
        }

        /**
         * The regression check that virtual owners are really used: on a JDK with virtual
         * threads (and -Dstress.owners not platform), this group had virtual owners, they made
         * guest calls, and, when the scheduler has two carriers or more, at least one of them
         * made calls on more than one carrier. Call after join().
         */
        void assertVirtualOwnersRan() {
            if (!virtualOwners()) return;
            String what = owners() + "; carriers seen " + carriers;
            if (virtualOwners.sum() == 0) throw new AssertionError(run.msg("no owner was a virtual thread: " + what));
            if (virtualCalls.sum() == 0) throw new AssertionError(run.msg("virtual owners made no guest call: " + what));
            if (unreadableCarrier.get() != null) {
                throw new AssertionError(run.msg("cannot read a virtual thread's carrier from its toString(): '" + unreadableCarrier.get() + "'"));
            }
            if (carrierParallelism() >= 2 && movedOwners.sum() == 0) {
                throw new AssertionError(run.msg("no virtual owner changed carriers between calls (scheduler parallelism "
                    + carrierParallelism() + "): " + what));
            }
        }

        boolean failed() { return failure.get() != null; }

        /** Joins every thread by the hang guard; throws with a thread dump if one is stuck. */
        void join(long guardNanos) throws InterruptedException {
            for (Thread t : threads) join(t, guardNanos);
        }

        /** Joins one of this group's threads by the hang guard. */
        void join(Thread t, long guardNanos) throws InterruptedException {
            long left = guardNanos - System.nanoTime();
            if (left > 0) t.join(Math.max(1, left / 1_000_000));
            if (t.isAlive()) {
                throw new AssertionError(run.msg("thread '" + t.getName() + "' did not stop by its hang guard"
                    + (failure.get() != null ? " (after another worker failed: " + failure.get() + ")" : "") + "\n" + dump()), failure.get());
            }
        }

        /** Rethrows the first failure, tagged with the seed. */
        void rethrow() {
            Throwable f = failure.get();
            if (f != null) throw new AssertionError(run.msg("a worker failed: " + f), f);
        }
    }

    /**
     * After a failure: a fresh daemon platform thread calls interrupt() on every Store for a
     * while, so guests left in endless calls return.
     */
    static void interruptFor(java.time.Duration d, List<dev.patchbay.Store> stores) {
        Thread t = new Thread(() -> {
            long end = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < end) {
                for (dev.patchbay.Store s : stores) {
                    try {
                        if (!s.isClosed()) s.interrupt();
                    } catch (RuntimeException ignored) {
                        // closed meanwhile, or not interruptible: nothing to stop
                    }
                }
                LockSupport.parkNanos(5_000_000);
            }
        }, "stress-interrupt-after-failure");
        t.setDaemon(true);
        t.start();
    }

    /** Every platform thread's stack, then that of every live virtual thread a group started. */
    static String dump() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) append(sb, e.getKey(), e.getValue());
        for (Thread t : LIVE_VIRTUAL) append(sb, t, t.getStackTrace());
        return sb.toString();
    }

    private static void append(StringBuilder sb, Thread t, StackTraceElement[] st) {
        sb.append('"').append(t.getName()).append("\" ").append(isVirtual(t) ? t.toString() + " " : "").append(t.getState()).append('\n');
        for (int i = 0; i < Math.min(st.length, 20); i++) sb.append("    at ").append(st[i]).append('\n');
        if (st.length > 20) sb.append("    ...\n");
    }
}
