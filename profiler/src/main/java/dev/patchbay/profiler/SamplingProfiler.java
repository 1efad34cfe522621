/*
 * Problem: where does a running guest spend its time, without instrumenting every call?
 * Approach: sample at patch sites. A daemon thread wakes every period (parked, never
 * spinning: on two cores a spinning controller starves the guest) and asks each sampled
 * Store for a safepoint (Store.requestSafepoint: every site is armed with int3). The owner
 * traps at its next site; our SafepointListener runs there, on the owner thread, walks the
 * guest stack through the RBP chain (Safepoint.backtrace) and counts the stack. The Store then
 * restores every site to its desired state and resumes.
 *
 * Site bias: a sample lands at the next site the owner reaches after the request, not at
 * the instruction that was running. Sites sit at function entries, loop headers (epoch)
 * and before returns (profile-exit), so time in straight-line code is charged to the
 * function and stack of the next site executed, and a long loop without sites (compiled
 * without epoch sites) is charged to whatever follows it. A Store that is idle or inside a
 * hostcall is not sampled until it runs guest code again.
 *
 * Results: counts per collapsed stack ("outer;inner" -> samples, outermost first), which
 * StackCounts writes in the collapsed format flame graph tools read and FlameGraph renders
 * as a self-contained HTML or SVG file; and, while a JFR recording enables it, one
 * dev.patchbay.GuestSample event per sample with the guest stack (JfrEvents).
 */
package dev.patchbay.profiler;

import dev.patchbay.GuestFrame;
import dev.patchbay.Instance;
import dev.patchbay.PatchRequest;
import dev.patchbay.Safepoint;
import dev.patchbay.SafepointListener;
import dev.patchbay.Store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Samples the guest stacks of running Stores at a fixed period, at their next patch site (so
 * samples are site-biased: time in straight-line code is charged to the next site the
 * guest reaches), and reports collapsed stacks and flame graphs. A Store that is idle, or
 * in a hostcall, is not sampled. Needs a site controller ({@link
 * dev.patchbay.Engine#hasSiteController()}) to stop running Stores.
 *
 * <p>Thread-safe: samples are taken on the Stores' owner threads, by a daemon thread of
 * its own ({@code patchbay-sampler}) asking each Store for a safepoint every period.
 */
public final class SamplingProfiler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SamplingProfiler.class.getName());

    /** One sampled Store: its listener, and whether a sample was asked for and not yet taken. */
    private final class Target implements SafepointListener {
        final Store store;
        final String name;
        final AtomicBoolean wanted = new AtomicBoolean();
        final LongAdder samples = new LongAdder();
        /** Self samples by module index and function, for per-function metrics. */
        final Map<String, LongAdder> leaves = new ConcurrentHashMap<>();
        PatchRequest last;

        Target(Store store, String name) {
            this.store = store;
            this.name = name;
        }

        /** The position of the instance, as Profiler numbers modules; -1 for none. */
        int instanceIndex(Instance in) { return in == null ? -1 : store.instances().indexOf(in); }

        @Override public void onSafepoint(Safepoint at) {
            // Safepoints also serve ordinary patch requests: sample only the ones we asked for.
            if (!wanted.compareAndSet(true, false)) return;
            List<GuestFrame> frames = at.backtrace();
            if (frames.isEmpty()) return;
            String[] names = new String[frames.size()];
            for (int i = 0; i < names.length; i++) names[i] = frames.get(names.length - 1 - i).function();
            stacks.add(names);
            samples.increment();
            JfrEvents.sample(name, frames);
            leaves.computeIfAbsent(leafKey(instanceIndex(at.instance()), frames.get(0).function()), k -> new LongAdder()).increment();
        }
    }

    private final List<Target> targets = new CopyOnWriteArrayList<>();
    private final StackCounts stacks = new StackCounts();
    private final SampleClock clock = new SampleClock("patchbay-sampler");
    private volatile boolean closed;

    /** A sampler of no Store yet; {@link #add} them. */
    public SamplingProfiler() {}

    /**
     * A sampler of one Store; {@link #add} more.
     *
     * @param store the Store
     * @throws IllegalStateException if the Store is closed
     */
    public SamplingProfiler(Store store) { add(store, "store"); }

    /**
     * Samples a Store too; adding one twice does nothing.
     *
     * @param store the Store
     * @param name its name in logs and in JFR sample events (metrics take the {@link
     *             Profiler}'s store name)
     * @return this sampler
     * @throws IllegalStateException if this sampler or the Store is closed
     */
    public synchronized SamplingProfiler add(Store store, String name) {
        if (closed) throw new IllegalStateException("SamplingProfiler is closed");
        for (Target t : targets) if (t.store == store) return this;
        Target t = new Target(store, name);
        store.addSafepointListener(t);
        targets.add(t);
        return this;
    }

    /**
     * Starts the sampling thread: one safepoint request per Store per period (a Store that
     * has not reached the previous one is skipped).
     *
     * @param period the time between samples; at least 10 us is used
     * @return this sampler
     * @throws IllegalArgumentException if period is null, zero or negative
     * @throws IllegalStateException if this sampler is closed or already sampling
     */
    public synchronized SamplingProfiler start(Duration period) {
        if (closed) throw new IllegalStateException("SamplingProfiler is closed");
        clock.start(period, () -> {
            for (Target t : targets) request(t);
        });
        return this;
    }

    private void request(Target t) {
        if (t.store.isClosed()) return;
        if (t.last != null && !t.last.isDone()) return; // the owner has not reached the previous one yet
        try {
            t.wanted.set(true);
            PatchRequest r = t.store.requestSafepoint();
            // Done at once means nobody runs the Store: there is nothing to sample.
            if (r.isDone()) t.wanted.set(false);
            t.last = r;
        } catch (IllegalStateException closedMeanwhile) {
            t.wanted.set(false);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sampling request failed", e);
        }
    }

    /** Stops the sampling thread (samples taken so far are kept). */
    public void stop() {
        clock.stop();
        for (Target tg : targets) tg.wanted.set(false);
    }

    /**
     * Whether the sampling thread runs ({@link #start} was called, and not {@link #stop()}).
     *
     * @return true while sampling
     */
    public boolean isRunning() { return clock.isRunning(); }

    /**
     * Samples taken, over all Stores.
     *
     * @return the count
     */
    public long samples() { return stacks.total(); }

    /**
     * Samples whose innermost frame is a function (its "self" samples), over all Stores.
     *
     * @param function the function's name
     * @return the count, 0 if it was never sampled
     */
    public long selfSamples(String function) { return stacks.selfCounts().getOrDefault(function, 0L); }

    /**
     * The self samples of every sampled function, over all Stores.
     *
     * @return function name to count, sorted by name; a copy
     */
    public Map<String, Long> selfSamplesByFunction() { return stacks.selfCounts(); }

    static String leafKey(int instanceIndex, String function) { return instanceIndex + "\0" + function; }

    /** Self samples in one Store of a function of its instance at instanceIndex (for metrics). */
    long selfSamples(Store store, int instanceIndex, String function) {
        for (Target t : targets) {
            if (t.store != store) continue;
            LongAdder a = t.leaves.get(leafKey(instanceIndex, function));
            return a == null ? 0 : a.sum();
        }
        return 0;
    }

    /**
     * Samples taken of one Store.
     *
     * @param store the Store
     * @return the count, 0 for a Store this sampler does not sample
     */
    public long samples(Store store) {
        for (Target t : targets) if (t.store == store) return t.samples.sum();
        return 0;
    }

    /**
     * The sampled stacks, over all Stores.
     *
     * @return collapsed stack ({@code "outer;inner"}, outermost first) to sample count,
     *         sorted; a copy
     */
    public Map<String, Long> stacks() { return stacks.snapshot(); }

    /**
     * The sampled stacks in the collapsed format of flamegraph.pl and async-profiler.
     *
     * @return one {@code "root;caller;callee count"} line per stack, sorted
     */
    public String collapsedStacks() { return stacks.collapsed(); }

    /**
     * Writes {@link #collapsedStacks()} to a file, in UTF-8.
     *
     * @param file the file, replaced if it exists
     * @throws IOException if it cannot be written
     */
    public void writeCollapsedStacks(Path file) throws IOException { stacks.writeCollapsed(file); }

    /**
     * Writes a flame graph titled "Patchbay samples" (see {@link #writeFlameGraph(Path, String)}).
     *
     * @param file the file, replaced if it exists
     * @throws IOException if it cannot be written
     */
    public void writeFlameGraph(Path file) throws IOException { writeFlameGraph(file, "Patchbay samples"); }

    /**
     * Writes a flame graph of the samples so far: a self-contained interactive HTML page, or
     * an SVG if the file name ends in {@code .svg}. It shows the total and the period of the
     * last {@link #start}.
     *
     * @param file the file, replaced if it exists
     * @param title the graph's title
     * @throws IOException if it cannot be written
     */
    public void writeFlameGraph(Path file, String title) throws IOException {
        new FlameGraph(stacks.snapshot(), title, clock.period()).write(file);
    }

    /**
     * The period of the last {@link #start}, as used (at least 10 us).
     *
     * @return the period, or null if this sampler was never started
     */
    public Duration period() { return clock.period(); }

    /** Stops sampling and detaches from every Store. */
    @Override public void close() {
        stop();
        synchronized (this) {
            closed = true;
            for (Target t : targets) {
                // A Store closed before the profiler has no listeners left to remove.
                if (t.store.isClosed()) continue;
                try {
                    t.store.removeSafepointListener(t);
                } catch (IllegalStateException closedMeanwhile) {
                    // closed between the check and the call: the same
                }
            }
        }
    }
}
